/* Levelled logging: a global threshold (IA_LOG_LEVEL), a replaceable sink, stderr by default. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ia/log.h"

static int log_level = -1;
static ia_log_fn log_sink;
static void *log_user;

static int level_from_env(void) {
    const char *e = getenv("IA_LOG_LEVEL");
    if (!e || !*e) return IA_LOG_WARN;
    static const char *names[] = {"error", "warn", "info", "debug", "trace"};
    for (int i = 0; i < 5; i++)
        if (!strcasecmp(e, names[i])) return i;
    if (e[0] >= '0' && e[0] <= '4' && e[1] == '\0') return e[0] - '0';
    return IA_LOG_WARN;
}

void ia_log_set_level(ia_log_level level) { log_level = (int)level; }

ia_log_level ia_log_get_level(void) {
    if (log_level < 0) log_level = level_from_env();
    return (ia_log_level)log_level;
}

void ia_log_set_callback(ia_log_fn fn, void *user) {
    log_sink = fn;
    log_user = user;
}

void ia_log(ia_log_level level, const char *fmt, ...) {
    if ((int)level > (int)ia_log_get_level()) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (log_sink) {
        log_sink(log_user, level, msg);
        return;
    }
    static const char *tags[] = {"error", "warn", "info", "debug", "trace"};
    fprintf(stderr, "ipfs-accelerate %s: %s\n", tags[level], msg);
}
