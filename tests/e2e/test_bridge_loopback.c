/* The bridge server's send path (header and payload in one write, every size)
 * echoes messages of every length encoding intact to a raw C WebSocket client on 127.0.0.1. */
#include <stdio.h>
#include <stdlib.h>
#include "ia/web.h"
#include "ipfs_accelerate.h"

int main(void) {
    /* RFC 6455 length encodings: 7-bit (<= 125), 16-bit (126..65535), 64-bit; and both sides of
     * the single-write limit (1 MiB) */
    static const size_t sizes[] = {1, 125, 126, 65535, 65536, (size_t)1 << 20, ((size_t)1 << 20) + 1, (size_t)3 << 20};
    ia_web_loopback *l;
    if (ia_web_loopback_open(&l)) { fprintf(stderr, "FAIL: %s\n", ia_last_error()); return 1; }
    int fails = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        double ms[3];
        if (ia_web_loopback_echo(l, sizes[i], 3, ms)) { /* checks header, length and every byte */
            fprintf(stderr, "FAIL: %zu bytes: %s\n", sizes[i], ia_last_error());
            fails++;
        } else {
            printf("echo %zu bytes: ok\n", sizes[i]);
        }
    }
    if (ia_web_loopback_echo(l, 10, 0, NULL) == 0) { fprintf(stderr, "FAIL: 0 messages accepted\n"); fails++; }
    ia_web_loopback_close(l);
    printf("%s\n", fails ? "FAILED" : "ok");
    return fails ? 1 : 0;
}
