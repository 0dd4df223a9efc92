/* Performance model: least squares on data with known coefficients, the per-group efficiency fit
 * and leave-one-out on synthetic timings generated from a fixed formula, roofline regimes. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "ipfs_accelerate.h"
#include "unit.h"

static int close_to(double a, double b, double tol) { return fabs(a - b) <= tol * fmax(1.0, fabs(b)); }

TEST(lsq_recovers_known_coefficients) {
    /* y = 1.5 - 0.7 x1 + 2 x2, exact, 20 points */
    double X[20 * 3], y[20], beta[3];
    for (int i = 0; i < 20; i++) {
        double x1 = i * 0.37 - 2, x2 = sin(i * 1.3);
        X[i * 3] = 1, X[i * 3 + 1] = x1, X[i * 3 + 2] = x2;
        y[i] = 1.5 - 0.7 * x1 + 2 * x2;
    }
    CHECK(ia_lsq_solve(X, y, 20, 3, beta) == IA_OK);
    CHECK_MSG(close_to(beta[0], 1.5, 1e-10) && close_to(beta[1], -0.7, 1e-10) && close_to(beta[2], 2, 1e-10), "%g %g %g", beta[0], beta[1], beta[2]);
    /* with residuals orthogonal to the columns (+e, -e, +e, -e on a design that is symmetric in
     * them), the least-squares answer is still the generating one */
    double X2[8 * 2], y2[8], b2[2];
    for (int i = 0; i < 8; i++) {
        X2[i * 2] = 1, X2[i * 2 + 1] = (double)(i / 2);
        y2[i] = 3 + 0.5 * (double)(i / 2) + (i % 2 ? -0.1 : 0.1);
    }
    CHECK(ia_lsq_solve(X2, y2, 8, 2, b2) == IA_OK);
    CHECK_MSG(close_to(b2[0], 3, 1e-10) && close_to(b2[1], 0.5, 1e-10), "%g %g", b2[0], b2[1]);
    /* rank deficient and too few rows fail */
    double Xd[4 * 2] = {1, 2, 2, 4, 3, 6, 4, 8}, yd[4] = {1, 2, 3, 4};
    CHECK(ia_lsq_solve(Xd, yd, 4, 2, b2) == IA_ERR_INVALID_ARG);
    CHECK(ia_lsq_solve(Xd, yd, 1, 2, b2) == IA_ERR_INVALID_ARG);
}

static void synth_hw(ia_hw_info *hw) {
    memset(hw, 0, sizeof *hw);
    hw->cpu.threads = 4;
    hw->calibrated = 1;
    hw->n_calib = 3;
    hw->calib_threads[0] = 1, hw->calib_threads[1] = 2, hw->calib_threads[2] = 4;
    hw->calib_gflops_fp32[0] = 50, hw->calib_gflops_fp32[1] = 100, hw->calib_gflops_fp32[2] = 180;
    hw->mem_bw_gbs = 20;
}

static const ia_model_cost COST = {4e6, 1e6, 1e6, 10, 2, 1}; /* 4 MB params (1e6 fp32 elements), 1 MFLOP per row, seq-bound */

TEST(roofline_regimes) {
    ia_hw_info hw;
    synth_hw(&hw);
    /* batch 1, seq 1: 1 MFLOP / 50 GFLOP/s = 0.02 ms < 4 MB / 20 GB/s = 0.2 ms: memory bound */
    CHECK(close_to(ia_roofline_ms(&COST, &hw, 1, 1, 1), 0.2, 1e-12));
    /* batch 4 x seq 64 = 256 MFLOP at 2 threads: 2.56 ms, compute bound */
    CHECK(close_to(ia_roofline_ms(&COST, &hw, 2, 4, 64), 2.56, 1e-12));
    /* 3 threads uses the 2-thread peak; 0 = every CPU (4) */
    CHECK(close_to(ia_roofline_ms(&COST, &hw, 3, 4, 64), 2.56, 1e-12));
    CHECK(close_to(ia_roofline_ms(&COST, &hw, 0, 4, 64), 256e6 / 180e9 * 1e3, 1e-12));
    ia_model_cost noseq = COST;
    noseq.has_seq = 0;
    CHECK(ia_model_cost_flops(&noseq, 8, 64) == 8e6);
    hw.calibrated = 0;
    CHECK(ia_roofline_ms(&COST, &hw, 1, 1, 1) == 0);
}

/* measured = roofline x true factor(threads) x exp(+-NOISE), the signs alternating within each
 * group so that each group's mean log residual is exactly zero */
#define NOISE 0.05
static const double TRUE_FACTOR[3] = {3.0, 4.5, 7.0};
static size_t synth_points(const ia_hw_info *hw, ia_perf_point *p, double noise) {
    static const int th[3] = {1, 2, 4};
    static const int64_t bs[4] = {1, 2, 4, 8}, ss[2] = {16, 64};
    size_t n = 0;
    for (int t = 0; t < 3; t++)
        for (int k = 0; k < 8; k++) {
            ia_perf_point *x = &p[n++];
            memset(x, 0, sizeof *x);
            strcpy(x->device, "cpu");
            strcpy(x->precision, "fp32");
            x->threads = th[t];
            x->batch = bs[k / 2];
            x->seq = ss[k % 2];
            x->roof_ms = ia_roofline_ms(&COST, hw, x->threads, x->batch, x->seq);
            x->measured_ms = x->roof_ms * TRUE_FACTOR[t] * exp(((k + k / 2) % 2 ? -1 : 1) * noise);
        }
    return n;
}

TEST(fit_recovers_factors) {
    ia_hw_info hw;
    synth_hw(&hw);
    ia_perf_point p[24];
    size_t n = synth_points(&hw, p, NOISE);
    static const int th[3] = {1, 2, 4};
    for (int t = 0; t < 3; t++) {
        ia_perf_point q = p[0];
        q.threads = th[t], q.batch = 3, q.seq = 32, q.measured_ms = 0;
        q.roof_ms = ia_roofline_ms(&COST, &hw, q.threads, q.batch, q.seq);
        ia_perf_estimate e;
        CHECK(ia_perf_predict(p, n, SIZE_MAX, &q, &e) == IA_OK);
        CHECK_MSG(close_to(e.factor, TRUE_FACTOR[t], 1e-9), "threads %d: factor %g, true %g", th[t], e.factor, TRUE_FACTOR[t]);
        CHECK(close_to(e.predicted_ms, q.roof_ms * TRUE_FACTOR[t], 1e-9));
        CHECK(e.level == 0 && e.n_fit == 8 && !e.extrapolation);
        /* residuals +-NOISE, four of each: sample sd = NOISE x sqrt(8/7); t(7, 0.975) = 2.365 */
        double sd = NOISE * sqrt(8.0 / 7.0), w = 2.365 * sd * sqrt(1.0 + 1.0 / 8.0);
        CHECK_MSG(close_to(e.log_sd, sd, 1e-9), "log_sd %g want %g", e.log_sd, sd);
        CHECK(close_to(e.pi_low_ms, e.predicted_ms * exp(-w), 1e-9) && close_to(e.pi_high_ms, e.predicted_ms * exp(w), 1e-9));
    }
    /* an unmeasured thread count falls back to the pooled (device, precision) group: the geometric
     * mean of the three factors, flagged as extrapolation */
    ia_perf_point q = p[0];
    q.threads = 3, q.measured_ms = 0;
    q.roof_ms = ia_roofline_ms(&COST, &hw, 3, q.batch, q.seq);
    ia_perf_estimate e;
    CHECK(ia_perf_predict(p, n, SIZE_MAX, &q, &e) == IA_OK);
    CHECK(e.level == 1 && e.extrapolation && e.n_fit == 24);
    CHECK(close_to(e.factor, cbrt(3.0 * 4.5 * 7.0), 1e-9));
    /* far outside the measured batch x seq range: extrapolation */
    q = p[0];
    q.batch = 1000, q.measured_ms = 0;
    CHECK(ia_perf_predict(p, n, SIZE_MAX, &q, &e) == IA_OK);
    CHECK(e.level == 0 && e.extrapolation);
    /* another device: only the any-configuration level, flagged */
    q = p[0];
    strcpy(q.device, "vulkan");
    CHECK(ia_perf_predict(p, n, SIZE_MAX, &q, &e) == IA_OK);
    CHECK(e.level == 2 && e.extrapolation);
    /* a single point gives a factor but no interval */
    CHECK(ia_perf_predict(p, 1, SIZE_MAX, &p[0], &e) == IA_OK);
    CHECK(e.n_fit == 1 && e.predicted_ms > 0 && e.pi_high_ms == 0);
    /* nothing measured: no prediction */
    CHECK(ia_perf_predict(p, 0, SIZE_MAX, &q, &e) == IA_OK);
    CHECK(e.predicted_ms <= 0);
}

TEST(leave_one_out_errors) {
    ia_hw_info hw;
    synth_hw(&hw);
    ia_perf_point p[24];
    size_t n = synth_points(&hw, p, 0);
    ia_perf_loo loo;
    CHECK(ia_perf_loo_run(p, n, &loo) == IA_OK);
    CHECK(loo.n_eval == 24 && loo.n_unpredictable == 0);
    CHECK(loo.max_rel_err < 1e-9);
    /* with +-NOISE: leaving out point i (residual r = +-NOISE) the other 7 of its group average to
     * -r/7, so the relative error is |exp(-r/7 - r) - 1|: exp(8N/7) - 1 for r = -N and
     * 1 - exp(-8N/7) for r = +N, twelve points of each */
    n = synth_points(&hw, p, NOISE);
    CHECK(ia_perf_loo_run(p, n, &loo) == IA_OK);
    double hi = exp(8 * NOISE / 7) - 1, lo = 1 - exp(-8 * NOISE / 7);
    CHECK_MSG(close_to(loo.max_rel_err, hi, 1e-9), "max %g want %g", loo.max_rel_err, hi);
    CHECK_MSG(close_to(loo.median_rel_err, (hi + lo) / 2, 1e-9), "median %g want %g", loo.median_rel_err, (hi + lo) / 2);
    /* batch 8 x seq 64 = 512 rows is within 2 x the others' max, so none is extrapolated */
    CHECK(loo.n_extrapolated == 0);
    /* one point alone cannot be predicted without itself */
    CHECK(ia_perf_loo_run(p, 1, &loo) == IA_OK);
    CHECK(loo.n_eval == 0 && loo.n_unpredictable == 1);
}

TEST(roofline_per_precision) {
    ia_hw_info hw;
    synth_hw(&hw);
    hw.calib_gops_int8[0] = 200, hw.calib_gops_int8[1] = 400, hw.calib_gops_int8[2] = 720;
    /* fp32 (and NULL) is the plain roofline */
    CHECK(ia_roofline_ms_at(&COST, &hw, "fp32", 2, 4, 64) == ia_roofline_ms(&COST, &hw, 2, 4, 64));
    CHECK(ia_roofline_ms_at(&COST, &hw, NULL, 1, 1, 1) == ia_roofline_ms(&COST, &hw, 1, 1, 1));
    /* int8, batch 1 seq 1: 1 MOP / 200 GOP/s = 0.005 ms < 1e6 one-byte weights / 20 GB/s = 0.05 ms: memory bound
     * on a quarter of the fp32 bytes */
    CHECK(close_to(ia_roofline_ms_at(&COST, &hw, "int8", 1, 1, 1), 0.05, 1e-12));
    /* int8, 256 MOP at 2 threads (400 GOP/s): 0.64 ms, compute bound; 3 threads use the 2-thread peak */
    CHECK(close_to(ia_roofline_ms_at(&COST, &hw, "int8", 2, 4, 64), 0.64, 1e-12));
    CHECK(close_to(ia_roofline_ms_at(&COST, &hw, "int8", 3, 4, 64), 0.64, 1e-12));
    CHECK(close_to(ia_roofline_ms_at(&COST, &hw, "int8", 0, 4, 64), 256e6 / 720e9 * 1e3, 1e-12));
    /* no calibrated peak: fp16 and int4 always, int8 on a CPU without int8 dot products */
    CHECK(ia_roofline_ms_at(&COST, &hw, "fp16", 2, 4, 64) == 0);
    CHECK(ia_roofline_ms_at(&COST, &hw, "int4", 2, 4, 64) == 0);
    hw.calib_gops_int8[1] = 0;
    CHECK(ia_roofline_ms_at(&COST, &hw, "int8", 2, 4, 64) == 0);
    CHECK(ia_roofline_ms_at(&COST, &hw, "fp32", 2, 4, 64) > 0);
    /* a prediction for int8 scales the int8 roofline by the fitted factor */
    hw.calib_gops_int8[1] = 400;
    ia_perf_point pts[2];
    memset(pts, 0, sizeof pts);
    for (int i = 0; i < 2; i++) {
        snprintf(pts[i].device, sizeof pts[i].device, "cpu");
        snprintf(pts[i].precision, sizeof pts[i].precision, "int8");
        pts[i].threads = 2, pts[i].batch = 1 + 3 * i, pts[i].seq = 64;
        pts[i].roof_ms = ia_roofline_ms_at(&COST, &hw, "int8", 2, pts[i].batch, 64);
        pts[i].measured_ms = 3 * pts[i].roof_ms;
    }
    ia_perf_point q = pts[0];
    q.batch = 2, q.measured_ms = 0;
    q.roof_ms = ia_roofline_ms_at(&COST, &hw, "int8", 2, 2, 64);
    ia_perf_estimate e;
    CHECK(ia_perf_predict(pts, 2, SIZE_MAX, &q, &e) == IA_OK);
    CHECK(e.level == 0 && close_to(e.factor, 3, 1e-9) && close_to(e.predicted_ms, 3 * q.roof_ms, 1e-9));
}

UNIT_MAIN(CASE(lsq_recovers_known_coefficients), CASE(roofline_regimes), CASE(roofline_per_precision), CASE(fit_recovers_factors), CASE(leave_one_out_errors))
