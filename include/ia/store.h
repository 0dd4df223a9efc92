/* The content-addressed store: CIDs and multiformats, the UnixFS importer (byte-compatible with
 * kubo and helia), an on-disk blockstore, reading files back (cat, ls, get), CAR, pins and gc. */
#ifndef IA_STORE_H
#define IA_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "ia/model.h"
#include "ia/session.h"
#include "ia/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- multiformats ---------------------------------------------------------------------- */

enum {
    IA_CODEC_RAW = 0x55,      /* raw bytes */
    IA_CODEC_DAG_PB = 0x70,   /* dag-pb (UnixFS) */
    IA_CODEC_DAG_CBOR = 0x71, /* dag-cbor (CAR headers) */
    IA_MH_IDENTITY = 0x00,    /* the digest is the data itself */
    IA_MH_SHA2_256 = 0x12,
    IA_MH_MURMUR3_X64_64 = 0x22
};

/* Largest digest accepted: sha2-256 has 32 bytes; identity multihashes are capped at 128
 * bytes (as kubo does) so a CID never inlines a large block. */
#define IA_CID_MAX_DIGEST 128
/* Largest binary CID: version + codec + mh code + digest length varints + digest. */
#define IA_CID_MAX_BYTES (4 * 10 + IA_CID_MAX_DIGEST)
/* Longest text form (base58 of the largest CID, plus prefix and NUL). */
#define IA_CID_MAX_STRING 256

typedef struct ia_cid {
    uint32_t version;    /* 0 or 1 */
    uint64_t codec;      /* IA_CODEC_*; always IA_CODEC_DAG_PB for version 0 */
    uint64_t mh_code;    /* IA_MH_SHA2_256 or IA_MH_IDENTITY */
    uint32_t digest_len; /* bytes used in digest */
    uint8_t digest[IA_CID_MAX_DIGEST];
} ia_cid;

/* Unsigned LEB128 varint as multiformats defines it: at most 9 bytes (63 bits), minimal
 * encoding only. encode writes at most 10 bytes and returns the count. decode returns IA_OK and
 * sets *used, or IA_ERR_PARSE for truncated, overlong or non-minimal input. */
IA_API size_t ia_varint_encode(uint64_t v, uint8_t out[10]);
IA_API int ia_varint_decode(const uint8_t *p, size_t len, uint64_t *v, size_t *used);

/* Multibase with a prefix character: 'b' base32 lower (no padding), 'z' base58btc, 'k' base36
 * lower, 'f' base16 lower. encode writes a NUL-terminated string (IA_ERR_LIMIT if it does not
 * fit). decode allocates *out (release with ia_free). Upper-case 'B' and 'K' are also read. */
IA_API int ia_multibase_encode(char base, const uint8_t *data, size_t len, char *out, size_t cap);
IA_API int ia_multibase_decode(const char *s, uint8_t **out, size_t *out_len);

/* Binary CID form. decode reads one CID at the start of p (a bare 34-byte `12 20 ..` multihash
 * is CIDv0) and sets *used; strict: unknown versions, non-minimal varints, digests of the
 * wrong length are errors. */
IA_API int ia_cid_decode(const uint8_t *p, size_t len, ia_cid *cid, size_t *used);
IA_API int ia_cid_encode(const ia_cid *cid, uint8_t *out, size_t cap, size_t *len);
/* Text form: CIDv0 `Qm...`, or CIDv1 with a multibase prefix (b, z, k, f, B, K). */
IA_API int ia_cid_parse(const char *s, ia_cid *cid);
/* base 0 = the default (base58btc without prefix for v0, base32 'b' for v1). CIDv0 can only be
 * written in base58btc; use ia_cid_to_v1 first for other bases. */
IA_API int ia_cid_format(const ia_cid *cid, char base, char *out, size_t cap);
/* CID of `data` under `codec`: sha2-256, version 0 (dag-pb only) or 1. */
IA_API int ia_cid_of(uint32_t version, uint64_t codec, const void *data, size_t len, ia_cid *cid);
IA_API int ia_cid_equal(const ia_cid *a, const ia_cid *b);
IA_API void ia_cid_to_v1(const ia_cid *in, ia_cid *out);
/* Name of a codec or multihash code ("dag-pb", "sha2-256"), or "unknown". */
IA_API const char *ia_codec_name(uint64_t code);
/* Writes a human description of a CID (version, base, codec, multihash) to `out`. */
IA_API int ia_cid_describe(const char *text, FILE *out);

/* ---- blockstore --------------------------------------------------------------------------- */

typedef struct ia_blockstore ia_blockstore;

/* The store's root directory: $IPFS_ACCELERATE_HOME, else $XDG_CACHE_HOME/ipfs-accelerate,
 * else $HOME/.cache/ipfs-accelerate. */
IA_API int ia_store_default_root(char *out, size_t cap);
/* Opens (creating if needed) the on-disk blockstore under `root` (NULL = the default root).
 * Blocks live in root/blocks/<shard>/<KEY>.data, KEY the base32 (upper, no padding) multihash
 * and shard its next-to-last two characters, as kubo's flatfs. Writes go to a temporary file,
 * are synced and renamed into place, so readers never see a partial block. */
IA_API int ia_blockstore_open(const char *root, ia_blockstore **out);
/* Opens a CARv2 file (with its index) as a read-only blockstore: each block is found by binary
 * search in the file's sorted multihash index and read at its offset, without scanning the payload,
 * and verified against its CID on every read. Reading (resolve, cat, ls, get, DAG walks) works as
 * on the on-disk store; writing, pins and gc are refused. CARv1 files and CARv2 files without an
 * index are refused with a message saying to import them instead. */
IA_API int ia_blockstore_open_car(const char *path, ia_blockstore **out);
IA_API void ia_blockstore_close(ia_blockstore *bs);
IA_API const char *ia_blockstore_root(const ia_blockstore *bs);
/* Stores a block; the caller vouches that `data` hashes to `cid` (the importer computes it).
 * Identity CIDs are never stored. Existing blocks are left as they are. */
IA_API int ia_blockstore_put(ia_blockstore *bs, const ia_cid *cid, const void *data, size_t len);
/* Reads and verifies a block (rehashes it; IA_ERR_PARSE naming the CID when corrupted,
 * IA_ERR_NOT_FOUND when missing). *data is released with ia_free. Identity CIDs return their
 * digest. */
IA_API int ia_blockstore_get(ia_blockstore *bs, const ia_cid *cid, uint8_t **data, size_t *len);
/* 1 if present, 0 if not (identity CIDs are always present). */
IA_API int ia_blockstore_has(ia_blockstore *bs, const ia_cid *cid);
IA_API int ia_blockstore_delete(ia_blockstore *bs, const ia_cid *cid);
/* Makes the blocks put since the last flush durable (one sync for many blocks). */
IA_API int ia_blockstore_flush(ia_blockstore *bs);
/* Removes temporary files left by processes that were killed: block writes that never reached
 * their rename (blocks/XY/.tmp-<pid>-<n>) and model-load directories (tmp/model-<pid>-*), only
 * those whose process is gone. *removed (optional) gets the count. ia_store_gc calls it. */
IA_API int ia_blockstore_clean_temp(ia_blockstore *bs, uint64_t *removed);
/* Calls fn for every stored block (as a CIDv1 raw over its multihash: the store is keyed by
 * multihash). Stops early when fn returns non-zero and returns that value. */
IA_API int ia_blockstore_foreach(ia_blockstore *bs, int (*fn)(void *user, const ia_cid *mh_cid, uint64_t size),
                                 void *user);

/* ---- import (add) ------------------------------------------------------------------------ */

typedef struct ia_add_options {
    uint32_t cid_version;       /* 0 or 1 */
    int raw_leaves;             /* leaves as raw blocks instead of UnixFS dag-pb nodes */
    size_t chunk_size;          /* fixed-size chunker, bytes (max 1 MiB... 2 MiB) */
    uint32_t max_links;         /* children per file node */
    int hidden;                 /* include names starting with '.' */
    int wrap;                   /* wrap the inputs in a directory */
    size_t hamt_threshold;      /* shard directories whose estimated size exceeds this (0 = never) */
    int hamt_block_estimate;    /* 1: estimate = encoded block bytes (unixfs-v1-2025); 0: links (sum of name + CID bytes) */
    uint32_t hamt_fanout;       /* 256 */
    int progress;               /* print a progress bar to stderr when it is a terminal */
    int pin;                    /* pin the root recursively (under the same lock as the add) */
    int preserve_mode;          /* write files' and directories' permission bits (UnixFS mode) */
    int preserve_mtime;         /* write their modification times (UnixFS mtime, with nanoseconds) */
    /* kubo's --mode / --mtime / --mtime-nsecs: these values for every file and directory added
     * (standard input included, the -w wrapper excepted) where the matching preserve flag is off */
    int has_mode_value;
    uint32_t mode_value;        /* permission bits, at most 07777 */
    int has_mtime_value;
    int64_t mtime_value;        /* seconds since the epoch (may be negative) */
    uint32_t mtime_nsec_value;  /* 0..999999999 */
    /* kubo's --trickle: the trickle file layout (max_links leaves per node, then 4 sub-trees of each
     * depth; dag-pb leaves are UnixFS Raw nodes as kubo writes them) instead of the balanced one */
    int trickle;
} ia_add_options;

/* Profiles: "unixfs-v0-2015" (kubo's default: CIDv0, dag-pb leaves, 256 KiB chunks, 174 links,
 * HAMT above 256 KiB estimated by links) and "unixfs-v1-2025" (CIDv1, raw leaves, 1 MiB chunks,
 * 1024 links, HAMT above 256 KiB of estimated block bytes). NULL = unixfs-v0-2015. */
IA_API int ia_add_options_init(ia_add_options *o, const char *profile);

/* Called for every file, directory and symlink added, inner entries before their parents. */
typedef void (*ia_add_entry_fn)(void *user, const char *path, const ia_cid *cid, uint64_t size);

/* Imports paths (files, directories recursively, symlinks) into `bs`, or only hashes when bs is
 * NULL. With several paths or o->wrap the root is a directory holding them; otherwise *root is
 * the single path's CID. Memory does not grow with file size. */
IA_API int ia_add_paths(ia_blockstore *bs, const char *const *paths, size_t npaths, const ia_add_options *o,
                        ia_add_entry_fn fn, void *user, ia_cid *root);
/* Imports one file read from fd until end of file (standard input for `add -`). `name` is what fn
 * reports and, with o->wrap, the entry's name in the wrapping directory; NULL = the file's CID
 * (as kubo names unnamed standard input). No mode or mtime is written (there is no file to stat). */
IA_API int ia_add_fd(ia_blockstore *bs, int fd, const char *name, const ia_add_options *o, ia_add_entry_fn fn,
                     void *user, ia_cid *root);
/* Imports one file's bytes from memory. */
IA_API int ia_add_bytes(ia_blockstore *bs, const void *data, size_t len, const ia_add_options *o, ia_cid *root);

/* ---- reading ------------------------------------------------------------------------------- */

/* Resolves "CID" or "CID/a/b" (also with a leading /ipfs/) through directories and HAMT
 * shards to the CID it names. */
IA_API int ia_store_resolve(ia_blockstore *bs, const char *path, ia_cid *out);
/* Writes bytes [offset, offset+length) of a file (length UINT64_MAX = to the end) through fn,
 * reading only the blocks that hold them; every block is verified. */
IA_API int ia_store_cat(ia_blockstore *bs, const ia_cid *cid, uint64_t offset, uint64_t length,
                        int (*fn)(void *user, const void *data, size_t len), void *user);
/* Size in bytes of the file (or raw block) at cid. */
IA_API int ia_store_file_size(ia_blockstore *bs, const ia_cid *cid, uint64_t *size);

enum { IA_ENTRY_FILE = 0, IA_ENTRY_DIR = 1, IA_ENTRY_SYMLINK = 2, IA_ENTRY_OTHER = 3 };
/* Lists a directory (plain or HAMT-sharded): fn gets each entry's name, CID, Tsize and type
 * (type is read from the child block only when that block is present; otherwise IA_ENTRY_OTHER). */
IA_API int ia_store_ls(ia_blockstore *bs, const ia_cid *cid,
                       int (*fn)(void *user, const char *name, const ia_cid *cid, uint64_t tsize, int type),
                       void *user);
/* Writes the file, directory tree or symlink at cid to `out_path` (which must not exist).
 * Entry names containing '/', NUL, or equal to "." or ".." are refused. */
IA_API int ia_store_get(ia_blockstore *bs, const ia_cid *cid, const char *out_path);

/* Calls fn for every block of the DAG under root in depth-first order, each block once
 * (verified). With missing_ok, absent blocks are reported with data NULL instead of failing. */
IA_API int ia_dag_walk(ia_blockstore *bs, const ia_cid *root, int missing_ok,
                       int (*fn)(void *user, const ia_cid *cid, const uint8_t *data, size_t len), void *user);

/* ---- CAR ---------------------------------------------------------------------------------- */

/* Writes the DAG under root as CARv1 (version 1) or CARv2 (version 2, with a sorted multihash
 * index) in DFS order without duplicates. */
IA_API int ia_car_export(ia_blockstore *bs, const ia_cid *root, int version, FILE *out);
/* Imports a CARv1 or CARv2 file: every block is checked against its CID first; on any mismatch
 * nothing is stored and the error names the CID. Roots are returned through fn if given. */
IA_API int ia_car_import(ia_blockstore *bs, const char *path, void (*root_fn)(void *user, const ia_cid *root),
                         void *user, size_t *nblocks);
/* Describes a CAR: version, roots, block count, codecs, whether every block verifies. */
IA_API int ia_car_inspect(const char *path, FILE *out);
/* Parses a CAR from memory, calling fn for each root (block NULL) and block; verifies blocks
 * when verify is set. Used by the importer, inspect and the fuzzer. */
IA_API int ia_car_read_buffer(const uint8_t *p, size_t len, int verify,
                              int (*fn)(void *user, const ia_cid *cid, const uint8_t *block, size_t blen, int is_root),
                              void *user, uint32_t *version);

/* ---- pins, gc, verify ----------------------------------------------------------------------- */

enum { IA_PIN_DIRECT = 1, IA_PIN_RECURSIVE = 2 };
IA_API int ia_pin_add(ia_blockstore *bs, const ia_cid *cid, int kind);
IA_API int ia_pin_rm(ia_blockstore *bs, const ia_cid *cid);
IA_API int ia_pin_ls(ia_blockstore *bs, int (*fn)(void *user, const ia_cid *cid, int kind), void *user);
/* Removes every block not reachable from a pin. Holds the store's exclusive lock (adds hold it
 * shared), so a concurrent add is never collected. */
IA_API int ia_store_gc(ia_blockstore *bs, uint64_t *removed_blocks, uint64_t *removed_bytes);
/* Rehashes every block (or only root's DAG when root is not NULL) and reports corrupted ones
 * through fn; returns IA_ERR_PARSE when any is corrupted. */
IA_API int ia_store_verify(ia_blockstore *bs, const ia_cid *root, void (*fn)(void *user, const char *key, const char *what),
                           void *user, uint64_t *checked);

/* ---- models from the store ------------------------------------------------------------------ */

/* 1 when `ref` is not an existing file system path and its first component (after an optional
 * /ipfs/) parses as a CID: "CID" or "CID/dir/model.onnx". */
IA_API int ia_store_is_ref(const char *ref);
/* Loads the ONNX model at "CID" (a file) or "CID/path" (a file inside a directory DAG) from bs
 * (NULL = the default store). External data files the model names are read from sibling entries
 * of the same directory DAG. Every block is verified. Each file becomes one buffer filled straight
 * from the blocks (a one-block raw file is used in place) and is mapped by the loader as a file
 * would be: no second copy. Errors name the missing CID or path. Holds the store lock shared. */
IA_API int ia_store_model_load(ia_blockstore *bs, const char *ref, ia_model **out);
/* ia_model_load for a file path, ia_store_model_load (default store) for a store reference. */
IA_API int ia_model_load_any(const char *path_or_ref, ia_model **out);
/* ia_session_create for a file path; for a store reference, ia_store_model_load (default store) and
 * ia_session_create_from_model, except that the blocks of external data files (raw leaves mapped in
 * place) are SHA-256-checked on other threads while the session is being built: the session is
 * returned only once every block matched its CID, otherwise it is destroyed and the error names the
 * corrupted block. (The model file itself is verified before it is parsed.) */
IA_API int ia_session_create_any(const char *path_or_ref, const ia_session_options *opts, ia_session **out);

/* ---- UnixFS / dag-pb codec (exposed for tests and tools) ------------------------------------- */

typedef struct ia_pb_link {
    ia_cid cid;
    const uint8_t *name; /* points into the decoded buffer; not NUL-terminated */
    size_t name_len;
    int has_name;
    uint64_t tsize;
    int has_tsize;
} ia_pb_link;

typedef struct ia_pb_node {
    ia_pb_link *links; /* ia_free(links) after use */
    size_t nlinks;
    const uint8_t *data; /* into the decoded buffer; NULL when absent */
    size_t data_len;
    int has_data;
} ia_pb_node;

/* Strict dag-pb decoding: fields in canonical order (links, then data), link fields in order
 * (Hash, Name, Tsize), no unknown fields, links sorted by name. */
IA_API int ia_dagpb_decode(const uint8_t *p, size_t len, ia_pb_node *node);

enum { IA_UNIXFS_RAW = 0, IA_UNIXFS_DIRECTORY = 1, IA_UNIXFS_FILE = 2, IA_UNIXFS_METADATA = 3,
       IA_UNIXFS_SYMLINK = 4, IA_UNIXFS_HAMT = 5 };

typedef struct ia_unixfs {
    int type;
    const uint8_t *data; /* into the decoded buffer */
    size_t data_len;
    int has_data;
    uint64_t filesize;
    int has_filesize;
    uint64_t *blocksizes; /* ia_free after use */
    size_t nblocksizes;
    uint64_t hash_type, fanout;
    int has_hash_type, has_fanout;
    uint32_t mode;
    int has_mode;
    int64_t mtime_sec;
    uint32_t mtime_nsec;
    int has_mtime;
} ia_unixfs;

IA_API int ia_unixfs_decode(const uint8_t *p, size_t len, ia_unixfs *u);

/* murmur3 x64 128 (seed 0), the first 64 bits big-endian: the HAMT hash of a name. */
IA_API uint64_t ia_murmur3_x64_64(const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
