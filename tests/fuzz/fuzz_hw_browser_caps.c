/* Fuzz target: the parser of a browser page's capabilities report (hw --probe-browsers). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bench/bench_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 65536) return 0;
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    ia_hw_browser_probe p;
    int rc = ia__hw_parse_browser_caps(s, &p);
    /* every string field stays terminated within its buffer */
    if (rc == 0 && (p.status != 1 || strlen(p.webgpu_features) >= sizeof p.webgpu_features ||
                    strlen(p.webgpu_limits) >= sizeof p.webgpu_limits || strlen(p.webnn_errors[2]) >= sizeof p.webnn_errors[2]))
        abort();
    if (rc != 0 && p.status != -1) abort();
    free(s);
    return 0;
}
