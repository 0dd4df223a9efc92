/* Store commands: cid, add, cat, ls, get, car, pin, gc, verify, repo (kubo-compatible output). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "ipfs_accelerate.h"

static int fail(const char *cmd) {
    fprintf(stderr, "%s: %s\n", cmd, ia_last_error()[0] ? ia_last_error() : "failed");
    return IA_EXIT_FAIL;
}

/* "--name=value" or "--name value": returns the value (advancing *i) or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n)) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] == 0 && *i + 1 < argc) return argv[++*i];
    return NULL;
}

static int parse_u64(const char *s, uint64_t *v) {
    char *e;
    errno = 0;
    unsigned long long x = strtoull(s, &e, 10);
    if (errno || e == s || *e || s[0] == '-') return -1;
    *v = x;
    return 0;
}

static int open_store(ia_blockstore **bs, const char *cmd) {
    if (ia_blockstore_open(NULL, bs)) return fail(cmd);
    return IA_EXIT_OK;
}

/* The store, or with --car FILE a CARv2 file read through its index (read-only). */
static int open_source(ia_blockstore **bs, const char *car, const char *cmd) {
    if (!car) return open_store(bs, cmd);
    if (ia_blockstore_open_car(car, bs)) return fail(cmd);
    return IA_EXIT_OK;
}

static void print_cid(const ia_cid *c, FILE *o) {
    char s[IA_CID_MAX_STRING];
    if (!ia_cid_format(c, 0, s, sizeof s)) fputs(s, o);
}

/* ---- cid ---- */

static char base_char(const char *b) {
    if (!strcmp(b, "base32") || !strcmp(b, "b")) return 'b';
    if (!strcmp(b, "base36") || !strcmp(b, "k")) return 'k';
    if (!strcmp(b, "base58btc") || !strcmp(b, "z")) return 'z';
    if (!strcmp(b, "base16") || !strcmp(b, "f")) return 'f';
    return 0;
}

int ia_cmd_cid(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "format") && strcmp(argv[1], "inspect"))) {
        fprintf(stderr, "usage: ipfs-accelerate cid format [-v 0|1] [-b base32|base36|base58btc|base16] CID...\n"
                        "       ipfs-accelerate cid inspect CID...\n");
        return IA_EXIT_USAGE;
    }
    int inspect = !strcmp(argv[1], "inspect"), ver = -1, rc = IA_EXIT_OK;
    char base = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "-v")) || (v = opt_value(argc, argv, &i, "--version"))) {
            if (strcmp(v, "0") && strcmp(v, "1")) { fprintf(stderr, "cid: version must be 0 or 1\n"); return IA_EXIT_USAGE; }
            ver = v[0] - '0';
            continue;
        }
        if ((v = opt_value(argc, argv, &i, "-b")) || (v = opt_value(argc, argv, &i, "--base"))) {
            if (!(base = base_char(v))) { fprintf(stderr, "cid: unknown base '%s'\n", v); return IA_EXIT_USAGE; }
            continue;
        }
        if (inspect) {
            if (ia_cid_describe(argv[i], stdout)) rc = fail("cid inspect");
            continue;
        }
        ia_cid c;
        if (ia_cid_parse(argv[i], &c)) { rc = fail("cid format"); continue; }
        if (ver == 1 || (base && base != 'z' && c.version == 0)) ia_cid_to_v1(&c, &c);
        if (ver == 0) {
            if (c.codec != IA_CODEC_DAG_PB || c.mh_code != IA_MH_SHA2_256) {
                fprintf(stderr, "cid format: %s cannot be a CIDv0 (only dag-pb sha2-256 can)\n", argv[i]);
                rc = IA_EXIT_FAIL;
                continue;
            }
            c.version = 0;
        }
        char s[IA_CID_MAX_STRING];
        if (ia_cid_format(&c, c.version == 0 ? 0 : base, s, sizeof s)) { rc = fail("cid format"); continue; }
        puts(s);
    }
    return rc;
}

/* ---- add ---- */

typedef struct add_out { int quiet; } add_out;

static void on_added(void *user, const char *path, const ia_cid *cid, uint64_t size) {
    add_out *o = user;
    (void)size;
    if (o->quiet == 2) return;
    char s[IA_CID_MAX_STRING];
    if (ia_cid_format(cid, 0, s, sizeof s)) return;
    if (o->quiet) printf("%s\n", s);
    else printf("added %s %s\n", s, path);
}

int ia_cmd_add(int argc, char **argv) {
    const char *profile = NULL, *stdin_name = NULL, **paths = ia_calloc((size_t)argc, sizeof *paths);
    int recursive = 0, quiet = 0, only_hash = 0, wrap = 0, hidden = 0, cidv = -1, raw = -1, pin = 1, progress = 1;
    int pmode = 0, pmtime = 0, use_stdin = 0, has_mode_v = 0, has_mtime_v = 0, has_ns = 0, mtime_seen = 0, trickle = 0;
    uint32_t mode_v = 0, mtime_ns = 0;
    int64_t mtime_v = 0;
    uint64_t chunk = 0, maxl = 0;
    size_t np = 0;
    if (!paths) return IA_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-r") || !strcmp(a, "--recursive")) recursive = 1;
        else if (!strcmp(a, "-Q") || !strcmp(a, "--quieter")) quiet = 2;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) { if (quiet < 1) quiet = 1; }
        else if (!strcmp(a, "-n") || !strcmp(a, "--only-hash")) only_hash = 1;
        else if (!strcmp(a, "-w") || !strcmp(a, "--wrap-with-directory")) wrap = 1;
        else if (!strcmp(a, "-H") || !strcmp(a, "--hidden")) hidden = 1;
        else if (!strcmp(a, "--raw-leaves") || !strcmp(a, "--raw-leaves=true")) raw = 1;
        else if (!strcmp(a, "--raw-leaves=false")) raw = 0;
        else if (!strcmp(a, "-t") || !strcmp(a, "--trickle") || !strcmp(a, "--trickle=true")) trickle = 1;
        else if (!strcmp(a, "--trickle=false")) trickle = 0;
        else if (!strcmp(a, "--pin=false")) pin = 0;
        else if (!strcmp(a, "--pin") || !strcmp(a, "--pin=true")) pin = 1;
        else if (!strcmp(a, "--progress=false") || !strcmp(a, "--no-progress")) progress = 0;
        else if (!strcmp(a, "--preserve-mode") || !strcmp(a, "--preserve-mode=true")) pmode = 1;
        else if (!strcmp(a, "--preserve-mode=false")) pmode = 0;
        else if (!strcmp(a, "--preserve-mtime") || !strcmp(a, "--preserve-mtime=true")) pmtime = 1;
        else if (!strcmp(a, "--preserve-mtime=false")) pmtime = 0;
        else if (!strcmp(a, "-")) use_stdin = 1;
        else if ((v = opt_value(argc, argv, &i, "--stdin-name"))) stdin_name = v;
        else if ((v = opt_value(argc, argv, &i, "--cid-version"))) {
            if (strcmp(v, "0") && strcmp(v, "1")) { fprintf(stderr, "add: --cid-version must be 0 or 1\n"); ia_free(paths); return IA_EXIT_USAGE; }
            cidv = v[0] - '0';
        } else if ((v = opt_value(argc, argv, &i, "--chunker")) || (v = opt_value(argc, argv, &i, "-s"))) {
            if (strncmp(v, "size-", 5) || parse_u64(v + 5, &chunk) || chunk == 0) {
                fprintf(stderr, "add: only fixed-size chunkers are supported (--chunker=size-N)\n");
                ia_free(paths);
                return IA_EXIT_USAGE;
            }
        } else if ((v = opt_value(argc, argv, &i, "--max-links"))) {
            if (parse_u64(v, &maxl)) { fprintf(stderr, "add: bad --max-links\n"); ia_free(paths); return IA_EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--profile"))) profile = v;
        else if ((v = opt_value(argc, argv, &i, "--mode"))) {
            char *end;
            errno = 0;
            unsigned long mv = strtoul(v, &end, 8);
            if (!*v || *end || errno || mv > 07777 || v[0] == '-' || v[0] == '+') {
                fprintf(stderr, "add: --mode takes octal permission bits (at most 7777), not '%s'\n", v);
                ia_free(paths);
                return IA_EXIT_USAGE;
            }
            mode_v = (uint32_t)mv;
            has_mode_v = mv != 0; /* as kubo: 0 means not given */
        } else if ((v = opt_value(argc, argv, &i, "--mtime"))) {
            char *end;
            errno = 0;
            long long t = strtoll(v, &end, 10);
            if (!*v || *end || errno) { fprintf(stderr, "add: --mtime takes seconds since the epoch, not '%s'\n", v); ia_free(paths); return IA_EXIT_USAGE; }
            mtime_v = (int64_t)t;
            has_mtime_v = t != 0; /* as kubo: 0 means not given */
            mtime_seen = 1;
        } else if ((v = opt_value(argc, argv, &i, "--mtime-nsecs"))) {
            uint64_t ns;
            if (parse_u64(v, &ns) || ns > 999999999u) { fprintf(stderr, "add: --mtime-nsecs takes 0..999999999, not '%s'\n", v); ia_free(paths); return IA_EXIT_USAGE; }
            mtime_ns = (uint32_t)ns;
            has_ns = 1;
        }
        else if (a[0] == '-' && a[1]) { fprintf(stderr, "add: unknown option %s\n", a); ia_free(paths); return IA_EXIT_USAGE; }
        else paths[np++] = a;
    }
    if (!np && !use_stdin && !isatty(0)) use_stdin = 1; /* as kubo: no path and data piped in */
    if (use_stdin && np) { fprintf(stderr, "add: give either paths or '-' (standard input), not both\n"); ia_free(paths); return IA_EXIT_USAGE; }
    if (!np && !use_stdin) {
        fprintf(stderr, "usage: ipfs-accelerate add [-r] [-Q] [-q] [-n] [-w] [--hidden] [--cid-version=0|1] [--raw-leaves[=true|false]]\n"
                        "       [-t|--trickle] [--chunker=size-N] [--max-links=N] [--profile=unixfs-v0-2015|unixfs-v1-2025] [--pin=false]\n"
                        "       [--preserve-mode] [--preserve-mtime] [--mode=OCTAL] [--mtime=SECONDS [--mtime-nsecs=N]] PATH...\n"
                        "       ipfs-accelerate add [options] [--stdin-name NAME] [-]   (standard input)\n");
        ia_free(paths);
        return IA_EXIT_USAGE;
    }
    ia_add_options o;
    if (ia_add_options_init(&o, profile)) { ia_free(paths); return fail("add"); }
    if (cidv >= 0) {
        o.cid_version = (uint32_t)cidv;
        if (raw < 0) o.raw_leaves = cidv == 1;
    }
    if (raw >= 0) {
        o.raw_leaves = raw;
        if (raw && o.cid_version == 0) o.cid_version = 1; /* kubo: raw leaves need CIDv1 */
    }
    if (chunk) o.chunk_size = (size_t)chunk;
    if (maxl) o.max_links = (uint32_t)maxl;
    o.hidden = hidden;
    o.wrap = wrap;
    o.trickle = trickle;
    o.progress = progress && quiet < 2;
    o.pin = pin && !only_hash;
    o.preserve_mode = pmode;
    o.preserve_mtime = pmtime;
    if (has_ns && !mtime_seen) { fprintf(stderr, "add: --mtime-nsecs needs --mtime\n"); ia_free(paths); return IA_EXIT_USAGE; }
    o.has_mode_value = has_mode_v;
    o.mode_value = mode_v;
    o.has_mtime_value = has_mtime_v;
    o.mtime_value = mtime_v;
    o.mtime_nsec_value = mtime_ns;
    for (size_t i = 0; i < np; i++) {
        struct stat st;
        /* lstat: a symlink is added as a link (dangling ones too), as kubo does */
        if (lstat(paths[i], &st)) { fprintf(stderr, "add: %s: %s\n", paths[i], strerror(errno)); ia_free(paths); return IA_EXIT_FAIL; }
        if (S_ISDIR(st.st_mode) && !recursive) {
            fprintf(stderr, "add: %s is a directory, use the '-r' flag to add directories\n", paths[i]);
            ia_free(paths);
            return IA_EXIT_FAIL;
        }
    }
    ia_blockstore *bs = NULL;
    if (!only_hash && open_store(&bs, "add")) { ia_free(paths); return IA_EXIT_FAIL; }
    add_out out = {quiet};
    ia_cid root;
    int rc = use_stdin ? ia_add_fd(bs, 0, stdin_name, &o, on_added, &out, &root)
                       : ia_add_paths(bs, paths, np, &o, on_added, &out, &root);
    ia_blockstore_close(bs);
    ia_free(paths);
    if (rc) return fail("add");
    if (quiet == 2) { print_cid(&root, stdout); putchar('\n'); }
    return IA_EXIT_OK;
}

/* ---- cat / ls / get ---- */

static int stdout_write(void *user, const void *data, size_t len) {
    (void)user;
    if (fwrite(data, 1, len, stdout) != len) return ia_set_error(IA_ERR_IO, "write to stdout failed");
    return IA_OK;
}

int ia_cmd_cat(int argc, char **argv) {
    const char *path = NULL, *car = NULL, *v;
    uint64_t off = 0, len = UINT64_MAX;
    for (int i = 1; i < argc; i++) {
        if ((v = opt_value(argc, argv, &i, "--offset")) || (v = opt_value(argc, argv, &i, "-o"))) {
            if (parse_u64(v, &off)) { fprintf(stderr, "cat: bad --offset\n"); return IA_EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--length")) || (v = opt_value(argc, argv, &i, "-l"))) {
            if (parse_u64(v, &len)) { fprintf(stderr, "cat: bad --length\n"); return IA_EXIT_USAGE; }
        } else if ((v = opt_value(argc, argv, &i, "--car"))) car = v;
        else if (argv[i][0] == '-') { fprintf(stderr, "cat: unknown option %s\n", argv[i]); return IA_EXIT_USAGE; }
        else path = argv[i];
    }
    if (!path) { fprintf(stderr, "usage: ipfs-accelerate cat CID[/path] [--offset N] [--length N] [--car FILE.car]\n"); return IA_EXIT_USAGE; }
    ia_blockstore *bs;
    if (open_source(&bs, car, "cat")) return IA_EXIT_FAIL;
    ia_cid c;
    int rc = ia_store_resolve(bs, path, &c);
    if (!rc) rc = ia_store_cat(bs, &c, off, len, stdout_write, NULL);
    fflush(stdout);
    ia_blockstore_close(bs);
    return rc ? fail("cat") : IA_EXIT_OK;
}

static int ls_print(void *user, const char *name, const ia_cid *cid, uint64_t tsize, int type) {
    (void)user;
    print_cid(cid, stdout);
    printf(" %" PRIu64 " %s%s\n", tsize, name, type == IA_ENTRY_DIR ? "/" : "");
    return IA_OK;
}

int ia_cmd_ls(int argc, char **argv) {
    const char *path = NULL, *car = NULL, *v;
    for (int i = 1; i < argc; i++) {
        if ((v = opt_value(argc, argv, &i, "--car"))) car = v;
        else if (argv[i][0] == '-' || path) { path = NULL; break; }
        else path = argv[i];
    }
    if (!path) { fprintf(stderr, "usage: ipfs-accelerate ls CID[/path] [--car FILE.car]\n"); return IA_EXIT_USAGE; }
    ia_blockstore *bs;
    if (open_source(&bs, car, "ls")) return IA_EXIT_FAIL;
    ia_cid c;
    int rc = ia_store_resolve(bs, path, &c);
    if (!rc) rc = ia_store_ls(bs, &c, ls_print, NULL);
    ia_blockstore_close(bs);
    return rc ? fail("ls") : IA_EXIT_OK;
}

int ia_cmd_get(int argc, char **argv) {
    const char *path = NULL, *out = NULL, *car = NULL, *v;
    for (int i = 1; i < argc; i++) {
        if ((v = opt_value(argc, argv, &i, "-o")) || (v = opt_value(argc, argv, &i, "--output"))) out = v;
        else if ((v = opt_value(argc, argv, &i, "--car"))) car = v;
        else if (argv[i][0] == '-') { fprintf(stderr, "get: unknown option %s\n", argv[i]); return IA_EXIT_USAGE; }
        else path = argv[i];
    }
    if (!path) { fprintf(stderr, "usage: ipfs-accelerate get CID[/path] [-o PATH] [--car FILE.car]\n"); return IA_EXIT_USAGE; }
    ia_blockstore *bs;
    if (open_source(&bs, car, "get")) return IA_EXIT_FAIL;
    ia_cid c;
    char def[IA_CID_MAX_STRING];
    int rc = ia_store_resolve(bs, path, &c);
    if (!rc && !out) rc = ia_cid_format(&c, 0, def, sizeof def), out = def;
    if (!rc) rc = ia_store_get(bs, &c, out);
    ia_blockstore_close(bs);
    if (rc) return fail("get");
    fprintf(stderr, "Saved to %s\n", out);
    return IA_EXIT_OK;
}

/* ---- car ---- */

static void print_root(void *user, const ia_cid *root) {
    (void)user;
    printf("root ");
    print_cid(root, stdout);
    putchar('\n');
}

int ia_cmd_car(int argc, char **argv) {
    const char *sub = argc > 1 ? argv[1] : "";
    if (!strcmp(sub, "export")) {
        const char *cid = NULL, *out = NULL, *v;
        int ver = 1;
        for (int i = 2; i < argc; i++) {
            if ((v = opt_value(argc, argv, &i, "-o")) || (v = opt_value(argc, argv, &i, "--output"))) out = v;
            else if ((v = opt_value(argc, argv, &i, "--version"))) ver = atoi(v);
            else cid = argv[i];
        }
        if (!cid || (ver != 1 && ver != 2)) { fprintf(stderr, "usage: ipfs-accelerate car export CID [-o FILE] [--version 1|2]\n"); return IA_EXIT_USAGE; }
        ia_blockstore *bs;
        if (open_store(&bs, "car export")) return IA_EXIT_FAIL;
        ia_cid c;
        int rc = ia_store_resolve(bs, cid, &c);
        FILE *f = out ? fopen(out, "wb") : stdout;
        if (!f) rc = ia_set_error(IA_ERR_IO, "cannot create %s: %s", out, strerror(errno));
        if (!rc) rc = ia_car_export(bs, &c, ver, f);
        if (f && f != stdout && fclose(f) && !rc) rc = ia_set_error(IA_ERR_IO, "writing %s failed", out);
        if (f == stdout) fflush(stdout);
        if (rc && out) remove(out);
        ia_blockstore_close(bs);
        return rc ? fail("car export") : IA_EXIT_OK;
    }
    if (!strcmp(sub, "import") && argc > 2) {
        ia_blockstore *bs;
        if (open_store(&bs, "car import")) return IA_EXIT_FAIL;
        int rc = IA_OK;
        for (int i = 2; i < argc && !rc; i++) {
            size_t n = 0;
            rc = ia_car_import(bs, argv[i], print_root, NULL, &n);
            if (!rc) printf("imported %zu blocks from %s\n", n, argv[i]);
        }
        ia_blockstore_close(bs);
        return rc ? fail("car import") : IA_EXIT_OK;
    }
    if (!strcmp(sub, "inspect") && argc == 3) return ia_car_inspect(argv[2], stdout) ? fail("car inspect") : IA_EXIT_OK;
    fprintf(stderr, "usage: ipfs-accelerate car export CID [-o FILE] [--version 1|2]\n"
                    "       ipfs-accelerate car import FILE...\n"
                    "       ipfs-accelerate car inspect FILE\n");
    return IA_EXIT_USAGE;
}

/* ---- pin / gc / verify / repo ---- */

static int pin_print(void *user, const ia_cid *cid, int kind) {
    int want = *(int *)user;
    if (want && want != kind) return IA_OK;
    print_cid(cid, stdout);
    printf(" %s\n", kind == IA_PIN_RECURSIVE ? "recursive" : "direct");
    return IA_OK;
}

int ia_cmd_pin(int argc, char **argv) {
    const char *sub = argc > 1 ? argv[1] : "";
    int kind = IA_PIN_RECURSIVE, rc = IA_OK, want = 0;
    ia_blockstore *bs;
    if (!strcmp(sub, "ls")) {
        for (int i = 2; i < argc; i++) {
            const char *v;
            if ((v = opt_value(argc, argv, &i, "--type")) || (v = opt_value(argc, argv, &i, "-t")))
                want = !strcmp(v, "direct") ? IA_PIN_DIRECT : !strcmp(v, "recursive") ? IA_PIN_RECURSIVE : 0;
        }
        if (open_store(&bs, "pin ls")) return IA_EXIT_FAIL;
        rc = ia_pin_ls(bs, pin_print, &want);
        ia_blockstore_close(bs);
        return rc ? fail("pin ls") : IA_EXIT_OK;
    }
    if ((strcmp(sub, "add") && strcmp(sub, "rm")) || argc < 3) {
        fprintf(stderr, "usage: ipfs-accelerate pin add [--direct] CID...\n       ipfs-accelerate pin rm CID...\n"
                        "       ipfs-accelerate pin ls [--type=direct|recursive]\n");
        return IA_EXIT_USAGE;
    }
    if (open_store(&bs, "pin")) return IA_EXIT_FAIL;
    for (int i = 2; i < argc && !rc; i++) {
        if (!strcmp(argv[i], "--direct") || !strcmp(argv[i], "--recursive=false")) { kind = IA_PIN_DIRECT; continue; }
        if (!strcmp(argv[i], "-r") || !strcmp(argv[i], "--recursive")) continue;
        ia_cid c;
        rc = ia_store_resolve(bs, argv[i], &c);
        if (!rc) rc = !strcmp(sub, "add") ? ia_pin_add(bs, &c, kind) : ia_pin_rm(bs, &c);
        if (!rc) printf("%s ", !strcmp(sub, "add") ? "pinned" : "unpinned"), print_cid(&c, stdout), putchar('\n');
    }
    ia_blockstore_close(bs);
    return rc ? fail("pin") : IA_EXIT_OK;
}

int ia_cmd_gc(int argc, char **argv) {
    (void)argv;
    if (argc != 1) { fprintf(stderr, "usage: ipfs-accelerate gc\n"); return IA_EXIT_USAGE; }
    ia_blockstore *bs;
    if (open_store(&bs, "gc")) return IA_EXIT_FAIL;
    uint64_t nb = 0, bytes = 0;
    int rc = ia_store_gc(bs, &nb, &bytes);
    ia_blockstore_close(bs);
    if (rc) return fail("gc");
    printf("removed %" PRIu64 " blocks (%" PRIu64 " bytes)\n", nb, bytes);
    return IA_EXIT_OK;
}

static void verify_bad(void *user, const char *key, const char *what) {
    (void)user;
    printf("corrupted %s: %s\n", key, what);
}

int ia_cmd_verify(int argc, char **argv) {
    if (argc > 2) { fprintf(stderr, "usage: ipfs-accelerate verify [CID]\n"); return IA_EXIT_USAGE; }
    ia_blockstore *bs;
    if (open_store(&bs, "verify")) return IA_EXIT_FAIL;
    ia_cid c;
    int rc = argc == 2 ? ia_store_resolve(bs, argv[1], &c) : IA_OK;
    uint64_t n = 0;
    if (!rc) rc = ia_store_verify(bs, argc == 2 ? &c : NULL, verify_bad, NULL, &n);
    ia_blockstore_close(bs);
    if (rc == IA_ERR_PARSE) { printf("verified %" PRIu64 " blocks: corruption found\n", n); return IA_EXIT_FAIL; }
    if (rc) return fail("verify");
    printf("verified %" PRIu64 " blocks: all good\n", n);
    return IA_EXIT_OK;
}

typedef struct stat_acc { uint64_t n, bytes; } stat_acc;
static int stat_block(void *user, const ia_cid *c, uint64_t size) {
    stat_acc *a = user;
    (void)c;
    a->n++;
    a->bytes += size;
    return 0;
}

int ia_cmd_repo(int argc, char **argv) {
    if (argc != 2 || strcmp(argv[1], "stat")) { fprintf(stderr, "usage: ipfs-accelerate repo stat\n"); return IA_EXIT_USAGE; }
    ia_blockstore *bs;
    if (open_store(&bs, "repo stat")) return IA_EXIT_FAIL;
    stat_acc a = {0, 0};
    int rc = ia_blockstore_foreach(bs, stat_block, &a);
    int pins = 0;
    if (!rc) printf("RepoPath:   %s\nNumObjects: %" PRIu64 "\nRepoSize:   %" PRIu64 "\n", ia_blockstore_root(bs), a.n, a.bytes);
    (void)pins;
    ia_blockstore_close(bs);
    return rc ? fail("repo stat") : IA_EXIT_OK;
}
