/* Model folder sources: a model folder (transformers.js layout) read the same way whether it is a
 * file system folder or a directory in the content store, for every text pipeline. */
#ifndef IA_MODEL_DIR_H
#define IA_MODEL_DIR_H

#include <stddef.h>
#include "ia/model.h"
#include "ia/session.h"
#include "ia/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A model folder source. Every text pipeline (tokenizer loading, the encoder tasks, generation
 * settings, decoders and encoder-decoders) reads its files through one, so a model folder given as
 * a path or as a CID behaves the same way and gives the same messages:
 *  - small files (config.json, tokenizer.json, ...) are read whole: from the file system, or from
 *    the store's blocks, every block verified against its CID (a corrupted one is named);
 *  - ONNX files are loaded with ia_model_load (a path) or ia_store_model_load (a store directory:
 *    the blocks are read in place into the buffer the loader maps, external data from sibling
 *    entries): the model bytes are never copied a second time. */
typedef struct ia_model_dir ia_model_dir;

/* Opens `ref`:
 *  - an existing file system path: a folder, or a file (then the folder is the file's parent and
 *    the file is the source's target, see ia_model_dir_target);
 *  - otherwise a store reference in the default store ($IPFS_ACCELERATE_HOME ...): "CID",
 *    "CID/sub/path", "/ipfs/CID[/path]" or "ipfs://CID[/path]", naming a directory, or a file
 *    (its target; the folder is its parent directory in the DAG, none for a bare file CID).
 * Errors: IA_ERR_IO "cannot open" for a path that does not exist and is not a CID; IA_ERR_NOT_FOUND
 * when the CID's blocks are not in the store (the message says how to add them) or the path names
 * no entry; IA_ERR_PARSE when a block on the way is corrupted (naming it). */
IA_API int ia_model_dir_open(const char *ref, ia_model_dir **out);
IA_API void ia_model_dir_close(ia_model_dir *d);

/* The folder as given, for messages: the path (without trailing '/'), or "CID/sub/path" (without
 * the /ipfs/ or ipfs:// prefix; a bare file CID names itself). */
IA_API const char *ia_model_dir_name(const ia_model_dir *d);
/* 1 when the source is in the content store. */
IA_API int ia_model_dir_is_store(const ia_model_dir *d);
/* When `ref` named a file rather than a folder: that file's name relative to the folder (pass it
 * to the functions below); NULL for a folder. */
IA_API const char *ia_model_dir_target(const ia_model_dir *d);

/* 1 when `rel` (a '/'-separated path inside the folder) is a regular file, 0 when it is absent or
 * not a file; a negative IA_ERR_* when the store cannot answer (a block missing or corrupted: the
 * message names it), which callers must pass on rather than treat as absent. */
IA_API int ia_model_dir_has(ia_model_dir *d, const char *rel);
/* The first of cands[0..n) that is a file: *found (points into cands) and IA_OK; IA_ERR_NOT_FOUND
 * (no message set: the caller words it) when none is; another negative code as ia_model_dir_has. */
IA_API int ia_model_dir_find(ia_model_dir *d, const char *const *cands, size_t n, const char **found);
/* Reads `rel` whole into *data (NUL-terminated; ia_free) and *len. More than `max` bytes is
 * IA_ERR_LIMIT; a missing file is IA_ERR_NOT_FOUND "NAME: no REL"; store blocks are verified. */
IA_API int ia_model_dir_read(ia_model_dir *d, const char *rel, size_t max, char **data, size_t *len);
/* "NAME/rel" (or NAME alone for a bare file CID's target): the path or store reference of a file,
 * as ia_model_session_create and messages take it. IA_ERR_LIMIT when it does not fit. */
IA_API int ia_model_dir_path(const ia_model_dir *d, const char *rel, char *out, size_t cap);

/* Loads the ONNX model at `rel` (see above: no second copy of store bytes). */
IA_API int ia_model_dir_load_model(ia_model_dir *d, const char *rel, ia_model **out);
/* A session on the ONNX model at `rel`. */
IA_API int ia_model_dir_session(ia_model_dir *d, const char *rel, const ia_session_options *opts,
                                ia_session **out);

/* The model file a command-line argument names: `ref` itself when it names a file (path or store
 * reference), else REF/first of cands[0..n) that is a file in the folder. *is_folder (may be NULL)
 * says which. IA_ERR_NOT_FOUND "NAME: no A, B or C" when the folder has none of them; other errors
 * as ia_model_dir_open / ia_model_dir_has. */
IA_API int ia_model_file_resolve(const char *ref, const char *const *cands, size_t n, char *out, size_t cap,
                                 int *is_folder);

/* A session on a model file given as a path or a store reference ("CID", "CID/path",
 * "/ipfs/...", "ipfs://..."): ia_session_create's counterpart that also takes CIDs. */
IA_API int ia_model_session_create(const char *path_or_ref, const ia_session_options *opts, ia_session **out);

#ifdef __cplusplus
}
#endif
#endif
