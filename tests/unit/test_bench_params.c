/* Parameter lists of the bench command: lists, geometric and arithmetic ranges, and malformed input. */
#include <string.h>
#include "ipfs_accelerate.h"
#include "unit.h"

static int parses_to(const char *s, const int64_t *want, size_t nwant) {
    int64_t v[64];
    size_t n;
    if (ia_bench_parse_int_list(s, v, 64, &n) != IA_OK || n != nwant) return 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] != want[i]) return 0;
    return 1;
}

TEST(lists_and_ranges) {
    CHECK(parses_to("1,4,16", (int64_t[]){1, 4, 16}, 3));
    CHECK(parses_to("16-512*2", (int64_t[]){16, 32, 64, 128, 256, 512}, 6));
    CHECK(parses_to("16-100*2", (int64_t[]){16, 32, 64}, 3));
    CHECK(parses_to("1-4", (int64_t[]){1, 2, 3, 4}, 4));
    CHECK(parses_to("2-9+3", (int64_t[]){2, 5, 8}, 3));
    CHECK(parses_to("1,8-32*2,100", (int64_t[]){1, 8, 16, 32, 100}, 5));
    CHECK(parses_to("7", (int64_t[]){7}, 1));
}

TEST(malformed_lists_fail) {
    int64_t v[8];
    size_t n;
    const char *bad[] = {"", ",", "1,", ",1", "1,,2", "a", "0", "-3", "4-2", "1-8*1", "1-8*", "1x", "99999999999999999999", "1-8+0", "1 2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK_MSG(ia_bench_parse_int_list(bad[i], v, 8, &n) != IA_OK, "'%s' accepted", bad[i]);
    CHECK(ia_bench_parse_int_list("1-100", v, 8, &n) == IA_ERR_LIMIT);
    CHECK(ia_bench_parse_int_list("4-2", v, 8, &n) != IA_OK && strstr(ia_last_error(), "backwards"));
}

TEST(device_names_checked) {
    char why[256];
    CHECK(ia_hw_device_status(NULL, "cpu", "fp32", why, sizeof why) == 1);
    CHECK(ia_hw_device_status(NULL, "cpu", "int8", why, sizeof why) == 0 && why[0]);
    CHECK(ia_hw_device_status(NULL, "tpu", NULL, why, sizeof why) == IA_ERR_INVALID_ARG);
    CHECK(ia_hw_device_status(NULL, "cpu", "fp7", why, sizeof why) == IA_ERR_INVALID_ARG);
    CHECK(ia_hw_device_status(NULL, "webgpu", NULL, why, sizeof why) == 0 && strstr(why, "no browser found"));
    ia_hw_info hw;
    memset(&hw, 0, sizeof hw);
    hw.n_browsers = 1;
    CHECK(ia_hw_device_status(&hw, "wasm", "fp32", why, sizeof why) == 1);
    /* browser devices at other precisions: decided per model (an exported variant) when bench starts the session */
    CHECK(ia_hw_device_status(&hw, "webgpu", "int8", why, sizeof why) == 1);
    CHECK(ia_hw_device_status(&hw, "wasm", "fp16", why, sizeof why) == 1);
    hw.n_browsers = 0;
    CHECK(ia_hw_device_status(&hw, "wasm", "fp16", why, sizeof why) == 0 && strstr(why, "no browser found"));
}

UNIT_MAIN(CASE(lists_and_ranges), CASE(malformed_lists_fail), CASE(device_names_checked))
