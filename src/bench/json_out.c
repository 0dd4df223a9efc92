/* Small helpers for writing JSON text by hand (escaped strings, finite numbers). */
#include <math.h>
#include <stdio.h>
#include "bench/bench_internal.h"

void ia__json_str(FILE *o, const char *s) {
    fputc('"', o);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(o, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", o);
        else if (*p == '\t') fputs("\\t", o);
        else if (*p < 0x20) fprintf(o, "\\u%04x", *p);
        else fputc(*p, o);
    }
    fputc('"', o);
}

void ia__json_num(FILE *o, double v) {
    if (isfinite(v)) fprintf(o, "%.6g", v);
    else fputs("null", o);
}
