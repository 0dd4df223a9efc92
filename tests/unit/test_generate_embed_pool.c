/* Unit tests of embedding pooling: masked mean, CLS, L2 normalisation, against sums computed here. */
#include <math.h>
#include "ipfs_accelerate.h"
#include "ia/generate.h"
#include "unit.h"

/* hidden [2, 3, 2] */
static const float H[12] = {1, 2, 3, 4, 100, 200, /* row 0: third position is padding */
                            -1, 0.5f, 2, 2, 0, -4};
static const int64_t M[6] = {1, 1, 0, 1, 1, 1};

TEST(mean_uses_mask) {
    float out[4];
    CHECK(ia_embed_pool(H, 2, 3, 2, M, IA_POOL_MEAN, 0, out) == IA_OK);
    CHECK(out[0] == 2.0f && out[1] == 3.0f);            /* (1+3)/2, (2+4)/2: padding ignored */
    CHECK(fabsf(out[2] - (1.0f / 3)) < 1e-7f);          /* (-1+2+0)/3 */
    CHECK(fabsf(out[3] - (-1.5f / 3)) < 1e-7f);         /* (0.5+2-4)/3 */
}

TEST(cls_and_normalize) {
    float out[4];
    CHECK(ia_embed_pool(H, 2, 3, 2, M, IA_POOL_CLS, 1, out) == IA_OK);
    double n0 = sqrt(1.0 + 4.0), n1 = sqrt(1.0 + 0.25);
    CHECK(fabs(out[0] - 1 / n0) < 1e-7 && fabs(out[1] - 2 / n0) < 1e-7);
    CHECK(fabs(out[2] + 1 / n1) < 1e-7 && fabs(out[3] - 0.5 / n1) < 1e-7);
}

TEST(zero_vector_and_bad_args) {
    const float z[4] = {0, 0, 0, 0};
    float out[2] = {7, 7};
    CHECK(ia_embed_pool(z, 1, 2, 2, NULL, IA_POOL_MEAN, 1, out) == IA_OK);
    CHECK(out[0] == 0 && out[1] == 0);
    CHECK(ia_embed_pool(z, 1, 2, 2, NULL, 7, 0, out) == IA_ERR_INVALID_ARG);
    CHECK(ia_embed_pool(z, 0, 2, 2, NULL, IA_POOL_MEAN, 0, out) == IA_ERR_INVALID_ARG);
}

UNIT_MAIN(CASE(mean_uses_mask), CASE(cls_and_normalize), CASE(zero_vector_and_bad_args))
