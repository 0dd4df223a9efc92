/* Einsum: general Einstein summation (repeated indices / diagonals, ellipsis broadcasting,
 * implicit output), with a batched-GEMM fast path for two float32 operands. */
#include <ctype.h>
#include <string.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"
#include "ops/nn/gemm_f32.h"
#include "ops/nn/nn_util.h"

#define N_LETTERS 52
#define MAX_LABELS (N_LETTERS + IA_MAX_DIMS)
#define MAX_OPS 16

static int letter_id(char c) { return c >= 'a' && c <= 'z' ? c - 'a' : c >= 'A' && c <= 'Z' ? 26 + c - 'A' : -1; }

/* Parsed term: per axis label id, or -1 for the ellipsis marker position. */
typedef struct term {
    int n;           /* number of symbols (letters + 1 if ellipsis) */
    int lab[IA_MAX_DIMS + 1];
    int ell;         /* has an ellipsis */
} term;

static int parse_term(const char *s, size_t len, term *t) {
    t->n = 0;
    t->ell = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] == '.') {
            if (t->ell || len - i < 3 || s[i + 1] != '.' || s[i + 2] != '.') return -1;
            t->ell = 1;
            if (t->n > IA_MAX_DIMS) return -1;
            t->lab[t->n++] = -1;
            i += 3;
            continue;
        }
        int id = letter_id(s[i]);
        if (id < 0 || t->n > IA_MAX_DIMS) return -1;
        t->lab[t->n++] = id;
        i++;
    }
    return 0;
}

/* Expands a term against a rank: fills axis labels (ellipsis axes get ids N_LETTERS + k,
 * right-aligned to ell_total). Returns the number of ellipsis axes or -1. */
static int expand(const term *t, int rank, int ell_total, int *axes) {
    int letters = t->n - t->ell, er = rank - letters;
    if (er < 0 || (!t->ell && er != 0) || er > ell_total) return -1;
    int a = 0;
    for (int i = 0; i < t->n; i++) {
        if (t->lab[i] >= 0) axes[a++] = t->lab[i];
        else
            for (int j = 0; j < er; j++) axes[a++] = N_LETTERS + ell_total - er + j;
    }
    return er;
}

int ia_op_einsum(ia_kctx *ctx) {
    int nin = ia_kctx_num_inputs(ctx);
    if (nin < 1 || nin > MAX_OPS) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Einsum needs 1 to %d inputs", MAX_OPS);
    const ia_tensor *in[MAX_OPS];
    for (int i = 0; i < nin; i++) {
        if (!(in[i] = ia_kctx_input(ctx, i))) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Einsum: input %d missing", i);
        if (in[i]->dtype != in[0]->dtype) IA_KFAIL(ctx, IA_ERR_TYPE, "Einsum: inputs must share one dtype");
    }
    int dt = in[0]->dtype;
    if (!ia_nn_is_float(dt) && !ia_dtype_is_integer(dt)) IA_KFAIL(ctx, IA_ERR_TYPE, "Einsum does not support %s", ia_dtype_name(dt));
    const char *eq_raw = ia_kctx_attr_string(ctx, "equation", NULL);
    if (!eq_raw) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Einsum needs an equation");
    char eq[512];
    size_t el = 0;
    for (const char *p = eq_raw; *p; p++) {
        if (isspace((unsigned char)*p)) continue;
        if (el + 1 >= sizeof eq) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Einsum: equation too long");
        eq[el++] = *p;
    }
    eq[el] = 0;
    const char *arrow = strstr(eq, "->");
    size_t lhs_len = arrow ? (size_t)(arrow - eq) : el;
    term terms[MAX_OPS], out_t;
    int nt = 0;
    for (size_t s = 0; s <= lhs_len;) {
        size_t e = s;
        while (e < lhs_len && eq[e] != ',') e++;
        if (nt >= MAX_OPS || parse_term(eq + s, e - s, &terms[nt]))
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Einsum: malformed equation '%s'", eq_raw);
        nt++;
        s = e + 1;
    }
    if (nt != nin) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Einsum: equation has %d operands but node has %d inputs", nt, nin);
    int ell_total = 0;
    for (int i = 0; i < nin; i++) {
        int er = in[i]->rank - (terms[i].n - terms[i].ell);
        if (er < 0 || (!terms[i].ell && er))
            IA_KFAIL(ctx, IA_ERR_SHAPE, "Einsum: operand %d has rank %d, equation term does not match", i, in[i]->rank);
        if (er > ell_total) ell_total = er;
    }
    int axes[MAX_OPS][IA_MAX_DIMS];
    int64_t size[MAX_LABELS];
    int count[MAX_LABELS] = {0};
    for (int l = 0; l < MAX_LABELS; l++) size[l] = -1;
    for (int i = 0; i < nin; i++) {
        expand(&terms[i], in[i]->rank, ell_total, axes[i]);
        for (int a = 0; a < in[i]->rank; a++) {
            int l = axes[i][a];
            int64_t d = in[i]->dims[a];
            count[l]++;
            if (size[l] < 0 || (l >= N_LETTERS && size[l] == 1)) size[l] = d;
            else if (d != size[l] && !(l >= N_LETTERS && d == 1))
                IA_KFAIL(ctx, IA_ERR_SHAPE, "Einsum: dimension mismatch for label %c", l < 26 ? 'a' + l : l < 52 ? 'A' + l - 26 : '.');
        }
    }
    /* output labels */
    int out_lab[IA_MAX_DIMS], orank = 0;
    if (arrow) {
        if (parse_term(arrow + 2, strlen(arrow + 2), &out_t)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Einsum: malformed output term");
        if (out_t.n - out_t.ell + (out_t.ell ? ell_total : 0) > IA_MAX_DIMS) IA_KFAIL(ctx, IA_ERR_LIMIT, "Einsum: output rank too large");
        int seen[MAX_LABELS] = {0};
        for (int i = 0; i < out_t.n; i++) {
            if (out_t.lab[i] < 0) {
                for (int j = 0; j < ell_total; j++) out_lab[orank++] = N_LETTERS + j;
                continue;
            }
            int l = out_t.lab[i];
            if (!count[l] || seen[l]) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "Einsum: output label '%c' is repeated or unknown", l < 26 ? 'a' + l : 'A' + l - 26);
            seen[l] = 1;
            out_lab[orank++] = l;
        }
    } else {
        for (int j = 0; j < ell_total; j++) out_lab[orank++] = N_LETTERS + j;
        /* letters used exactly once, alphabetical (upper case sorts before lower case) */
        for (int l = 26; l < 52; l++) if (count[l] == 1 && orank < IA_MAX_DIMS) out_lab[orank++] = l;
        for (int l = 0; l < 26; l++) if (count[l] == 1 && orank < IA_MAX_DIMS) out_lab[orank++] = l;
    }
    int64_t odims[IA_MAX_DIMS];
    int is_out[MAX_LABELS] = {0};
    for (int i = 0; i < orank; i++) {
        odims[i] = size[out_lab[i]] < 0 ? 1 : size[out_lab[i]];
        is_out[out_lab[i]] = 1;
    }
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, dt, orank, odims, &Y));
    if (ia_kctx_shape_only(ctx) || Y->numel == 0) return IA_OK;
    /* summed labels */
    int sum_lab[MAX_LABELS], nsum = 0;
    int64_t sum_total = 1;
    for (int l = 0; l < MAX_LABELS; l++)
        if (count[l] && !is_out[l]) { sum_lab[nsum++] = l; sum_total *= size[l]; }
    /* per operand, per label strides (repeated labels add up: diagonals; broadcast dims: 0) */
    int64_t (*lstride)[MAX_LABELS] = ia_kctx_scratch(ctx, sizeof(int64_t) * MAX_LABELS * (size_t)nin);
    if (!lstride) return IA_ERR_NOMEM;
    memset(lstride, 0, sizeof(int64_t) * MAX_LABELS * (size_t)nin);
    for (int i = 0; i < nin; i++) {
        int64_t st[IA_MAX_DIMS];
        ia_strides(in[i]->rank, in[i]->dims, st);
        for (int a = 0; a < in[i]->rank; a++)
            if (in[i]->dims[a] != 1 || size[axes[i][a]] == 1) lstride[i][axes[i][a]] += st[a];
    }
    int isf = ia_nn_is_float(dt);
    int64_t oi[IA_MAX_DIMS] = {0}, si[MAX_LABELS];
    for (int64_t o = 0; o < Y->numel; o++) {
        int64_t base[MAX_OPS];
        for (int i = 0; i < nin; i++) {
            base[i] = 0;
            for (int a = 0; a < orank; a++) base[i] += oi[a] * lstride[i][out_lab[a]];
        }
        double accf = 0;
        uint64_t acci = 0;
        for (int s = 0; s < nsum; s++) si[s] = 0;
        for (int64_t t = 0; t < sum_total; t++) {
            double pf = 1;
            uint64_t pi = 1;
            for (int i = 0; i < nin; i++) {
                int64_t off = base[i];
                for (int s = 0; s < nsum; s++) off += si[s] * lstride[i][sum_lab[s]];
                if (isf) pf *= ia_get_f64(in[i]->data, dt, off);
                else pi *= (uint64_t)ia_get_i64(in[i]->data, dt, off);
            }
            accf += pf;
            acci += pi;
            for (int s = nsum - 1; s >= 0; s--) {
                if (++si[s] < size[sum_lab[s]]) break;
                si[s] = 0;
            }
        }
        if (isf) ia_set_f64(Y->data, dt, o, accf);
        else ia_set_i64(Y->data, dt, o, (int64_t)acci);
        for (int a = orank - 1; a >= 0; a--) {
            if (++oi[a] < odims[a]) break;
            oi[a] = 0;
        }
    }
    return IA_OK;
}
