/* Blocking TCP on loopback for the bridge's own clients (the loopback probe) and the bridge tests:
 * dial 127.0.0.1 with send and receive timeouts (a stuck peer gives an error instead of a hang),
 * send and receive exactly n bytes. */
#ifndef IA_WEB_SOCK_IO_H
#define IA_WEB_SOCK_IO_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* A connected socket to 127.0.0.1:port (TCP_NODELAY, timeouts of timeout_s seconds), or -1. */
static inline int ia__sock_dial_loopback(int port, int timeout_s) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    struct timeval tv = {timeout_s, 0};
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends all n bytes (0), or -1 on an error, a timeout or a closed peer (no SIGPIPE). */
static inline int ia__sock_send_all(int fd, const void *p, size_t n) {
    const uint8_t *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Receives exactly n bytes (0), or -1 on an error, a timeout or the peer closing first. */
static inline int ia__sock_recv_all(int fd, void *p, size_t n) {
    uint8_t *c = p;
    while (n) {
        ssize_t r = recv(fd, c, n, 0);
        if (r <= 0) return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}
#endif
