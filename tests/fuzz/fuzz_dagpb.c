/* Fuzz target: strict dag-pb decoding, then UnixFS decoding of the node's Data. */
#include <stdint.h>
#include "ipfs_accelerate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ia_pb_node n;
    if (ia_dagpb_decode(data, size, &n) == IA_OK) {
        for (size_t i = 0; i < n.nlinks; i++)
            if (n.links[i].name_len > size) __builtin_trap();
        if (n.has_data) {
            ia_unixfs u;
            if (ia_unixfs_decode(n.data, n.data_len, &u) == IA_OK) ia_free(u.blocksizes);
        }
        ia_free(n.links);
    }
    ia_unixfs u;
    if (ia_unixfs_decode(data, size, &u) == IA_OK) ia_free(u.blocksizes);
    return 0;
}
