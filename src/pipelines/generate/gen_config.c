/* Generation settings from a model folder: eos_token_id (generation_config.json, config.json) and
 * the context length (config.json max_position_embeddings / n_positions). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/generate.h"
#include "ia/status.h"

static int as_id(const cJSON *v, int64_t *out) {
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (!(d >= 0 && d < 9007199254740992.0) || floor(d) != d) return 0;
    *out = (int64_t)d;
    return 1;
}

int ia_gen_config_parse(const char *json, size_t len, ia_gen_config *c) {
    if (!json || !c) return ia_set_error(IA_ERR_INVALID_ARG, "model config: no input");
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) return ia_set_error(IA_ERR_PARSE, "model config: malformed JSON");
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return ia_set_error(IA_ERR_PARSE, "model config: not a JSON object");
    }
    const cJSON *eos = cJSON_GetObjectItemCaseSensitive(root, "eos_token_id");
    int64_t id;
    if (as_id(eos, &id)) {
        c->eos_ids[0] = id;
        c->n_eos = 1;
    } else if (cJSON_IsArray(eos)) {
        size_t n = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, eos) {
            if (n < sizeof c->eos_ids / sizeof *c->eos_ids && as_id(it, &id)) c->eos_ids[n++] = id;
        }
        if (n) c->n_eos = n;
    }
    static const char *ctx_keys[] = {"max_position_embeddings", "n_positions"};
    for (size_t k = 0; k < 2; k++) {
        if (as_id(cJSON_GetObjectItemCaseSensitive(root, ctx_keys[k]), &id) && id > 0) {
            c->max_context = id;
            break;
        }
    }
    cJSON_Delete(root);
    return IA_OK;
}

static int load_file(const char *dir, const char *name, ia_gen_config *c) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return IA_OK;
    size_t cap = 1 << 16, n = 0;
    char *buf = ia_malloc(cap);
    int rc = IA_OK;
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
        if (n == cap) {
            if (cap >= (64u << 20)) { rc = ia_set_error(IA_ERR_LIMIT, "%s: larger than 64 MiB", path); break; }
            char *nb = ia_realloc(buf, cap *= 2);
            if (!nb) break;
            buf = nb;
        }
    }
    fclose(f);
    if (!buf) return ia_set_error(IA_ERR_NOMEM, "%s: out of memory", path);
    if (!rc) {
        rc = ia_gen_config_parse(buf, n, c);
        if (rc) rc = ia_set_error(rc, "%s: malformed JSON", path);
    }
    ia_free(buf);
    return rc;
}

int ia_gen_config_load_dir(const char *dir, ia_gen_config *c) {
    memset(c, 0, sizeof *c);
    int rc = load_file(dir, "config.json", c);
    if (!rc) rc = load_file(dir, "generation_config.json", c);
    return rc;
}
