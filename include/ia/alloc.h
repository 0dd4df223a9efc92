/* Allocator hook: every heap allocation of the library goes through these functions, so an
 * embedding application can route them to its own allocator (set before any other call). */
#ifndef IA_ALLOC_H
#define IA_ALLOC_H

#include <stddef.h>
#include "ia/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ia_allocator {
    void *(*malloc_fn)(void *user, size_t size);
    void *(*realloc_fn)(void *user, void *ptr, size_t size);
    void (*free_fn)(void *user, void *ptr);
    void *user;
} ia_allocator;

/* Installs `a` (copied); NULL restores the C library's allocator. */
IA_API void ia_set_allocator(const ia_allocator *a);

IA_API void *ia_malloc(size_t size);
IA_API void *ia_calloc(size_t count, size_t size); /* overflow-checked, zeroed */
IA_API void *ia_realloc(void *ptr, size_t size);
IA_API void ia_free(void *ptr);
IA_API char *ia_strdup(const char *s);
IA_API char *ia_strndup(const char *s, size_t n);

/* 64-byte aligned blocks for tensor data (SIMD-friendly); release with ia_aligned_free. */
IA_API void *ia_aligned_alloc(size_t size);
IA_API void ia_aligned_free(void *ptr);

#ifdef __cplusplus
}
#endif
#endif
