/* A tiny unit-test harness: TEST(name) cases registered in a table, CHECK assertions that
 * record failures with file and line, and a main that runs all and prints "N passed, M failed". */
#ifndef IA_UNIT_H
#define IA_UNIT_H

#include <stdio.h>
#include <string.h>

typedef struct unit_case {
    const char *name;
    void (*fn)(int *failed);
} unit_case;

#define TEST(name) static void name(int *unit_failed_)
#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            *unit_failed_ = 1;                                                        \
        }                                                                             \
    } while (0)
#define CHECK_MSG(cond, ...)                                                          \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "  %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                             \
            fputc('\n', stderr);                                                      \
            *unit_failed_ = 1;                                                        \
        }                                                                             \
    } while (0)

static inline int unit_run(const unit_case *cases, size_t n) {
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        int f = 0;
        cases[i].fn(&f);
        printf("%s %s\n", f ? "FAIL" : "ok  ", cases[i].name);
        if (f) failed++; else passed++;
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}
#define UNIT_MAIN(...)                                               \
    int main(void) {                                                 \
        static const unit_case cases_[] = {__VA_ARGS__};             \
        return unit_run(cases_, sizeof cases_ / sizeof cases_[0]);   \
    }
#define CASE(fn) {#fn, fn}

#endif
