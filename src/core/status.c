/* Status code names and texts (from the IA_STATUS_LIST X-macro) and the per-thread fallback
 * error message used by calls that have no handle. */
#include <stdio.h>
#include <string.h>
#include "ia/status.h"

static _Thread_local char last_error[1024];

const char *ia_strerror(int status) {
    switch (status) {
#define IA__STATUS_TEXT(name, value, text) \
    case value:                            \
        return text;
        IA_STATUS_LIST(IA__STATUS_TEXT)
#undef IA__STATUS_TEXT
    default:
        return "unknown error";
    }
}

const char *ia_status_name(int status) {
    switch (status) {
#define IA__STATUS_NAME(name, value, text) \
    case value:                            \
        return #name;
        IA_STATUS_LIST(IA__STATUS_NAME)
#undef IA__STATUS_NAME
    default:
        return "IA_ERR_UNKNOWN";
    }
}

const char *ia_last_error(void) { return last_error; }

void ia_clear_error(void) { last_error[0] = '\0'; }

int ia_set_errorv(int status, const char *fmt, va_list ap) {
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    return status;
}

int ia_set_error(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    ia_set_errorv(status, fmt, ap);
    va_end(ap);
    return status;
}
