/* Fault tests for the store: an add SIGKILLed midway (no visible partial block, a rerun completes
 * with the same root, gc removes its temporaries), and a full disk (a size-limited tmpfs in a user
 * namespace where the kernel allows one, and always RLIMIT_FSIZE in a child) leaving the store intact. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ipfs_accelerate.h"
#include "unit.h"

/* Counts visible block files (*.data) and temporaries (.tmp-*) under root/blocks. */
static void count_files(const char *root, size_t *blocks, size_t *tmps) {
    char b[4096];
    *blocks = *tmps = 0;
    snprintf(b, sizeof b, "%s/blocks", root);
    DIR *d = opendir(b);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strlen(e->d_name) != 2) continue;
        char s[4400];
        if (snprintf(s, sizeof s, "%s/%s", b, e->d_name) >= (int)sizeof s) continue;
        DIR *sd = opendir(s);
        if (!sd) continue;
        struct dirent *f;
        while ((f = readdir(sd))) {
            if (!strncmp(f->d_name, ".tmp-", 5)) (*tmps)++;
            else if (strstr(f->d_name, ".data")) (*blocks)++;
        }
        closedir(sd);
    }
    closedir(d);
}

static int write_file(const char *path, size_t size, unsigned seed) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        fputc((int)(x & 0xff), f);
    }
    return fclose(f);
}

static void rm_rf(const char *path) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", path, path);
    if (system(cmd)) { /* best effort */ }
}

/* The child's add reports each finished file through a pipe, and after the 12th it stops in the
 * callback for good: about 780 blocks of 16 KiB chunks are queued by then, so one batch has been
 * renamed into place and the next is written as temporaries, and the parent kills it there. */
typedef struct stall { int fd, n; } stall;
static void stall_fn(void *user, const char *path, const ia_cid *cid, uint64_t size) {
    stall *s = user;
    (void)path; (void)cid; (void)size;
    if (write(s->fd, "x", 1) != 1) _exit(3);
    if (++s->n == 12) for (;;) pause();
}

static int prepare_tree(const char *dir, int nfiles) {
    if (mkdir(dir, 0755)) return -1;
    for (int i = 0; i < nfiles; i++) {
        char p[4300];
        if (snprintf(p, sizeof p, "%s/f%02d.bin", dir, i) >= (int)sizeof p) return -1;
        if (write_file(p, 1 << 20, (unsigned)i + 1)) return -1;
    }
    return 0;
}

TEST(add_killed_midway) {
    char root[] = "/tmp/ia-store-fault-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char home[4200], tree[4200];
    snprintf(home, sizeof home, "%s/home", root);
    snprintf(tree, sizeof tree, "%s/tree", root);
    CHECK(prepare_tree(tree, 24) == 0);
    ia_add_options o;
    ia_add_options_init(&o, NULL);
    o.cid_version = 1;
    o.raw_leaves = 1;
    o.chunk_size = 16384;
    ia_cid expect;
    const char *paths[] = {tree};
    CHECK(ia_add_paths(NULL, paths, 1, &o, NULL, NULL, &expect) == IA_OK); /* hash only */

    int p[2];
    CHECK(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        ia_blockstore *bs;
        if (ia_blockstore_open(home, &bs)) _exit(2);
        stall s = {p[1], 0};
        ia_cid r;
        ia_add_paths(bs, paths, 1, &o, stall_fn, &s, &r);
        _exit(4); /* never reached: the callback stalls */
    }
    close(p[1]);
    char c;
    int seen = 0;
    while (seen < 12 && read(p[0], &c, 1) == 1) seen++;
    CHECK_MSG(seen == 12, "child reported %d files", seen);
    usleep(200 * 1000); /* let the writer thread finish the queued temporaries */
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    close(p[0]);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

    size_t nblocks, ntmp;
    count_files(home, &nblocks, &ntmp);
    printf("  killed add left %zu visible blocks and %zu temporaries\n", nblocks, ntmp);
    CHECK(nblocks >= 512); /* one batch renamed into place */
    CHECK(ntmp > 0);       /* the next batch still temporary: really killed midway */
    ia_blockstore *bs;
    CHECK(ia_blockstore_open(home, &bs) == IA_OK);
    uint64_t checked = 0;
    /* every visible block is complete and hashes to its name */
    CHECK_MSG(ia_store_verify(bs, NULL, NULL, NULL, &checked) == IA_OK, "%s", ia_last_error());
    CHECK(checked == nblocks);
    CHECK(!ia_blockstore_has(bs, &expect));
    /* the rerun completes with the same root */
    ia_cid root2;
    o.pin = 1;
    CHECK(ia_add_paths(bs, paths, 1, &o, NULL, NULL, &root2) == IA_OK);
    CHECK(ia_cid_equal(&root2, &expect));
    CHECK_MSG(ia_store_verify(bs, &expect, NULL, NULL, &checked) == IA_OK, "%s", ia_last_error());
    CHECK(checked == 24 * 65 + 1);
    /* gc removes the killed add's temporaries, keeps every pinned block */
    count_files(home, &nblocks, &ntmp);
    CHECK(ntmp > 0);
    uint64_t rb = 0, rbytes = 0;
    CHECK(ia_store_gc(bs, &rb, &rbytes) == IA_OK);
    size_t nb2, ntmp2;
    count_files(home, &nb2, &ntmp2);
    CHECK(ntmp2 == 0);
    CHECK(nb2 == nblocks && rb == 0);
    CHECK(ia_store_verify(bs, &expect, NULL, NULL, &checked) == IA_OK);
    ia_blockstore_close(bs);
    rm_rf(root);
}

/* In a child: the store at `home` already holds a pinned file; adding `big` must fail with a clear
 * message and leave the store as it was. Exit status 0 = all held; the message goes to stdout. */
static int full_disk_child(const char *home, const char *big, const ia_cid *kept, const char *want) {
    ia_blockstore *bs;
    if (ia_blockstore_open(home, &bs)) { printf("open: %s\n", ia_last_error()); return 10; }
    ia_add_options o;
    ia_add_options_init(&o, NULL);
    const char *paths[] = {big};
    ia_cid r;
    int rc = ia_add_paths(bs, paths, 1, &o, NULL, NULL, &r);
    printf("  add on a full store: %s\n", rc ? ia_last_error() : "succeeded");
    if (rc != IA_ERR_IO) return 11;
    if (!strstr(ia_last_error(), want) || !strstr(ia_last_error(), "the store is intact")) return 12;
    uint64_t checked;
    if (ia_store_verify(bs, NULL, NULL, NULL, &checked) != IA_OK) { printf("verify: %s\n", ia_last_error()); return 13; }
    if (ia_store_verify(bs, kept, NULL, NULL, &checked) != IA_OK) return 14;
    ia_blockstore_close(bs);
    size_t nb, nt;
    count_files(home, &nb, &nt);
    if (nt) { printf("  %zu temporaries left\n", nt); return 15; }
    fflush(stdout);
    return 0;
}

static void seed_store(const char *home, const char *small, ia_cid *kept) {
    ia_blockstore *bs;
    ia_add_options o;
    ia_add_options_init(&o, NULL);
    const char *paths[] = {small};
    if (ia_blockstore_open(home, &bs) || ia_add_paths(bs, paths, 1, &o, NULL, NULL, kept)) {
        fprintf(stderr, "seed: %s\n", ia_last_error());
        memset(kept, 0, sizeof *kept);
    }
    ia_blockstore_close(bs);
}

/* RLIMIT_FSIZE: the kernel refuses to grow any file past the limit (EFBIG, SIGXFSZ ignored). A
 * 256 KiB block cannot be written under a 100 KiB limit; small blocks still can. */
TEST(file_size_limit) {
    char root[] = "/tmp/ia-store-full-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char home[4200], big[4200], small[4200];
    snprintf(home, sizeof home, "%s/home", root);
    snprintf(big, sizeof big, "%s/big.bin", root);
    snprintf(small, sizeof small, "%s/small.bin", root);
    CHECK(write_file(big, 3 << 20, 7) == 0 && write_file(small, 5000, 9) == 0);
    ia_cid kept;
    seed_store(home, small, &kept);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {100 << 10, 100 << 10};
        if (setrlimit(RLIMIT_FSIZE, &rl)) _exit(9);
        _exit(full_disk_child(home, big, &kept, "File too large"));
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    rm_rf(root);
}

/* A real ENOSPC: a 2 MiB tmpfs mounted in a private user + mount namespace. Where the kernel or
 * the container does not allow unprivileged user namespaces this case says so and checks nothing
 * (the RLIMIT_FSIZE case above always runs). */
TEST(tmpfs_full) {
    char root[] = "/tmp/ia-store-tmpfs-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char mnt[4200], big[4200], small[4200];
    snprintf(mnt, sizeof mnt, "%s/mnt", root);
    snprintf(big, sizeof big, "%s/big.bin", root);
    snprintf(small, sizeof small, "%s/small.bin", root);
    CHECK(mkdir(mnt, 0755) == 0 && write_file(big, 4 << 20, 7) == 0 && write_file(small, 5000, 9) == 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        uid_t uid = getuid();
        gid_t gid = getgid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS)) _exit(77);
        char m[64];
        int fd = open("/proc/self/setgroups", O_WRONLY);
        if (fd >= 0) { if (write(fd, "deny", 4) < 0) { /* older kernels */ } close(fd); }
        fd = open("/proc/self/uid_map", O_WRONLY);
        int n = snprintf(m, sizeof m, "0 %u 1", (unsigned)uid);
        if (fd < 0 || write(fd, m, (size_t)n) != n) _exit(77);
        close(fd);
        fd = open("/proc/self/gid_map", O_WRONLY);
        n = snprintf(m, sizeof m, "0 %u 1", (unsigned)gid);
        if (fd < 0 || write(fd, m, (size_t)n) != n) _exit(77);
        close(fd);
        if (mount("none", mnt, "tmpfs", 0, "size=2m")) _exit(77);
        char home[4300];
        snprintf(home, sizeof home, "%s/home", mnt);
        ia_cid kept;
        seed_store(home, small, &kept);
        _exit(full_disk_child(home, big, &kept, "disk full"));
    }
    int st;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 77) printf("  not checked here: no unprivileged user namespace for a tmpfs\n");
    else CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    rm_rf(root);
}

UNIT_MAIN(CASE(add_killed_midway), CASE(file_size_limit), CASE(tmpfs_full))
