/* Unit tests for the core: status codes, 16-bit floats, tensors and values, thread pool,
 * protobuf varints. */
#include <math.h>
#include <stdint.h>
#include "ipfs_accelerate.h"
#include "onnx/pbwire.h"
#include "unit.h"

TEST(status_texts) {
    CHECK(!strcmp(ia_strerror(IA_OK), "success"));
    CHECK(!strcmp(ia_status_name(IA_ERR_PARSE), "IA_ERR_PARSE"));
    CHECK(!strcmp(ia_strerror(12345), "unknown error"));
    CHECK(ia_set_error(IA_ERR_SHAPE, "bad %d", 7) == IA_ERR_SHAPE);
    CHECK(!strcmp(ia_last_error(), "bad 7"));
    ia_clear_error();
    CHECK(ia_last_error()[0] == 0);
}

TEST(fp16_round_trip_every_value) {
    /* every finite half converts to float and back to the same bits */
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        uint16_t x = (uint16_t)h;
        if ((x & 0x7c00) == 0x7c00 && (x & 0x3ff)) continue; /* NaN payloads */
        if (ia_f32_to_fp16(ia_fp16_to_f32(x)) != x) bad++;
    }
    CHECK_MSG(bad == 0, "%d halves did not round-trip", bad);
    CHECK(ia_fp16_to_f32(0x3c00) == 1.0f);          /* IEEE 754 binary16: 1.0 */
    CHECK(ia_fp16_to_f32(0x0001) == ldexpf(1, -24)); /* smallest subnormal */
    CHECK(ia_f32_to_fp16(65520.0f) == 0x7c00);       /* rounds to infinity */
    CHECK(isnan(ia_fp16_to_f32(ia_f32_to_fp16(NAN))));
    /* round to nearest even between 1 and 1+2^-10 */
    CHECK(ia_f32_to_fp16(1.0f + ldexpf(1, -11)) == 0x3c00);
    CHECK(ia_f32_to_fp16(1.0f + 3 * ldexpf(1, -11)) == 0x3c02);
}

TEST(bf16_rounding) {
    CHECK(ia_bf16_to_f32(ia_f32_to_bf16(1.0f)) == 1.0f);
    CHECK(ia_f32_to_bf16(1.0f + ldexpf(1, -8)) == 0x3f80); /* tie to even */
    CHECK(ia_f32_to_bf16(1.0f + 3 * ldexpf(1, -8)) == 0x3f82);
    CHECK(isnan(ia_bf16_to_f32(ia_f32_to_bf16(NAN))));
}

TEST(tensor_lifecycle) {
    int64_t dims[2] = {3, 4};
    ia_tensor *t;
    CHECK(ia_tensor_create(IA_DTYPE_FLOAT, 2, dims, &t) == IA_OK);
    CHECK(t->numel == 12 && t->nbytes == 48);
    ((float *)t->data)[11] = 5;
    ia_tensor *c;
    CHECK(ia_tensor_clone(t, &c) == IA_OK);
    CHECK(((float *)c->data)[11] == 5);
    ia_value *v;
    CHECK(ia_value_from_tensor(t, &v) == IA_OK);
    CHECK(t->refcount == 2);
    ia_tensor_release(t);
    ia_value_destroy(v);
    ia_tensor_release(c);
    int64_t neg[1] = {-1};
    CHECK(ia_tensor_create(IA_DTYPE_FLOAT, 1, neg, &t) == IA_ERR_SHAPE);
    int64_t huge[2] = {INT64_MAX / 2, 4};
    CHECK(ia_tensor_create(IA_DTYPE_FLOAT, 2, huge, &t) != IA_OK);
    CHECK(ia_dtype_bytes(IA_DTYPE_INT4, 5) == 3);
}

TEST(sequences) {
    ia_value *s;
    CHECK(ia_value_sequence(IA_DTYPE_FLOAT, &s) == IA_OK);
    for (int i = 0; i < 3; i++) {
        ia_tensor *t;
        ia_tensor_create(IA_DTYPE_FLOAT, 0, NULL, &t);
        ((float *)t->data)[0] = (float)i;
        ia_value *v;
        ia_value_from_tensor(t, &v);
        ia_tensor_release(t);
        CHECK(ia_value_sequence_insert(s, v, 0) == IA_OK);
    }
    CHECK(s->n_items == 3);
    CHECK(((float *)s->items[0]->tensor->data)[0] == 2);
    ia_value *c;
    CHECK(ia_value_clone(s, &c) == IA_OK && c->n_items == 3);
    ia_value_destroy(s);
    ia_value_destroy(c);
}

typedef struct sum_ctx {
    int64_t partial[64];
} sum_ctx;

static void add_range(void *ctx, int64_t b, int64_t e, int tid) {
    sum_ctx *s = ctx;
    int64_t acc = 0;
    for (int64_t i = b; i < e; i++) acc += i;
    __atomic_add_fetch(&s->partial[tid], acc, __ATOMIC_RELAXED);
}

TEST(threadpool_parallel_for) {
    ia_threadpool *p;
    CHECK(ia_threadpool_create(4, &p) == IA_OK);
    CHECK(ia_threadpool_size(p) == 4);
    for (int round = 0; round < 50; round++) {
        sum_ctx s = {{0}};
        int64_t n = 100000 + round;
        ia_parallel_for(p, n, 1, add_range, &s);
        int64_t total = 0;
        for (int i = 0; i < 64; i++) total += s.partial[i];
        CHECK(total == n * (n - 1) / 2);
    }
    ia_threadpool_destroy(p);
    sum_ctx s = {{0}};
    ia_parallel_for(NULL, 10, 1, add_range, &s);
    CHECK(s.partial[0] == 45);
}

TEST(varints) {
    ia_pbw w = {0};
    uint64_t vals[] = {0, 1, 127, 128, 300, UINT64_MAX};
    for (size_t i = 0; i < 6; i++) ia_pbw_varint(&w, vals[i]);
    ia_pb r = ia_pb_init(w.buf, w.len);
    for (size_t i = 0; i < 6; i++) {
        uint64_t v;
        CHECK(ia_pb_varint(&r, &v) == IA_OK && v == vals[i]);
    }
    uint64_t v;
    CHECK(ia_pb_varint(&r, &v) == IA_ERR_PARSE); /* end of buffer */
    const uint8_t overlong[11] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    r = ia_pb_init(overlong, sizeof overlong);
    CHECK(ia_pb_varint(&r, &v) == IA_ERR_PARSE);
    const uint8_t len_too_big[2] = {0x0a, 0x7f}; /* field 1, LEN 127, no bytes */
    r = ia_pb_init(len_too_big, 2);
    uint32_t f;
    int wt;
    const uint8_t *d;
    size_t n;
    CHECK(ia_pb_next(&r, &f, &wt) == 1 && f == 1 && wt == IA_PB_LEN);
    CHECK(ia_pb_bytes(&r, &d, &n) == IA_ERR_PARSE);
    ia_pbw_free(&w);
}

UNIT_MAIN(CASE(status_texts), CASE(fp16_round_trip_every_value), CASE(bf16_rounding), CASE(tensor_lifecycle), CASE(sequences),
          CASE(threadpool_parallel_for), CASE(varints))
