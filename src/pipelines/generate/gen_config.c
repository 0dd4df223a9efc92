/* Generation settings from a model folder: eos_token_id (generation_config.json, config.json) and
 * the context length (config.json max_position_embeddings / n_positions), from a path or a CID. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/generate.h"
#include "ia/model_dir.h"
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

static int load_file(ia_model_dir *d, const char *name, ia_gen_config *c) {
    int h = ia_model_dir_has(d, name);
    if (h <= 0) return h;
    char *buf;
    size_t n;
    int rc = ia_model_dir_read(d, name, (size_t)64 << 20, &buf, &n);
    if (rc == IA_ERR_LIMIT) return ia_set_error(rc, "%s/%s: larger than 64 MiB", ia_model_dir_name(d), name);
    if (rc) return rc;
    rc = ia_gen_config_parse(buf, n, c);
    if (rc) rc = ia_set_error(rc, "%s/%s: malformed JSON", ia_model_dir_name(d), name);
    ia_free(buf);
    return rc;
}

int ia_gen_config_load_dir(const char *dir, ia_gen_config *c) {
    memset(c, 0, sizeof *c);
    ia_model_dir *d;
    int rc = ia_model_dir_open(dir, &d);
    if (rc) return rc;
    rc = load_file(d, "config.json", c);
    if (!rc) rc = load_file(d, "generation_config.json", c);
    ia_model_dir_close(d);
    return rc;
}
