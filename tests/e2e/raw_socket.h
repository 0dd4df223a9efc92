/* Plain TCP on loopback for the bridge tests that speak HTTP and WebSocket byte by byte: connect
 * with send/receive timeouts (a hang fails the test instead of blocking it), send and receive
 * exactly n bytes (the names the tests use, over src/web/sock_io.h). */
#ifndef IA_TESTS_RAW_SOCKET_H
#define IA_TESTS_RAW_SOCKET_H
#include "web/sock_io.h"

static inline int raw_dial(int port, int timeout_s) { return ia__sock_dial_loopback(port, timeout_s); }
static inline int send_all(int fd, const void *p, size_t n) { return ia__sock_send_all(fd, p, n); }
static inline int recv_n(int fd, uint8_t *p, size_t n) { return ia__sock_recv_all(fd, p, n); }
#endif
