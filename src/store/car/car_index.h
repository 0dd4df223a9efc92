/* Random access into a CARv2 file through its sorted multihash index (see car_index.c). */
#ifndef IA_STORE_CAR_INDEX_H
#define IA_STORE_CAR_INDEX_H

#include "store/store_internal.h"

typedef struct ia__car_index ia__car_index;

/* Maps a CARv2 file and reads its index layout; CARv1 files and CARv2 files without an index
 * are refused with a message saying what to do instead. */
int ia__car_index_open(const char *path, ia__car_index **out);
void ia__car_index_close(ia__car_index *c);
/* Finds the block by binary search in the index and verifies it; *data points into the mapping
 * (valid until close). IA_ERR_NOT_FOUND when the index does not list it. */
int ia__car_index_get(ia__car_index *c, const ia_cid *cid, const uint8_t **data, size_t *len);
int ia__car_index_has(const ia__car_index *c, const ia_cid *cid);

#endif
