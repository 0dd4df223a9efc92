/* Internals shared by the store's files: growable byte buffers, protobuf writing, SHA-256,
 * a CID set, dag-pb/UnixFS encoders and the blockstore's lock. */
#ifndef IA_STORE_INTERNAL_H
#define IA_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "ia/alloc.h"
#include "ia/store.h"

/* Growable byte buffer. */
typedef struct ia__buf {
    uint8_t *p;
    size_t len, cap;
} ia__buf;

int ia__buf_reserve(ia__buf *b, size_t extra);
int ia__buf_put(ia__buf *b, const void *data, size_t n);
int ia__buf_varint(ia__buf *b, uint64_t v);
/* protobuf: key (field << 3 | wire type) then a varint value, or a length-delimited value. */
int ia__pb_uint(ia__buf *b, uint32_t field, uint64_t v);
int ia__pb_bytes(ia__buf *b, uint32_t field, const void *data, size_t n);
void ia__buf_free(ia__buf *b);
size_t ia__varint_size(uint64_t v);

/* SHA-256 through OpenSSL (SHA-NI where the CPU has it). */
void ia__sha256(const void *data, size_t len, uint8_t out[32]);
void ia__sha256_2(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32]);

/* Checks that data hashes to cid's multihash. 1 = matches, 0 = not, <0 unsupported hash. */
int ia__cid_verify(const ia_cid *cid, const void *data, size_t len);
/* CID with a sha2-256 digest already computed. */
void ia__cid_set(ia_cid *cid, uint32_t version, uint64_t codec, const uint8_t digest[32]);
/* Bytes of the multihash (code, length, digest). */
size_t ia__multihash_bytes(const ia_cid *cid, uint8_t *out, size_t cap);

/* Open-addressing set of CIDs (keyed by codec + multihash). */
typedef struct ia__cidset {
    ia_cid *slots;
    uint8_t *used;
    size_t cap, count;
} ia__cidset;
/* Returns 1 if newly inserted, 0 if already present, <0 on error. */
int ia__cidset_add(ia__cidset *s, const ia_cid *cid);
int ia__cidset_has(const ia__cidset *s, const ia_cid *cid);
void ia__cidset_free(ia__cidset *s);

/* dag-pb encoding: links must already be sorted (the encoder checks). Name and Tsize are
 * written on every link, as kubo does. */
typedef struct ia__link_in {
    ia_cid cid;
    const char *name;
    size_t name_len;
    uint64_t tsize;
} ia__link_in;
int ia__dagpb_encode(ia__buf *out, const ia__link_in *links, size_t nlinks, const uint8_t *data, size_t data_len,
                     int has_data);
/* Encoded size of one link (for the HAMT block-size estimate). */
size_t ia__dagpb_link_size(const ia__link_in *l);
/* Sorts links bytewise by name. */
void ia__links_sort(ia__link_in *links, size_t n);

/* UnixFS Data messages. */
int ia__unixfs_encode(ia__buf *out, int type, const uint8_t *data, size_t data_len, int has_data, int has_filesize,
                      uint64_t filesize, const uint64_t *blocksizes, size_t nblocksizes, int has_hash_fanout,
                      uint64_t hash_type, uint64_t fanout);

/* UnixFS metadata (mode, field 7; mtime, field 8 = {Seconds int64, FractionalNanoseconds fixed32}). */
typedef struct ia__unixfs_meta {
    int given;               /* asked for (--preserve-*), even when nothing is written (a default mode) */
    int has_mode, has_mtime;
    uint32_t mode; /* permission bits (07777) */
    int64_t sec;
    uint32_t nsec; /* written only when not 0 */
} ia__unixfs_meta;
/* Appends fields 7 and 8 to an encoded UnixFS Data message (they come last); NULL writes nothing. */
int ia__unixfs_put_meta(ia__buf *out, const ia__unixfs_meta *m);

/* A HAMT-sharded directory over sorted links (meta, if any, goes on the root shard only). */
int ia__hamt_build(ia_blockstore *bs, uint32_t cid_version, ia__link_in *links, size_t n, uint32_t fanout,
                   const ia__unixfs_meta *meta, ia_cid *cid, uint64_t *tsize);

/* The bytes around a chunk in a dag-pb leaf as kubo writes it,
 * PBNode{Data: UnixFS{Type=File, Data=chunk (omitted when empty), filesize=len}}: the prefix
 * (at most 24 bytes) and suffix (at most 12). Returns the whole block's size. */
size_t ia__unixfs_leaf_frame(uint64_t len, uint8_t pre[24], size_t *np, uint8_t post[12], size_t *nq);

/* Store-wide lock (root/lock): shared for add and import, exclusive for gc. */
int ia__store_lock(ia_blockstore *bs, int exclusive);
void ia__store_unlock(ia_blockstore *bs);

/* A copy of this thread's last error message, safe to pass to ia_set_error (which would
 * otherwise read and write the same buffer). */
const char *ia__prev_error(void);

/* Bucket-to-name helper for HAMT link names. */
int ia__hamt_bits(uint64_t fanout);

#endif
