/* On-disk blockstore: one file per block, keyed by multihash and sharded like kubo's flatfs
 * (next-to-last/2). Writes go to a temporary file and are renamed into place after one batched
 * sync, so a reader (or an add killed midway) never sees a partial block. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sync_file_range */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "store/car/car_index.h"
#include "store/store_internal.h"

#define PENDING_MAX_COUNT 512
#define PENDING_MAX_BYTES (64u << 20)

typedef struct pending {
    char *tmp, *dst;
} pending;

/* A block waiting for the writer thread. */
typedef struct job {
    struct job *next;
    char *tmp;
    uint8_t *data;
    size_t len;
} job;

#define QUEUE_MAX_BYTES (16u << 20)
#define WRITERS 4

struct ia_blockstore {
    char *root;
    char *blocks; /* root/blocks */
    int lock_fd;
    int lock_depth;
    pending *pend;
    size_t npend, cap_pend;
    size_t pend_bytes;
    int renamed_unsynced; /* renames done since the last sync (made durable by the next one) */
    unsigned long seq;
    /* writer threads: file creation and writes overlap with hashing in the importer; several, as
     * creating a file waits on the filesystem's journal more than it uses a CPU */
    pthread_t writer[WRITERS];
    int writer_on, stopping, busy; /* writer_on: how many writers run; busy: how many hold a job */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *head, *tail;
    size_t queued_bytes;
    int werr;
    char werr_msg[512];
    ia__car_index *car; /* ia_blockstore_open_car: blocks read from a CARv2 file through its index */
};

static int write_tmp(const char *tmp, const struct iovec *iov, int niov, char *err, size_t errcap);

static void *writer_main(void *arg) {
    ia_blockstore *bs = arg;
    pthread_mutex_lock(&bs->mu);
    for (;;) {
        while (!bs->head && !bs->stopping) pthread_cond_wait(&bs->cv, &bs->mu);
        if (!bs->head) break;
        job *j = bs->head;
        bs->head = j->next;
        if (!bs->head) bs->tail = NULL;
        bs->busy++;
        int failed_before = bs->werr;
        pthread_mutex_unlock(&bs->mu);
        char err[512];
        int rc = IA_OK;
        if (!failed_before) {
            struct iovec v = {j->data, j->len};
            rc = write_tmp(j->tmp, &v, 1, err, sizeof err);
        }
        pthread_mutex_lock(&bs->mu);
        if (rc && !bs->werr) {
            bs->werr = rc;
            snprintf(bs->werr_msg, sizeof bs->werr_msg, "%s", err);
        }
        bs->queued_bytes -= j->len;
        bs->busy--;
        pthread_cond_broadcast(&bs->cv);
        ia_free(j->data);
        ia_free(j->tmp);
        ia_free(j);
    }
    pthread_mutex_unlock(&bs->mu);
    return NULL;
}

/* Waits until the writer has written every queued block; returns its first error. */
static int writer_drain(ia_blockstore *bs) {
    if (!bs->writer_on) return IA_OK;
    pthread_mutex_lock(&bs->mu);
    while (bs->head || bs->busy) pthread_cond_wait(&bs->cv, &bs->mu);
    int rc = bs->werr;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", bs->werr_msg);
    bs->werr = 0;
    pthread_mutex_unlock(&bs->mu);
    return rc ? ia_set_error(rc, "%s", msg) : IA_OK;
}

int ia_store_default_root(char *out, size_t cap) {
    const char *h = getenv("IPFS_ACCELERATE_HOME");
    int n;
    if (h && h[0]) n = snprintf(out, cap, "%s", h);
    else if ((h = getenv("XDG_CACHE_HOME")) && h[0]) n = snprintf(out, cap, "%s/ipfs-accelerate", h);
    else if ((h = getenv("HOME")) && h[0]) n = snprintf(out, cap, "%s/.cache/ipfs-accelerate", h);
    else return ia_set_error(IA_ERR_INVALID_ARG, "no store directory: set IPFS_ACCELERATE_HOME (or HOME)");
    if (n < 0 || (size_t)n >= cap) return ia_set_error(IA_ERR_LIMIT, "store path too long");
    return IA_OK;
}

static int mkdir_p(const char *path) {
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) return ia_set_error(IA_ERR_LIMIT, "path too long: %s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0755) && errno != EEXIST) return ia_set_error(IA_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0755) && errno != EEXIST) return ia_set_error(IA_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
    return IA_OK;
}

/* A new store gets its 1024 shard directories and flatfs's SHARDING file up front, so adds
 * never pay for directory creation. */
static int init_shards(const char *blocks) {
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s/SHARDING", blocks) >= (int)sizeof p) return ia_set_error(IA_ERR_LIMIT, "store path too long");
    if (access(p, F_OK) == 0) return IA_OK;
    static const char B32U[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    for (int i = 0; i < 32; i++)
        for (int j = 0; j < 32; j++) {
            char d[PATH_MAX];
            if (snprintf(d, sizeof d, "%s/%c%c", blocks, B32U[i], B32U[j]) >= (int)sizeof d) return ia_set_error(IA_ERR_LIMIT, "store path too long");
            if (mkdir(d, 0755) && errno != EEXIST) return ia_set_error(IA_ERR_IO, "cannot create %s: %s", d, strerror(errno));
        }
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", p, (long)getpid()) >= (int)sizeof tmp) return ia_set_error(IA_ERR_LIMIT, "store path too long");
    FILE *f = fopen(tmp, "w");
    if (!f) return ia_set_error(IA_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
    int bad = fputs("/repo/flatfs/shard/v1/next-to-last/2\n", f) < 0;
    if (fclose(f) || bad || rename(tmp, p)) { unlink(tmp); return ia_set_error(IA_ERR_IO, "cannot create %s", p); }
    return IA_OK;
}

int ia_blockstore_open(const char *root, ia_blockstore **out) {
    char def[PATH_MAX];
    int rc;
    *out = NULL;
    if (!root) {
        if ((rc = ia_store_default_root(def, sizeof def))) return rc;
        root = def;
    }
    ia_blockstore *bs = ia_calloc(1, sizeof *bs);
    if (!bs) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    bs->lock_fd = -1;
    size_t n = strlen(root) + 16;
    bs->root = ia_strdup(root);
    bs->blocks = ia_malloc(n);
    if (!bs->root || !bs->blocks) { ia_blockstore_close(bs); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
    snprintf(bs->blocks, n, "%s/blocks", root);
    if ((rc = mkdir_p(bs->blocks)) || (rc = init_shards(bs->blocks))) { ia_blockstore_close(bs); return rc; }
    char lp[PATH_MAX];
    if (snprintf(lp, sizeof lp, "%s/lock", root) >= (int)sizeof lp) {
        ia_blockstore_close(bs);
        return ia_set_error(IA_ERR_LIMIT, "store path too long");
    }
    bs->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (bs->lock_fd < 0) {
        rc = ia_set_error(IA_ERR_IO, "cannot open %s: %s", lp, strerror(errno));
        ia_blockstore_close(bs);
        return rc;
    }
    *out = bs;
    return IA_OK;
}

int ia_blockstore_open_car(const char *path, ia_blockstore **out) {
    *out = NULL;
    ia_blockstore *bs = ia_calloc(1, sizeof *bs);
    if (!bs) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    bs->lock_fd = -1;
    int rc = ia__car_index_open(path, &bs->car);
    if (!rc && !(bs->root = ia_strdup(path))) rc = ia_set_error(IA_ERR_NOMEM, "out of memory");
    if (rc) { ia_blockstore_close(bs); return rc; }
    *out = bs;
    return IA_OK;
}

static int car_read_only(const ia_blockstore *bs) {
    return ia_set_error(IA_ERR_UNSUPPORTED, "%s is a CAR file opened read-only (import it with car import to change it)", bs->root);
}

const char *ia_blockstore_root(const ia_blockstore *bs) { return bs->root; }

void ia_blockstore_close(ia_blockstore *bs) {
    if (!bs) return;
    ia_blockstore_flush(bs);
    if (bs->writer_on) {
        pthread_mutex_lock(&bs->mu);
        bs->stopping = 1;
        pthread_cond_broadcast(&bs->cv);
        pthread_mutex_unlock(&bs->mu);
        for (int i = 0; i < bs->writer_on; i++) pthread_join(bs->writer[i], NULL);
        pthread_mutex_destroy(&bs->mu);
        pthread_cond_destroy(&bs->cv);
    }
    if (bs->lock_fd >= 0) close(bs->lock_fd);
    ia__car_index_close(bs->car);
    ia_free(bs->pend);
    ia_free(bs->root);
    ia_free(bs->blocks);
    ia_free(bs);
}

int ia__store_lock(ia_blockstore *bs, int exclusive) {
    if (bs->car) return IA_OK; /* a read-only file: nothing to coordinate */
    if (bs->lock_depth++ > 0) return IA_OK;
    while (flock(bs->lock_fd, exclusive ? LOCK_EX : LOCK_SH)) {
        if (errno == EINTR) continue;
        bs->lock_depth--;
        return ia_set_error(IA_ERR_IO, "cannot lock the store: %s", strerror(errno));
    }
    return IA_OK;
}

void ia__store_unlock(ia_blockstore *bs) {
    if (bs->car) return;
    if (bs->lock_depth > 0 && --bs->lock_depth == 0) flock(bs->lock_fd, LOCK_UN);
}

/* flatfs key: base32 upper without padding of the multihash bytes. */
static int block_key(const ia_cid *cid, char *key, size_t cap) {
    uint8_t mh[IA_CID_MAX_BYTES];
    size_t n = ia__multihash_bytes(cid, mh, sizeof mh);
    char tmp[IA_CID_MAX_STRING + 8];
    if (!n || ia_multibase_encode('b', mh, n, tmp, sizeof tmp)) return ia_set_error(IA_ERR_LIMIT, "block key too long");
    size_t k = strlen(tmp + 1);
    if (k + 1 > cap) return ia_set_error(IA_ERR_LIMIT, "block key too long");
    for (size_t i = 0; i <= k; i++) {
        char c = tmp[1 + i];
        key[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    return IA_OK;
}

static int block_path(ia_blockstore *bs, const ia_cid *cid, char *dir, size_t dcap, char *path, size_t pcap) {
    if (bs->car) return car_read_only(bs);
    char key[IA_CID_MAX_STRING + 8];
    int rc = block_key(cid, key, sizeof key);
    if (rc) return rc;
    size_t k = strlen(key);
    if (snprintf(dir, dcap, "%s/%.2s", bs->blocks, key + k - 3) >= (int)dcap ||
        snprintf(path, pcap, "%s/%s.data", dir, key) >= (int)pcap)
        return ia_set_error(IA_ERR_LIMIT, "block path too long");
    return IA_OK;
}

/* Makes a batch durable: its temporary files are synced (one filesystem sync for the whole batch,
 * whose writeback the writer already started file by file), then renamed into place. The renames
 * themselves are synced at once when `final` (before anything, e.g. a pin, may rely on them), else
 * by the next batch's sync: a crash in between can lose renames of blocks whose bytes are durable
 * (a rerun writes them again), never expose a partial block. */
static int flush_batch(ia_blockstore *bs, int final) {
    if (!bs->npend && !(final && bs->renamed_unsynced)) return IA_OK;
    int rc = bs->npend ? writer_drain(bs) : IA_OK;
    int dfd = open(bs->blocks, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!rc && dfd >= 0 && bs->npend && syncfs(dfd)) rc = ia_set_error(IA_ERR_IO, "sync of %s failed: %s", bs->blocks, strerror(errno));
    if (!rc && bs->npend) bs->renamed_unsynced = 0; /* that sync covered the previous batch's renames */
    for (size_t i = 0; i < bs->npend; i++) {
        if (!rc && rename(bs->pend[i].tmp, bs->pend[i].dst))
            rc = ia_set_error(IA_ERR_IO, "cannot rename %s: %s", bs->pend[i].tmp, strerror(errno));
        else if (!rc) bs->renamed_unsynced = 1;
        if (rc) unlink(bs->pend[i].tmp);
        ia_free(bs->pend[i].tmp);
        ia_free(bs->pend[i].dst);
    }
    if (final && dfd >= 0 && !rc && bs->renamed_unsynced) {
        if (syncfs(dfd)) rc = ia_set_error(IA_ERR_IO, "sync of %s failed: %s", bs->blocks, strerror(errno));
        else bs->renamed_unsynced = 0;
    }
    if (dfd >= 0) close(dfd);
    bs->npend = 0;
    bs->pend_bytes = 0;
    return rc;
}

int ia_blockstore_flush(ia_blockstore *bs) { return flush_batch(bs, 1); }

/* Writes a temporary block file (creating its shard directory if needed); on failure removes it
 * and describes the error in err. Runs on the writer thread, so it does not touch ia_set_error. */
static int write_tmp(const char *tmp, const struct iovec *iov, int niov, char *err, size_t errcap) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0 && errno == ENOENT) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", tmp);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0;
        if (mkdir(dir, 0755) && errno != EEXIST) {
            snprintf(err, errcap, "cannot create %.300s: %s", dir, strerror(errno));
            return IA_ERR_IO;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    }
    if (fd < 0) {
        snprintf(err, errcap, "cannot create %.300s: %s", tmp, strerror(errno));
        return IA_ERR_IO;
    }
    size_t left = 0;
    for (int i = 0; i < niov; i++) left += iov[i].iov_len;
    struct iovec v[4];
    if (niov > 4) niov = 4;
    memcpy(v, iov, sizeof v[0] * (size_t)niov);
    int vi = 0, rc = IA_OK;
    while (left) {
        ssize_t w = writev(fd, v + vi, niov - vi);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            snprintf(err, errcap, "writing block to %.300s failed: %s%s", tmp, strerror(e),
                     e == ENOSPC || e == EDQUOT ? " (disk full; the store is intact)"
                     : e == EFBIG ? " (file size limit reached; the store is intact)" : "");
            rc = IA_ERR_IO;
            break;
        }
        left -= (size_t)w;
        while (w > 0 && vi < niov) {
            if ((size_t)w >= v[vi].iov_len) { w -= (ssize_t)v[vi].iov_len; vi++; }
            else { v[vi].iov_base = (char *)v[vi].iov_base + w; v[vi].iov_len -= (size_t)w; w = 0; }
        }
    }
    /* start writing it back now, so that the batch's sync finds most of its bytes on disk already
     * (the disk works while the importer hashes); no wait here, and no error if unsupported */
    if (!rc) (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    if (close(fd) && !rc) {
        snprintf(err, errcap, "closing %.300s failed: %s", tmp, strerror(errno));
        rc = IA_ERR_IO;
    }
    if (rc) unlink(tmp);
    return rc;
}

int ia__blockstore_putv(ia_blockstore *bs, const ia_cid *cid, const struct iovec *iov, int niov);
int ia__blockstore_putv(ia_blockstore *bs, const ia_cid *cid, const struct iovec *iov, int niov) {
    if (cid->mh_code == IA_MH_IDENTITY) return IA_OK;
    char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX];
    int rc = block_path(bs, cid, dir, sizeof dir, path, sizeof path);
    if (rc) return rc;
    if (access(path, F_OK) == 0) return IA_OK;
    for (size_t i = 0; i < bs->npend; i++)
        if (!strcmp(bs->pend[i].dst, path)) return IA_OK;
    if (snprintf(tmp, sizeof tmp, "%s/.tmp-%ld-%lu", dir, (long)getpid(), bs->seq++) >= (int)sizeof tmp)
        return ia_set_error(IA_ERR_LIMIT, "block path too long");
    size_t total = 0;
    for (int i = 0; i < niov; i++) total += iov[i].iov_len;
    if (!bs->writer_on && !bs->werr) {
        pthread_mutex_init(&bs->mu, NULL);
        pthread_cond_init(&bs->cv, NULL);
        while (bs->writer_on < WRITERS && pthread_create(&bs->writer[bs->writer_on], NULL, writer_main, bs) == 0) bs->writer_on++;
        if (!bs->writer_on) { pthread_mutex_destroy(&bs->mu); pthread_cond_destroy(&bs->cv); bs->werr = -1; /* stay synchronous */ }
    }
    if (bs->writer_on) {
        job *j = ia_calloc(1, sizeof *j);
        uint8_t *copy = ia_malloc(total ? total : 1);
        char *t = ia_strdup(tmp);
        if (!j || !copy || !t) { ia_free(j); ia_free(copy); ia_free(t); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
        size_t o = 0;
        for (int i = 0; i < niov; i++) { if (iov[i].iov_len) memcpy(copy + o, iov[i].iov_base, iov[i].iov_len); o += iov[i].iov_len; }
        j->tmp = t;
        j->data = copy;
        j->len = total;
        pthread_mutex_lock(&bs->mu);
        while (bs->queued_bytes > QUEUE_MAX_BYTES) pthread_cond_wait(&bs->cv, &bs->mu);
        if (bs->tail) bs->tail->next = j; else bs->head = j;
        bs->tail = j;
        bs->queued_bytes += total;
        pthread_cond_broadcast(&bs->cv);
        pthread_mutex_unlock(&bs->mu);
    } else {
        char err[512];
        if ((rc = write_tmp(tmp, iov, niov, err, sizeof err))) return ia_set_error(rc, "%s", err);
    }
    if (bs->npend == bs->cap_pend) {
        size_t ncap = bs->cap_pend ? bs->cap_pend * 2 : 64;
        pending *np = ia_realloc(bs->pend, ncap * sizeof *np);
        if (!np) { unlink(tmp); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
        bs->pend = np;
        bs->cap_pend = ncap;
    }
    bs->pend[bs->npend].tmp = ia_strdup(tmp);
    bs->pend[bs->npend].dst = ia_strdup(path);
    if (!bs->pend[bs->npend].tmp || !bs->pend[bs->npend].dst) {
        ia_free(bs->pend[bs->npend].tmp);
        ia_free(bs->pend[bs->npend].dst);
        unlink(tmp);
        return ia_set_error(IA_ERR_NOMEM, "out of memory");
    }
    bs->npend++;
    bs->pend_bytes += total;
    if (bs->npend >= PENDING_MAX_COUNT || bs->pend_bytes >= PENDING_MAX_BYTES) return flush_batch(bs, 0);
    return IA_OK;
}

int ia_blockstore_put(ia_blockstore *bs, const ia_cid *cid, const void *data, size_t len) {
    struct iovec v = {(void *)data, len};
    return ia__blockstore_putv(bs, cid, &v, 1);
}

static int read_file(const char *path, uint8_t **data, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? IA_ERR_NOT_FOUND : ia_set_error(IA_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st)) { close(fd); return ia_set_error(IA_ERR_IO, "cannot stat %s", path); }
    if (st.st_size > (64 << 20)) { close(fd); return ia_set_error(IA_ERR_LIMIT, "block %s is larger than 64 MiB", path); }
    size_t n = (size_t)st.st_size;
    uint8_t *b = ia_malloc(n ? n : 1);
    if (!b) { close(fd); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { ia_free(b); close(fd); return ia_set_error(IA_ERR_IO, "reading %s failed", path); }
        got += (size_t)r;
    }
    close(fd);
    *data = b;
    *len = n;
    return IA_OK;
}

int ia_blockstore_get(ia_blockstore *bs, const ia_cid *cid, uint8_t **data, size_t *len) {
    char cs[IA_CID_MAX_STRING];
    if (ia_cid_format(cid, 0, cs, sizeof cs)) snprintf(cs, sizeof cs, "(unprintable CID)");
    if (cid->mh_code == IA_MH_IDENTITY) {
        uint8_t *b = ia_malloc(cid->digest_len ? cid->digest_len : 1);
        if (!b) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        memcpy(b, cid->digest, cid->digest_len);
        *data = b;
        *len = cid->digest_len;
        return IA_OK;
    }
    if (bs->car) {
        const uint8_t *p;
        size_t n;
        int rc = ia__car_index_get(bs->car, cid, &p, &n);
        if (rc) return rc;
        uint8_t *b = ia_malloc(n ? n : 1);
        if (!b) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        if (n) memcpy(b, p, n);
        *data = b;
        *len = n;
        return IA_OK;
    }
    char dir[PATH_MAX], path[PATH_MAX];
    int rc = block_path(bs, cid, dir, sizeof dir, path, sizeof path);
    if (rc) return rc;
    rc = read_file(path, data, len);
    if (rc == IA_ERR_NOT_FOUND) {
        for (size_t i = 0; i < bs->npend; i++)
            if (!strcmp(bs->pend[i].dst, path)) {
                if ((rc = ia_blockstore_flush(bs))) return rc; /* written and renamed: read it in place */
                rc = read_file(path, data, len);
                break;
            }
        if (rc == IA_ERR_NOT_FOUND) return ia_set_error(IA_ERR_NOT_FOUND, "block %s is not in the store", cs);
    }
    if (rc) return rc;
    int ok = ia__cid_verify(cid, *data, *len);
    if (ok != 1) {
        ia_free(*data);
        *data = NULL;
        if (ok < 0) return ok;
        return ia_set_error(IA_ERR_PARSE, "block %s is corrupted (its bytes do not hash to its CID): %s", cs, path);
    }
    return IA_OK;
}

int ia_blockstore_has(ia_blockstore *bs, const ia_cid *cid) {
    if (cid->mh_code == IA_MH_IDENTITY) return 1;
    if (bs->car) return ia__car_index_has(bs->car, cid);
    char dir[PATH_MAX], path[PATH_MAX];
    if (block_path(bs, cid, dir, sizeof dir, path, sizeof path)) return 0;
    if (access(path, F_OK) == 0) return 1;
    for (size_t i = 0; i < bs->npend; i++)
        if (!strcmp(bs->pend[i].dst, path)) return 1;
    return 0;
}

int ia_blockstore_delete(ia_blockstore *bs, const ia_cid *cid) {
    if (cid->mh_code == IA_MH_IDENTITY) return IA_OK;
    char dir[PATH_MAX], path[PATH_MAX];
    int rc = block_path(bs, cid, dir, sizeof dir, path, sizeof path);
    if (rc) return rc;
    if (unlink(path) && errno != ENOENT) return ia_set_error(IA_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
    return IA_OK;
}

/* Decodes a flatfs key back to a multihash, as a CIDv1 raw. */
static int key_to_cid(const char *name, ia_cid *cid) {
    size_t n = strlen(name);
    if (n < 6 || strcmp(name + n - 5, ".data") || n - 5 > IA_CID_MAX_STRING) return IA_ERR_PARSE;
    char s[IA_CID_MAX_STRING + 2];
    s[0] = 'B';
    memcpy(s + 1, name, n - 5);
    s[n - 4] = 0;
    uint8_t *mh;
    size_t mlen;
    if (ia_multibase_decode(s, &mh, &mlen)) return IA_ERR_PARSE;
    uint8_t buf[IA_CID_MAX_BYTES + 4];
    size_t used;
    int rc = IA_ERR_PARSE;
    if (mlen + 2 <= sizeof buf) {
        buf[0] = 1;
        buf[1] = IA_CODEC_RAW;
        memcpy(buf + 2, mh, mlen);
        rc = ia_cid_decode(buf, mlen + 2, cid, &used);
        if (!rc && used != mlen + 2) rc = IA_ERR_PARSE;
    }
    ia_free(mh);
    return rc;
}

int ia__blockstore_block_path(ia_blockstore *bs, const ia_cid *cid, char *path, size_t cap);
int ia__blockstore_block_path(ia_blockstore *bs, const ia_cid *cid, char *path, size_t cap) {
    char dir[PATH_MAX];
    return block_path(bs, cid, dir, sizeof dir, path, cap);
}

int ia_blockstore_foreach(ia_blockstore *bs, int (*fn)(void *user, const ia_cid *mh_cid, uint64_t size), void *user) {
    if (bs->car) return car_read_only(bs);
    DIR *d = opendir(bs->blocks);
    if (!d) return ia_set_error(IA_ERR_IO, "cannot read %s: %s", bs->blocks, strerror(errno));
    struct dirent *e;
    int rc = IA_OK;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.' || strlen(e->d_name) != 2) continue;
        char sub[PATH_MAX];
        if (snprintf(sub, sizeof sub, "%s/%s", bs->blocks, e->d_name) >= (int)sizeof sub) continue;
        DIR *s = opendir(sub);
        if (!s) continue;
        struct dirent *f;
        while (!rc && (f = readdir(s))) {
            if (f->d_name[0] == '.') continue;
            ia_cid c;
            if (key_to_cid(f->d_name, &c)) continue;
            char p[PATH_MAX];
            struct stat st;
            if (snprintf(p, sizeof p, "%s/%s", sub, f->d_name) >= (int)sizeof p || stat(p, &st)) continue;
            rc = fn(user, &c, (uint64_t)st.st_size);
        }
        closedir(s);
    }
    closedir(d);
    return rc;
}

/* pid named in a temporary name "<prefix><pid>-..." is gone (or the name carries none). */
static int owner_dead(const char *after_prefix) {
    char *end;
    long pid = strtol(after_prefix, &end, 10);
    if (end == after_prefix || *end != '-' || pid <= 0) return 1;
    if (pid == (long)getpid()) return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Removes a model-load directory: it only ever holds symlinks and sub-directories. */
static int remove_tree(const char *path, uint64_t *removed) {
    DIR *d = opendir(path);
    if (!d) return unlink(path) == 0 ? ((*removed)++, 0) : -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", path, e->d_name) >= (int)sizeof p) continue;
        struct stat st;
        if (lstat(p, &st)) continue;
        if (S_ISDIR(st.st_mode)) remove_tree(p, removed);
        else if (unlink(p) == 0) (*removed)++;
    }
    closedir(d);
    return rmdir(path);
}

int ia_blockstore_clean_temp(ia_blockstore *bs, uint64_t *removed) {
    if (bs->car) return car_read_only(bs);
    uint64_t n = 0;
    DIR *d = opendir(bs->blocks);
    if (!d) return ia_set_error(IA_ERR_IO, "cannot read %s: %s", bs->blocks, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strlen(e->d_name) != 2) continue;
        char sub[PATH_MAX];
        if (snprintf(sub, sizeof sub, "%s/%s", bs->blocks, e->d_name) >= (int)sizeof sub) continue;
        DIR *s = opendir(sub);
        if (!s) continue;
        struct dirent *f;
        while ((f = readdir(s))) {
            /* ".tmp-<pid>-<n>": a block write that never reached its rename */
            if (strncmp(f->d_name, ".tmp-", 5) || !owner_dead(f->d_name + 5)) continue;
            char p[PATH_MAX];
            if (snprintf(p, sizeof p, "%s/%s", sub, f->d_name) < (int)sizeof p && unlink(p) == 0) n++;
        }
        closedir(s);
    }
    closedir(d);
    /* root/tmp/model-<pid>-XXXXXX: directories of model loads that were killed */
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s/tmp", bs->root) < (int)sizeof tmp && (d = opendir(tmp))) {
        while ((e = readdir(d))) {
            if (strncmp(e->d_name, "model-", 6) || !owner_dead(e->d_name + 6)) continue;
            char p[PATH_MAX];
            if (snprintf(p, sizeof p, "%s/%s", tmp, e->d_name) < (int)sizeof p && remove_tree(p, &n) == 0) n++;
        }
        closedir(d);
    }
    if (removed) *removed = n;
    return IA_OK;
}
