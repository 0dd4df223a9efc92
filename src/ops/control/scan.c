/* Scan: iterates the body over slices of the scan inputs along their scan axes, threading
 * state values and stacking per-iteration scan outputs (opset 9+; opset 8's batched form). */
#include <string.h>
#include "ia/alloc.h"
#include "ops/control/stack.h"
#include "ops/kernel_util.h"

/* One scan over unbatched inputs: states[n_state] in, scan_in[m] sliced along axes. */
static int scan_once(ia_kctx *ctx, ia_graph *body, int n_state, ia_value **states, int m, const ia_tensor *const *scan_in,
                     const int64_t *in_axes, const int64_t *in_dirs, int k, const int64_t *out_axes, const int64_t *out_dirs,
                     int64_t seq_len, ia_tensor **scan_out) {
    size_t nb_in = (size_t)(n_state + m), nb_out = (size_t)(n_state + k);
    ia_value **bin = ia_calloc(nb_in + 1, sizeof *bin), **bout = ia_calloc(nb_out + 1, sizeof *bout);
    ia_tensor **acc = ia_calloc((size_t)(k ? k : 1) * (size_t)(seq_len ? seq_len : 1), sizeof *acc);
    int rc = (!bin || !bout || !acc) ? IA_ERR_NOMEM : IA_OK;
    int64_t done = 0;
    for (int64_t t = 0; !rc && t < seq_len; t++) {
        for (int i = 0; i < n_state; i++) bin[i] = states[i];
        for (int j = 0; j < m && !rc; j++) {
            int64_t idx = in_dirs && in_dirs[j] ? seq_len - 1 - t : t;
            ia_tensor *sl;
            rc = ia__tensor_slice_axis(scan_in[j], (int)in_axes[j], idx, &sl);
            if (!rc) {
                rc = ia_value_from_tensor(sl, &bin[n_state + j]);
                ia_tensor_release(sl);
            }
        }
        if (!rc) rc = ia_kctx_run_subgraph(ctx, body, nb_in, bin, nb_out, bout);
        for (int j = 0; j < m; j++) {
            ia_value_destroy(bin[n_state + j]);
            bin[n_state + j] = NULL;
        }
        if (rc) break;
        for (int i = 0; i < n_state; i++) {
            ia_value_destroy(states[i]);
            states[i] = bout[i];
            bout[i] = NULL;
        }
        for (int q = 0; q < k && !rc; q++) {
            if (!bout[n_state + q] || bout[n_state + q]->kind != IA_VALUE_TENSOR)
                rc = ia_kctx_fail(ctx, IA_ERR_TYPE, "Scan output %d must be a tensor", q);
            else
                acc[q * seq_len + t] = ia_tensor_retain(bout[n_state + q]->tensor);
        }
        for (size_t q = 0; q < nb_out; q++) {
            ia_value_destroy(bout[q]);
            bout[q] = NULL;
        }
        done = t + 1;
    }
    for (int q = 0; q < k && !rc; q++) {
        int dt = body->values[body->outputs[n_state + q]].type.elem_dtype;
        rc = ia__tensor_stack(acc + q * seq_len, done, (int)out_axes[q], out_dirs && out_dirs[q], dt, &scan_out[q]);
        if (rc) rc = ia_kctx_fail(ctx, rc, "Scan output %d: %s", q, ia_last_error());
    }
    for (int q = 0; acc && q < k; q++)
        for (int64_t t = 0; t < done; t++) ia_tensor_release(acc[q * seq_len + t]);
    ia_free(acc);
    ia_free(bin);
    ia_free(bout);
    return rc;
}

static int read_axes(ia_kctx *ctx, const char *name, int count, int64_t *dst, int is_dir) {
    const int64_t *v;
    size_t n = ia_kctx_attr_ints(ctx, name, &v);
    for (int i = 0; i < count; i++) dst[i] = 0;
    if (!n) return IA_OK;
    if ((int)n != count) return ia_kctx_fail(ctx, IA_ERR_INVALID_ARG, "Scan attribute %s has %zu values, expected %d", name, n, count);
    for (int i = 0; i < count; i++) {
        if (is_dir && v[i] != 0 && v[i] != 1) return ia_kctx_fail(ctx, IA_ERR_INVALID_ARG, "Scan %s must be 0 or 1", name);
        dst[i] = v[i];
    }
    return IA_OK;
}

int ia_op_scan(ia_kctx *ctx) {
    ia_graph *body = ia_kctx_attr_graph(ctx, "body");
    if (!body) IA_KFAIL(ctx, IA_ERR_GRAPH, "Scan has no body attribute");
    int64_t opset = ia_kctx_opset(ctx);
    int first = opset < 9 ? 1 : 0; /* opset 8: sequence_lens first */
    int n_in = ia_kctx_num_inputs(ctx) - first, n_out = ia_kctx_num_outputs(ctx);
    int m = (int)ia_kctx_attr_int(ctx, "num_scan_inputs", -1);
    if (m < 1 || m > n_in) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Scan num_scan_inputs %d is invalid for %d inputs", m, n_in);
    int n_state = n_in - m, k = n_out - n_state;
    if (k < 0 || body->n_inputs != (size_t)n_in || body->n_outputs != (size_t)n_out)
        IA_KFAIL(ctx, IA_ERR_GRAPH, "Scan body signature (%zu in, %zu out) does not match the node (%d in, %d out)", body->n_inputs,
                 body->n_outputs, n_in, n_out);
    int64_t *in_axes = ia_kctx_scratch(ctx, sizeof(int64_t) * (size_t)(m + 1));
    int64_t *in_dirs = ia_kctx_scratch(ctx, sizeof(int64_t) * (size_t)(m + 1));
    int64_t *out_axes = ia_kctx_scratch(ctx, sizeof(int64_t) * (size_t)(k + 1));
    int64_t *out_dirs = ia_kctx_scratch(ctx, sizeof(int64_t) * (size_t)(k + 1));
    const ia_tensor **scan_in = ia_kctx_scratch(ctx, sizeof(*scan_in) * (size_t)(m + 1));
    ia_value **states = ia_kctx_scratch(ctx, sizeof(*states) * (size_t)(n_state + 1));
    ia_tensor **scan_out = ia_kctx_scratch(ctx, sizeof(*scan_out) * (size_t)(k + 1));
    if (!in_axes || !in_dirs || !out_axes || !out_dirs || !scan_in || !states || !scan_out) return IA_ERR_NOMEM;
    IA_KTRY(read_axes(ctx, opset < 9 ? "directions" : "scan_input_directions", m, in_dirs, 1));
    if (opset >= 9) {
        IA_KTRY(read_axes(ctx, "scan_input_axes", m, in_axes, 0));
        IA_KTRY(read_axes(ctx, "scan_output_axes", k, out_axes, 0));
        IA_KTRY(read_axes(ctx, "scan_output_directions", k, out_dirs, 1));
    }
    for (int j = 0; j < m; j++) {
        scan_in[j] = ia_kctx_input_data(ctx, first + n_state + j);
        if (!scan_in[j]) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Scan input %d is missing", n_state + j);
    }
    if (opset >= 9) {
        int64_t len = -1;
        for (int j = 0; j < m; j++) {
            int ax;
            if (ia_norm_axis(in_axes[j], scan_in[j]->rank, &ax) || scan_in[j]->rank == 0)
                IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Scan input axis %lld is out of range", (long long)in_axes[j]);
            in_axes[j] = ax;
            if (len >= 0 && scan_in[j]->dims[ax] != len) IA_KFAIL(ctx, IA_ERR_SHAPE, "Scan inputs differ in sequence length");
            len = scan_in[j]->dims[ax];
        }
        for (int q = 0; q < k; q++) {
            const ia_type_info *t = &body->values[body->outputs[n_state + q]].type;
            int r = t->rank >= 0 ? t->rank + 1 : 1;
            int ax;
            if (ia_norm_axis(out_axes[q], r, &ax)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Scan output axis is out of range");
            out_axes[q] = ax;
        }
        for (int i = 0; i < n_state; i++) {
            const ia_value *v = ia_kctx_input_value(ctx, i);
            if (!v) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Scan state input %d is missing", i);
            IA_KTRY(ia_value_clone(v, &states[i]));
        }
        int rc = scan_once(ctx, body, n_state, states, m, scan_in, in_axes, in_dirs, k, out_axes, out_dirs, len, scan_out);
        for (int i = 0; i < n_state; i++) {
            if (!rc) rc = ia_kctx_set_output(ctx, i, states[i]);
            else ia_value_destroy(states[i]);
        }
        for (int q = 0; q < k; q++) {
            if (!rc) {
                ia_value *v;
                rc = ia_value_from_tensor(scan_out[q], &v);
                if (!rc) rc = ia_kctx_set_output(ctx, n_state + q, v);
            }
            ia_tensor_release(scan_out[q]);
        }
        return rc;
    }
    /* opset 8: inputs are batched on axis 0, scanned on axis 1; per-batch sequence_lens */
    const ia_tensor *lens = ia_kctx_input_data(ctx, 0);
    int64_t batch = scan_in[0]->rank ? scan_in[0]->dims[0] : 0;
    for (int j = 0; j < m; j++)
        if (scan_in[j]->rank < 2 || scan_in[j]->dims[0] != batch) IA_KFAIL(ctx, IA_ERR_SHAPE, "Scan-8 inputs need [batch, seq, ...]");
    for (int i = 0; i < n_state; i++) {
        const ia_tensor *st = ia_kctx_input_data(ctx, 1 + i);
        if (!st || st->rank < 1 || st->dims[0] != batch) IA_KFAIL(ctx, IA_ERR_SHAPE, "Scan-8 state %d needs a batch axis", i);
    }
    ia_tensor ***per_state = ia_kctx_scratch(ctx, sizeof(*per_state) * (size_t)(n_state + 1));
    ia_tensor ***per_out = ia_kctx_scratch(ctx, sizeof(*per_out) * (size_t)(k + 1));
    if (!per_state || !per_out) return IA_ERR_NOMEM;
    for (int i = 0; i < n_state; i++) per_state[i] = ia_kctx_scratch(ctx, sizeof(ia_tensor *) * (size_t)(batch + 1));
    for (int q = 0; q < k; q++) per_out[q] = ia_kctx_scratch(ctx, sizeof(ia_tensor *) * (size_t)(batch + 1));
    const ia_tensor **slices = ia_kctx_scratch(ctx, sizeof(*slices) * (size_t)(m + 1));
    int64_t *zero_axes = ia_kctx_scratch(ctx, sizeof(int64_t) * (size_t)(m + k + 1));
    int rc = slices && zero_axes ? IA_OK : IA_ERR_NOMEM;
    for (int64_t b = 0; !rc && b < batch; b++) {
        int64_t len = scan_in[0]->dims[1];
        if (lens) {
            if (lens->numel != batch) { rc = ia_kctx_fail(ctx, IA_ERR_SHAPE, "sequence_lens must have one entry per batch"); break; }
            len = ia_get_i64(lens->data, lens->dtype, b);
            if (len < 0 || len > scan_in[0]->dims[1]) { rc = ia_kctx_fail(ctx, IA_ERR_INVALID_ARG, "sequence_lens out of range"); break; }
        }
        ia_tensor **owned = ia_calloc((size_t)m + 1, sizeof *owned);
        if (!owned) { rc = IA_ERR_NOMEM; break; }
        for (int j = 0; j < m && !rc; j++) {
            rc = ia__tensor_slice_axis(scan_in[j], 0, b, &owned[j]);
            slices[j] = owned[j];
        }
        for (int i = 0; i < n_state && !rc; i++) {
            ia_tensor *st;
            rc = ia__tensor_slice_axis(ia_kctx_input_data(ctx, 1 + i), 0, b, &st);
            if (!rc) { rc = ia_value_from_tensor(st, &states[i]); ia_tensor_release(st); }
        }
        if (!rc) rc = scan_once(ctx, body, n_state, states, m, slices, zero_axes, in_dirs, k, zero_axes, NULL, len, scan_out);
        for (int i = 0; i < n_state; i++) {
            if (!rc && states[i] && states[i]->kind == IA_VALUE_TENSOR) per_state[i][b] = ia_tensor_retain(states[i]->tensor);
            ia_value_destroy(states[i]);
            states[i] = NULL;
        }
        for (int q = 0; q < k; q++) if (!rc) per_out[q][b] = scan_out[q]; else ia_tensor_release(scan_out[q]);
        for (int j = 0; j < m; j++) ia_tensor_release(owned[j]);
        ia_free(owned);
    }
    for (int i = 0; i < n_state; i++) {
        ia_tensor *st = NULL;
        if (!rc) rc = ia__tensor_stack(per_state[i], batch, 0, 0, 0, &st);
        if (!rc) { ia_value *v; rc = ia_value_from_tensor(st, &v); if (!rc) rc = ia_kctx_set_output(ctx, i, v); }
        ia_tensor_release(st);
        for (int64_t b = 0; b < batch; b++) ia_tensor_release(per_state[i][b]);
    }
    for (int q = 0; q < k; q++) {
        ia_tensor *st = NULL;
        if (!rc) rc = ia__tensor_stack(per_out[q], batch, 0, 0, 0, &st);
        if (!rc) { ia_value *v; rc = ia_value_from_tensor(st, &v); if (!rc) rc = ia_kctx_set_output(ctx, n_state + q, v); }
        ia_tensor_release(st);
        for (int64_t b = 0; b < batch; b++) ia_tensor_release(per_out[q][b]);
    }
    return rc;
}
