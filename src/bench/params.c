/* Parameter lists of the bench command: "1,4,16", ranges "16-512*2" (geometric) and "1-8+2"
 * (arithmetic), with clear errors for anything else. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ia/bench.h"

static int parse_pos(const char **p, int64_t *v, const char *whole) {
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return ia_set_error(IA_ERR_PARSE, "malformed list '%s': expected a number at '%s'", whole, s);
    errno = 0;
    char *e;
    long long x = strtoll(s, &e, 10);
    if (errno || x <= 0 || x > (1ll << 40))
        return ia_set_error(IA_ERR_PARSE, "malformed list '%s': '%.*s' is not a positive number in range", whole, (int)(e - s), s);
    *v = x;
    *p = e;
    return IA_OK;
}

int ia_bench_parse_int_list(const char *s, int64_t *out, size_t cap, size_t *n) {
    if (!s || !*s) return ia_set_error(IA_ERR_PARSE, "empty list");
    *n = 0;
    const char *p = s;
    for (;;) {
        int64_t a, b, step = 1;
        int geometric = 0;
        if (parse_pos(&p, &a, s)) return IA_ERR_PARSE;
        b = a;
        if (*p == '-') {
            p++;
            if (parse_pos(&p, &b, s)) return IA_ERR_PARSE;
            if (b < a) return ia_set_error(IA_ERR_PARSE, "malformed list '%s': range %lld-%lld runs backwards", s, (long long)a, (long long)b);
            if (*p == '*' || *p == '+') {
                geometric = *p == '*';
                p++;
                if (parse_pos(&p, &step, s)) return IA_ERR_PARSE;
                if (geometric && step < 2) return ia_set_error(IA_ERR_PARSE, "malformed list '%s': a geometric step must be >= 2", s);
            }
        }
        for (int64_t v = a; v <= b; v = geometric ? v * step : v + step) {
            if (*n >= cap) return ia_set_error(IA_ERR_LIMIT, "list '%s' expands to more than %zu values", s, cap);
            out[(*n)++] = v;
            if (geometric && v > b / step) break; /* the next value is beyond b (and must not overflow) */
        }
        if (*p == 0) break;
        if (*p != ',') return ia_set_error(IA_ERR_PARSE, "malformed list '%s': unexpected '%c'", s, *p);
        p++;
    }
    return IA_OK;
}
