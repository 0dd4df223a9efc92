/* Loop: runs the body subgraph while the trip count and condition allow, threading
 * loop-carried values (tensors, sequences, optionals) and stacking per-iteration scan outputs. */
#include <string.h>
#include "ia/alloc.h"
#include "ops/control/stack.h"
#include "ops/kernel_util.h"

static int make_scalar(int dtype, int64_t v, ia_value **out) {
    ia_tensor *t;
    int rc = ia_tensor_create(dtype, 0, NULL, &t);
    if (rc) return rc;
    ia_set_i64(t->data, dtype, 0, v);
    rc = ia_value_from_tensor(t, out);
    ia_tensor_release(t);
    return rc;
}

int ia_op_loop(ia_kctx *ctx) {
    ia_graph *body = ia_kctx_attr_graph(ctx, "body");
    if (!body) IA_KFAIL(ctx, IA_ERR_GRAPH, "Loop has no body attribute");
    int n_in = ia_kctx_num_inputs(ctx), n_out = ia_kctx_num_outputs(ctx);
    int n_carried = n_in - 2;
    if (n_carried < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Loop needs the M and cond inputs (possibly empty)");
    if (body->n_inputs != (size_t)n_carried + 2)
        IA_KFAIL(ctx, IA_ERR_GRAPH, "Loop body takes %zu inputs, expected %d", body->n_inputs, n_carried + 2);
    int n_scan = (int)body->n_outputs - 1 - n_carried;
    if (n_scan < 0 || n_out != n_carried + n_scan)
        IA_KFAIL(ctx, IA_ERR_GRAPH, "Loop body has %zu outputs; the node has %d outputs and %d loop-carried values", body->n_outputs,
                 n_out, n_carried);
    int64_t max_trips = INT64_MAX;
    const ia_tensor *m = ia_kctx_input_data(ctx, 0);
    if (m) {
        if (m->numel != 1 || !ia_dtype_is_integer(m->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "Loop M must be an int64 scalar");
        max_trips = ia_get_i64(m->data, m->dtype, 0);
    }
    int cond = 1;
    const ia_tensor *c = ia_kctx_input_data(ctx, 1);
    if (c) {
        if (c->numel != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "Loop cond must be a scalar");
        cond = ia_get_f64(c->data, c->dtype, 0) != 0;
    }
    size_t nb_out = body->n_outputs;
    ia_value **carried = ia_kctx_scratch(ctx, (size_t)(n_carried + 1) * sizeof *carried);
    ia_value **body_in = ia_kctx_scratch(ctx, (size_t)(n_carried + 2) * sizeof *body_in);
    ia_value **body_out = ia_kctx_scratch(ctx, (nb_out + 1) * sizeof *body_out);
    ia_tensor ***scans = ia_kctx_scratch(ctx, (size_t)(n_scan + 1) * sizeof *scans);
    int64_t cap = 0, iters = 0;
    if (!carried || !body_in || !body_out || !scans) return IA_ERR_NOMEM;
    int rc = IA_OK;
    for (int i = 0; i < n_carried && !rc; i++) {
        const ia_value *v = ia_kctx_input_value(ctx, 2 + i);
        if (!v) rc = ia_kctx_fail(ctx, IA_ERR_INVALID_ARG, "Loop carried input %d is missing", i);
        else rc = ia_value_clone(v, &carried[i]);
    }
    for (int64_t it = 0; !rc && it < max_trips && cond; it++) {
        ia_value *iv = NULL, *cv = NULL;
        if ((rc = make_scalar(IA_DTYPE_INT64, it, &iv)) || (rc = make_scalar(IA_DTYPE_BOOL, cond, &cv))) {
            ia_value_destroy(iv);
            ia_value_destroy(cv);
            break;
        }
        body_in[0] = iv;
        body_in[1] = cv;
        for (int i = 0; i < n_carried; i++) body_in[2 + i] = carried[i];
        memset(body_out, 0, nb_out * sizeof *body_out);
        rc = ia_kctx_run_subgraph(ctx, body, (size_t)n_carried + 2, body_in, nb_out, body_out);
        ia_value_destroy(iv);
        ia_value_destroy(cv);
        if (rc) break;
        const ia_value *co = body_out[0];
        if (!co || co->kind != IA_VALUE_TENSOR || co->tensor->numel != 1) {
            rc = ia_kctx_fail(ctx, IA_ERR_TYPE, "Loop body condition output must be a bool scalar");
        } else {
            cond = ia_get_f64(co->tensor->data, co->tensor->dtype, 0) != 0;
        }
        for (int i = 0; !rc && i < n_carried; i++) {
            ia_value_destroy(carried[i]);
            carried[i] = body_out[1 + i];
            body_out[1 + i] = NULL;
        }
        if (!rc && n_scan) {
            if (iters == cap) {
                int64_t ncap = cap ? cap * 2 : 16;
                for (int k = 0; k < n_scan && !rc; k++) {
                    ia_tensor **x = ia_realloc(scans[k], (size_t)ncap * sizeof *x);
                    if (!x) rc = IA_ERR_NOMEM;
                    else scans[k] = x;
                }
                if (!rc) cap = ncap;
            }
            for (int k = 0; !rc && k < n_scan; k++) {
                const ia_value *so = body_out[1 + n_carried + k];
                if (!so || so->kind != IA_VALUE_TENSOR) {
                    rc = ia_kctx_fail(ctx, IA_ERR_TYPE, "Loop scan output %d must be a tensor", k);
                    break;
                }
                scans[k][iters] = ia_tensor_retain(so->tensor);
            }
            if (!rc) iters++;
        }
        for (size_t k = 0; k < nb_out; k++) ia_value_destroy(body_out[k]);
    }
    for (int i = 0; i < n_carried; i++) {
        if (!rc) rc = ia_kctx_set_output(ctx, i, carried[i]);
        else ia_value_destroy(carried[i]);
        carried[i] = NULL;
    }
    for (int k = 0; k < n_scan; k++) {
        if (!rc) {
            int dt = body->values[body->outputs[1 + n_carried + k]].type.elem_dtype;
            ia_tensor *st;
            rc = ia__tensor_stack(scans[k], iters, 0, 0, dt, &st);
            if (rc) rc = ia_kctx_fail(ctx, rc, "Loop scan output %d: %s", k, ia_last_error());
            else {
                ia_value *v;
                rc = ia_value_from_tensor(st, &v);
                ia_tensor_release(st);
                if (!rc) rc = ia_kctx_set_output(ctx, n_carried + k, v);
            }
        }
        for (int64_t i = 0; i < iters; i++) ia_tensor_release(scans[k][i]);
        ia_free(scans[k]);
    }
    return rc;
}
