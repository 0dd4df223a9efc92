/* StringNormalizer: stopword removal and ASCII case folding of a 1-D or [1, C] string tensor. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "ia/alloc.h"
#include "ops/kernel_util.h"

static int is_stopword(const char *s, char *const *stop, size_t n, int case_sensitive) {
    for (size_t i = 0; i < n; i++)
        if (stop[i] && (case_sensitive ? !strcmp(s, stop[i]) : !strcasecmp(s, stop[i]))) return 1;
    return 0;
}

int ia_op_string_normalizer(ia_kctx *ctx) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "StringNormalizer: input X is missing or not a tensor");
    if (x->dtype != IA_DTYPE_STRING) IA_KFAIL(ctx, IA_ERR_TYPE, "StringNormalizer: X must be a string tensor, got %s", ia_dtype_name(x->dtype));
    if (!(x->rank == 1 || (x->rank == 2 && x->dims[0] == 1)))
        IA_KFAIL(ctx, IA_ERR_SHAPE, "StringNormalizer: X must have shape [C] or [1, C]");
    const char *action = ia_kctx_attr_string(ctx, "case_change_action", "NONE");
    int mode = !strcmp(action, "NONE") ? 0 : !strcmp(action, "LOWER") ? 1 : !strcmp(action, "UPPER") ? 2 : -1;
    if (mode < 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "StringNormalizer: case_change_action '%s' is not NONE, LOWER or UPPER", action);
    int case_sensitive = ia_kctx_attr_int(ctx, "is_case_sensitive", 0) != 0;
    (void)ia_kctx_attr_string(ctx, "locale", ""); /* accepted; case mapping is ASCII */
    const ia_attr *sw = ia_kctx_attr(ctx, "stopwords");
    char *const *stop = sw && sw->type == IA_ATTR_STRINGS ? sw->strings : NULL;
    size_t nstop = stop ? sw->n : 0;
    if (!x->data && x->numel) return IA_ERR_NEED_VALUE;
    char *const *in = x->data;
    int64_t kept = 0;
    for (int64_t i = 0; i < x->numel; i++) kept += !is_stopword(in[i] ? in[i] : "", stop, nstop, case_sensitive);
    int64_t dims[2];
    int rank = x->rank;
    if (rank == 1) dims[0] = kept ? kept : 1;
    else dims[0] = 1, dims[1] = kept ? kept : 1;
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_STRING, rank, dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    char **out = y->data;
    if (!kept) {
        if (!(out[0] = ia_strdup(""))) return IA_ERR_NOMEM;
        return IA_OK;
    }
    for (int64_t i = 0, o = 0; i < x->numel; i++) {
        const char *s = in[i] ? in[i] : "";
        if (is_stopword(s, stop, nstop, case_sensitive)) continue;
        char *c = ia_strdup(s);
        if (!c) return IA_ERR_NOMEM;
        for (char *p = c; mode && *p; p++) *p = (char)(mode == 1 ? tolower((unsigned char)*p) : toupper((unsigned char)*p));
        out[o++] = c;
    }
    return IA_OK;
}
