/* The allocator hook: all library allocations pass through here (see ia/alloc.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ia/alloc.h"

static void *default_malloc(void *u, size_t n) { (void)u; return malloc(n); }
static void *default_realloc(void *u, void *p, size_t n) { (void)u; return realloc(p, n); }
static void default_free(void *u, void *p) { (void)u; free(p); }

static ia_allocator current = {default_malloc, default_realloc, default_free, NULL};

void ia_set_allocator(const ia_allocator *a) {
    if (a && a->malloc_fn && a->realloc_fn && a->free_fn)
        current = *a;
    else
        current = (ia_allocator){default_malloc, default_realloc, default_free, NULL};
}

void *ia_malloc(size_t size) { return current.malloc_fn(current.user, size ? size : 1); }

void *ia_calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    void *p = ia_malloc(count * size);
    if (p) memset(p, 0, count * size > 0 ? count * size : 1);
    return p;
}

void *ia_realloc(void *ptr, size_t size) { return current.realloc_fn(current.user, ptr, size ? size : 1); }

void ia_free(void *ptr) {
    if (ptr) current.free_fn(current.user, ptr);
}

char *ia_strndup(const char *s, size_t n) {
    char *d = ia_malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *ia_strdup(const char *s) { return s ? ia_strndup(s, strlen(s)) : NULL; }

/* Aligned blocks: over-allocate and keep the original pointer just before the aligned one. */
#define IA_ALIGN 64
void *ia_aligned_alloc(size_t size) {
    if (size > SIZE_MAX - IA_ALIGN - sizeof(void *)) return NULL;
    unsigned char *raw = ia_malloc(size + IA_ALIGN + sizeof(void *));
    if (!raw) return NULL;
    uintptr_t p = ((uintptr_t)(raw + sizeof(void *)) + IA_ALIGN - 1) & ~(uintptr_t)(IA_ALIGN - 1);
    ((void **)p)[-1] = raw;
    return (void *)p;
}

void ia_aligned_free(void *ptr) {
    if (ptr) ia_free(((void **)ptr)[-1]);
}
