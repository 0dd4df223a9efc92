/* Unit tests of the model folder source (include/ia/model_dir.h): the same folder read by path and
 * by CID from a temporary store gives the same answers; files, sub-folders, bare file CIDs, errors. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ipfs_accelerate.h"
#include "unit.h"

static char tmp[64] = "/tmp/ia-model-dir-XXXXXX";
static char folder[128], store[128];
static char dir_cid[IA_CID_MAX_STRING], file_cid[IA_CID_MAX_STRING];

static void put(const char *rel, const char *text) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s", folder, rel);
    FILE *f = fopen(p, "wb");
    if (f) { fputs(text, f); fclose(f); }
}

/* folder/{config.json, tokenizer.json, onnx/x.txt} added to a store under tmp */
static int setup(void) {
    if (!mkdtemp(tmp)) return -1;
    snprintf(folder, sizeof folder, "%s/m", tmp);
    snprintf(store, sizeof store, "%s/store", tmp);
    char onnx[160];
    snprintf(onnx, sizeof onnx, "%s/onnx", folder);
    if (mkdir(folder, 0700) || mkdir(onnx, 0700)) return -1;
    put("config.json", "{\"a\": 1}");
    put("tokenizer.json", "{\"model\": {}}");
    put("onnx/x.txt", "inner");
    setenv("IPFS_ACCELERATE_HOME", store, 1);
    ia_blockstore *bs;
    if (ia_blockstore_open(store, &bs)) return -1;
    ia_add_options o;
    ia_add_options_init(&o, NULL);
    o.progress = 0;
    const char *paths[1] = {folder};
    ia_cid root, fc;
    int rc = ia_add_paths(bs, paths, 1, &o, NULL, NULL, &root);
    char cfg[160];
    snprintf(cfg, sizeof cfg, "%s/config.json", folder);
    const char *fp[1] = {cfg};
    if (!rc) rc = ia_add_paths(bs, fp, 1, &o, NULL, NULL, &fc);
    if (!rc) rc = ia_blockstore_flush(bs);
    ia_blockstore_close(bs);
    if (rc) return -1;
    if (ia_cid_format(&root, 0, dir_cid, sizeof dir_cid) || ia_cid_format(&fc, 0, file_cid, sizeof file_cid)) return -1;
    return 0;
}

/* The same checks on a folder source named `ref` (path or CID). */
static void check_folder(int *unit_failed_, const char *ref, int is_store) {
    ia_model_dir *d;
    CHECK_MSG(ia_model_dir_open(ref, &d) == IA_OK, "%s: %s", ref, ia_last_error());
    if (!d) return;
    CHECK(ia_model_dir_is_store(d) == is_store);
    CHECK(ia_model_dir_target(d) == NULL);
    CHECK(ia_model_dir_has(d, "config.json") == 1);
    CHECK(ia_model_dir_has(d, "onnx/x.txt") == 1);
    CHECK(ia_model_dir_has(d, "onnx") == 0); /* a folder, not a file */
    CHECK(ia_model_dir_has(d, "nope.json") == 0);
    CHECK(ia_model_dir_has(d, "config.json/x") == 0);
    const char *cands[] = {"missing.onnx", "onnx/x.txt", "config.json"}, *found = NULL;
    CHECK(ia_model_dir_find(d, cands, 3, &found) == IA_OK && found == cands[1]);
    CHECK(ia_model_dir_find(d, cands, 1, &found) == IA_ERR_NOT_FOUND && found == NULL);
    char *data = NULL;
    size_t n = 0;
    CHECK(ia_model_dir_read(d, "onnx/x.txt", 100, &data, &n) == IA_OK && n == 5 && !strcmp(data, "inner"));
    ia_free(data);
    CHECK(ia_model_dir_read(d, "config.json", 3, &data, &n) == IA_ERR_LIMIT && data == NULL);
    CHECK(ia_model_dir_read(d, "nope.json", 100, &data, &n) == IA_ERR_NOT_FOUND);
    char want[512];
    snprintf(want, sizeof want, "%s: no nope.json", ia_model_dir_name(d));
    CHECK_MSG(!strcmp(ia_last_error(), want), "%s", ia_last_error());
    char p[512];
    CHECK(ia_model_dir_path(d, "config.json", p, sizeof p) == IA_OK);
    snprintf(want, sizeof want, "%s/config.json", ia_model_dir_name(d));
    CHECK(!strcmp(p, want));
    CHECK(ia_model_dir_path(d, "config.json", p, 4) == IA_ERR_LIMIT);
    ia_model_dir_close(d);
}

TEST(folder_by_path_and_cid) {
    check_folder(unit_failed_, folder, 0);
    char ref[512];
    check_folder(unit_failed_, dir_cid, 1);
    snprintf(ref, sizeof ref, "ipfs://%s/", dir_cid);
    check_folder(unit_failed_, ref, 1);
    snprintf(ref, sizeof ref, "/ipfs/%s", dir_cid);
    check_folder(unit_failed_, ref, 1);
}

TEST(file_targets) {
    char ref[512];
    ia_model_dir *d;
    /* a file by path: its folder and its name */
    snprintf(ref, sizeof ref, "%s/onnx/x.txt", folder);
    CHECK(ia_model_dir_open(ref, &d) == IA_OK);
    if (d) {
        CHECK(!strcmp(ia_model_dir_target(d), "x.txt"));
        char want[256];
        snprintf(want, sizeof want, "%s/onnx", folder);
        CHECK(!strcmp(ia_model_dir_name(d), want));
        ia_model_dir_close(d);
    }
    /* CID/path of a file: the same */
    snprintf(ref, sizeof ref, "%s/onnx/x.txt", dir_cid);
    CHECK(ia_model_dir_open(ref, &d) == IA_OK);
    if (d) {
        CHECK(!strcmp(ia_model_dir_target(d), "x.txt"));
        char *data = NULL;
        size_t n;
        CHECK(ia_model_dir_read(d, "x.txt", 100, &data, &n) == IA_OK && data && !strcmp(data, "inner"));
        ia_free(data);
        ia_model_dir_close(d);
    }
    /* a bare file CID: the file is its own target, with no siblings */
    CHECK(ia_model_dir_open(file_cid, &d) == IA_OK);
    if (d) {
        const char *t = ia_model_dir_target(d);
        CHECK(t && ia_model_dir_has(d, t) == 1 && ia_model_dir_has(d, "tokenizer.json") == 0);
        char *data = NULL;
        size_t n;
        CHECK(t && ia_model_dir_read(d, t, 100, &data, &n) == IA_OK && data && !strcmp(data, "{\"a\": 1}"));
        ia_free(data);
        char p[512];
        CHECK(t && ia_model_dir_path(d, t, p, sizeof p) == IA_OK && !strcmp(p, file_cid));
        ia_model_dir_close(d);
    }
    char out[512];
    int is_folder = -1;
    CHECK(ia_model_file_resolve(dir_cid, (const char *[]){"a.onnx", "config.json"}, 2, out, sizeof out, &is_folder) == IA_OK);
    char want[512];
    snprintf(want, sizeof want, "%s/config.json", dir_cid);
    CHECK(is_folder == 1 && !strcmp(out, want));
    CHECK(ia_model_file_resolve(dir_cid, (const char *[]){"a.onnx", "b.onnx"}, 2, out, sizeof out, NULL) == IA_ERR_NOT_FOUND);
    snprintf(want, sizeof want, "%s: no a.onnx or b.onnx", dir_cid);
    CHECK_MSG(!strcmp(ia_last_error(), want), "%s", ia_last_error());
}

TEST(errors) {
    ia_model_dir *d = NULL;
    CHECK(ia_model_dir_open("/nonexistent/folder", &d) == IA_ERR_IO && d == NULL);
    CHECK(strstr(ia_last_error(), "cannot open /nonexistent/folder") != NULL);
    CHECK(ia_model_dir_open("ipfs://nope", &d) == IA_ERR_PARSE);
    CHECK(ia_model_dir_open("", &d) == IA_ERR_INVALID_ARG);
    char ref[512];
    snprintf(ref, sizeof ref, "%s/nope", dir_cid);
    CHECK(ia_model_dir_open(ref, &d) == IA_ERR_NOT_FOUND && strstr(ia_last_error(), "no entry named 'nope'"));
    /* a valid CID that is not in the store: the message says so and how to add it */
    ia_cid c;
    char absent[IA_CID_MAX_STRING];
    CHECK(ia_cid_of(1, IA_CODEC_RAW, "not stored", 10, &c) == IA_OK && ia_cid_format(&c, 0, absent, sizeof absent) == IA_OK);
    CHECK(ia_model_dir_open(absent, &d) == IA_ERR_NOT_FOUND);
    CHECK(strstr(ia_last_error(), "is not in the store") && strstr(ia_last_error(), "add -r"));
    /* a missing model file: the session message names it */
    CHECK(ia_model_dir_open(dir_cid, &d) == IA_OK);
    if (d) {
        ia_session *s = NULL;
        CHECK(ia_model_dir_session(d, "onnx/none.onnx", NULL, &s) != IA_OK && s == NULL);
        CHECK(ia_model_dir_session(d, "config.json", NULL, &s) != IA_OK && s == NULL); /* not ONNX */
        ia_model_dir_close(d);
    }
}

static void cleanup(void) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", tmp, tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", tmp);
}

static const unit_case cases[] = {CASE(folder_by_path_and_cid), CASE(file_targets), CASE(errors)};

int main(void) {
    if (setup()) {
        fprintf(stderr, "setup failed: %s\n", ia_last_error());
        cleanup();
        return 1;
    }
    int rc = unit_run(cases, sizeof cases / sizeof cases[0]);
    cleanup();
    return rc;
}
