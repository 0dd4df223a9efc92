/* Levelled logging to stderr (or a user callback). Level from IA_LOG_LEVEL or ia_log_set_level. */
#ifndef IA_LOG_H
#define IA_LOG_H

#include "ia/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ia_log_level {
    IA_LOG_ERROR = 0,
    IA_LOG_WARN = 1,
    IA_LOG_INFO = 2,
    IA_LOG_DEBUG = 3,
    IA_LOG_TRACE = 4
} ia_log_level;

typedef void (*ia_log_fn)(void *user, ia_log_level level, const char *message);

/* Messages above `level` are dropped. Default: IA_LOG_WARN, or the IA_LOG_LEVEL environment
 * variable (error|warn|info|debug|trace or 0-4). */
IA_API void ia_log_set_level(ia_log_level level);
IA_API ia_log_level ia_log_get_level(void);
/* Replaces the sink (NULL restores stderr). */
IA_API void ia_log_set_callback(ia_log_fn fn, void *user);
IA_API void ia_log(ia_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define IA_LOG_ERR(...) ia_log(IA_LOG_ERROR, __VA_ARGS__)
#define IA_LOG_W(...) ia_log(IA_LOG_WARN, __VA_ARGS__)
#define IA_LOG_I(...) ia_log(IA_LOG_INFO, __VA_ARGS__)
#define IA_LOG_D(...) ia_log(IA_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
