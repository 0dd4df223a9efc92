/* ia_hw_calibrate: the fp32 and int8 loops are picked from the CPU's features (or forced with
 * IA_CALIBRATE_ISA), every thread count gets a positive finite rate, and a CPU without int8
 * dot-product instructions (forced "generic") reports "none" and zeros. No speed is asserted. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ipfs_accelerate.h"
#include "unit.h"

static int all_positive(const double *v, int n) {
    for (int i = 0; i < n; i++)
        if (!(v[i] > 0 && isfinite(v[i]))) return 0;
    return n > 0;
}

TEST(picks_the_isa_kernels) {
    ia_hw_info hw;
    CHECK(ia_hw_probe(&hw) == IA_OK);
    unsetenv("IA_CALIBRATE_ISA");
    CHECK(ia_hw_calibrate(&hw, 0.2) == IA_OK);
    CHECK(hw.calibrated && hw.n_calib >= 1);
    CHECK(all_positive(hw.calib_gflops_fp32, hw.n_calib));
    const char *want = ia_hw_has_feature(&hw, "avx512_vnni") && ia_hw_has_feature(&hw, "avx512f") ? "avx512_vnni"
                       : ia_hw_has_feature(&hw, "avx2")                                            ? "avx2"
                                                                                                   : "none";
    CHECK_MSG(!strcmp(hw.calib_int8_kernel, want), "int8 kernel %s, want %s", hw.calib_int8_kernel, want);
    if (strcmp(want, "none")) CHECK(all_positive(hw.calib_gops_int8, hw.n_calib));
}

TEST(forced_kernels) {
    ia_hw_info hw;
    CHECK(ia_hw_probe(&hw) == IA_OK);
    setenv("IA_CALIBRATE_ISA", "generic", 1);
    CHECK(ia_hw_calibrate(&hw, 0.1) == IA_OK);
    CHECK(!strcmp(hw.calib_kernel, "generic") && !strcmp(hw.calib_int8_kernel, "none"));
    CHECK(all_positive(hw.calib_gflops_fp32, hw.n_calib));
    for (int i = 0; i < hw.n_calib; i++) CHECK(hw.calib_gops_int8[i] == 0);
    if (ia_hw_has_feature(&hw, "avx2")) { /* the pre-VNNI int8 path */
        setenv("IA_CALIBRATE_ISA", "avx2", 1);
        CHECK(ia_hw_calibrate(&hw, 0.1) == IA_OK);
        CHECK(!strcmp(hw.calib_int8_kernel, "avx2"));
        CHECK(all_positive(hw.calib_gops_int8, hw.n_calib));
    }
    unsetenv("IA_CALIBRATE_ISA");
}

UNIT_MAIN(CASE(picks_the_isa_kernels), CASE(forced_kernels))
