/* Status codes shared by every ipfs-accelerate call, and the per-thread fallback error message.
 * Every fallible function returns IA_OK (0) or one of the negative codes below. */
#ifndef IA_STATUS_H
#define IA_STATUS_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(IA_BUILDING_LIBRARY)
#define IA_API __attribute__((visibility("default")))
#else
#define IA_API
#endif

/* X(name, value, description): the one list that defines codes and ia_strerror() texts. */
#define IA_STATUS_LIST(X)                                                         \
    X(IA_OK, 0, "success")                                                        \
    X(IA_ERR_NOMEM, -1, "out of memory")                                          \
    X(IA_ERR_INVALID_ARG, -2, "invalid argument")                                 \
    X(IA_ERR_IO, -3, "input/output error")                                        \
    X(IA_ERR_PARSE, -4, "malformed input")                                        \
    X(IA_ERR_UNSUPPORTED, -5, "not supported")                                    \
    X(IA_ERR_SHAPE, -6, "shape mismatch")                                         \
    X(IA_ERR_TYPE, -7, "type mismatch")                                           \
    X(IA_ERR_GRAPH, -8, "invalid graph")                                          \
    X(IA_ERR_LIMIT, -9, "size limit exceeded")                                    \
    X(IA_ERR_NOT_FOUND, -10, "not found")                                         \
    X(IA_ERR_RUNTIME, -11, "runtime error")                                       \
    X(IA_ERR_NEED_VALUE, -12, "value not known before run time")                  \
    X(IA_ERR_UNAVAILABLE, -13, "device or feature unavailable")

typedef enum ia_status {
#define IA__STATUS_ENUM(name, value, text) name = value,
    IA_STATUS_LIST(IA__STATUS_ENUM)
#undef IA__STATUS_ENUM
} ia_status;

/* Short English description of a status code; never NULL. */
IA_API const char *ia_strerror(int status);

/* Symbolic name of a status code ("IA_ERR_PARSE"); never NULL. */
IA_API const char *ia_status_name(int status);

/* Last error message recorded on this thread by a call that has no handle of its own
 * (for example ia_model_load). Empty string when none. */
IA_API const char *ia_last_error(void);

/* Records a message as this thread's last error and returns `status`, for use in
 * `return ia_set_error(IA_ERR_PARSE, "...", ...)`. */
IA_API int ia_set_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
IA_API int ia_set_errorv(int status, const char *fmt, va_list ap);
IA_API void ia_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
