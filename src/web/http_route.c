/* Request routing for the bridge server: token check, path validation (no traversal), Range
 * headers and MIME types. Pure functions over untrusted strings (fuzzed by fuzz_http). */
#include <stdlib.h>
#include <string.h>
#include "web/web_internal.h"

static int name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* A single path segment made of name characters, not "." or "..", not starting with '.'. */
static int valid_name(const char *s, size_t n) {
    if (n == 0 || n >= 128 || s[0] == '.') return 0;
    for (size_t i = 0; i < n; i++)
        if (!name_char(s[i]) || (i + 1 < n && s[i] == '.' && s[i + 1] == '.')) return 0;
    return 1;
}

int ia__http_route(const char *target, const char *token, ia__route *out) {
    memset(out, 0, sizeof *out);
    if (!target || !token || target[0] != '/') return 400;
    size_t n = strcspn(target, "?#");
    if (n > 1024) return 414;
    const char *p = target + 1, *end = target + n;
    for (const char *q = target; q < end; q++) /* anything outside plain names and '/' is refused */
        if (!name_char(*q) && *q != '/') return 400;
    const char *slash = memchr(p, '/', (size_t)(end - p));
    size_t tlen = strlen(token);
    size_t seg = slash ? (size_t)(slash - p) : (size_t)(end - p);
    if (seg != tlen || tlen == 0 || memcmp(p, token, tlen) != 0) return 403;
    if (!slash) return 404;
    p = slash + 1;
    /* Refuse traversal and empty segments anywhere in the rest. */
    for (const char *s = p; s <= end; ) {
        const char *e = memchr(s, '/', (size_t)(end - s));
        if (!e) e = end;
        size_t l = (size_t)(e - s);
        if ((l == 0 && e != end) || (l == 1 && s[0] == '.') || (l == 2 && s[0] == '.' && s[1] == '.')) return 400;
        s = e + 1;
    }
    size_t rest = (size_t)(end - p);
    if (rest == 0 || (rest == 11 && !memcmp(p, "bridge.html", 11)) || (rest == 9 && !memcmp(p, "bridge.js", 9))) {
        out->kind = IA__ROUTE_STATIC;
        strcpy(out->name, rest == 9 ? "bridge.js" : "bridge.html");
        return 200;
    }
    if (rest == 2 && !memcmp(p, "ws", 2)) { out->kind = IA__ROUTE_WS; return 200; }
    if (rest == 7 && !memcmp(p, "ws.json", 7)) { out->kind = IA__ROUTE_WS_INFO; return 200; }
    if (rest > 4 && !memcmp(p, "ort/", 4)) {
        if (!valid_name(p + 4, rest - 4)) return 400;
        out->kind = IA__ROUTE_ORT;
        memcpy(out->name, p + 4, rest - 4);
        return 200;
    }
    if (rest > 6 && !memcmp(p, "model/", 6)) {
        if (rest - 6 > 18) return 404;
        for (size_t i = 6; i < rest; i++)
            if (p[i] < '0' || p[i] > '9') return 404;
        out->kind = IA__ROUTE_MODEL;
        memcpy(out->name, p + 6, rest - 6);
        return 200;
    }
    return 404;
}

static const char *skip_ws(const char *s) {
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

/* Reads a decimal u64; NULL on no digits or overflow. */
static const char *read_u64(const char *s, uint64_t *v) {
    if (*s < '0' || *s > '9') return NULL;
    uint64_t x = 0;
    while (*s >= '0' && *s <= '9') {
        uint64_t d = (uint64_t)(*s - '0');
        if (x > (UINT64_MAX - d) / 10) return NULL;
        x = x * 10 + d;
        s++;
    }
    *v = x;
    return s;
}

int ia__http_parse_range(const char *value, uint64_t size, uint64_t *first, uint64_t *last) {
    if (!value) return 1;
    const char *s = skip_ws(value);
    if (strncmp(s, "bytes=", 6) != 0) return 1; /* unknown unit: ignore, serve all (RFC 9110) */
    s = skip_ws(s + 6);
    if (strchr(s, ',')) return 1;              /* several ranges: we serve the whole resource */
    uint64_t a = 0, b = 0;
    if (*s == '-') { /* suffix: last N bytes */
        s = read_u64(s + 1, &b);
        if (!s || *skip_ws(s)) return 1;
        if (b == 0 || size == 0) return -1;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return 0;
    }
    s = read_u64(s, &a);
    if (!s) return 1;
    s = skip_ws(s);
    if (*s != '-') return 1;
    s = skip_ws(s + 1);
    if (*s == '\0') b = UINT64_MAX;
    else {
        s = read_u64(s, &b);
        if (!s || *skip_ws(s)) return 1;
        if (b < a) return 1; /* invalid range spec: ignored */
    }
    if (a >= size) return -1;
    *first = a;
    *last = b >= size ? size - 1 : b;
    return 0;
}

const char *ia__http_mime(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot) return "application/octet-stream";
    if (!strcmp(dot, ".html")) return "text/html; charset=utf-8";
    if (!strcmp(dot, ".js") || !strcmp(dot, ".mjs")) return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".wasm")) return "application/wasm";
    if (!strcmp(dot, ".json") || !strcmp(dot, ".map")) return "application/json";
    return "application/octet-stream";
}
