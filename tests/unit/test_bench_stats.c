/* Statistics of the benchmark harness against independent oracles: numpy float64 (run by
 * /usr/bin/python3 at test time) for summaries, bootstrap and the normal-approximation U test,
 * and exhaustive enumeration of rank assignments for the exact Mann-Whitney p value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ipfs_accelerate.h"
#include "unit.h"

static const char *PY =
    "import sys, math\n"
    "import numpy as np\n"
    "M = (1 << 64) - 1\n"
    "def sm(st):\n"
    "    st = (st + 0x9E3779B97F4A7C15) & M\n"
    "    z = st\n"
    "    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M\n"
    "    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M\n"
    "    return st, z ^ (z >> 31)\n"
    "lines = open(sys.argv[1]).read().split('\\n')\n"
    "x = np.array([float(v) for v in lines[0].split()])\n"
    "y = np.array([float(v) for v in lines[1].split()])\n"
    "seed, B = int(lines[2].split()[0]), int(lines[2].split()[1])\n"
    "out = [np.min(x), np.max(x), np.mean(x), np.std(x, ddof=1), np.median(x), np.percentile(x, 90),\n"
    "       np.percentile(x, 99), np.percentile(x, 75) - np.percentile(x, 25), np.median(np.abs(x - np.median(x)))]\n"
    "st = seed; meds = []\n"
    "n = len(x)\n"
    "for b in range(B):\n"
    "    idx = []\n"
    "    for i in range(n):\n"
    "        st, r = sm(st)\n"
    "        k = int(float(r >> 11) * (1.0 / 9007199254740992.0) * float(n))\n"
    "        idx.append(min(k, n - 1))\n"
    "    meds.append(np.median(x[idx]))\n"
    "meds = np.array(meds)\n"
    "out += [np.percentile(meds, 2.5), np.percentile(meds, 97.5)]\n"
    "# Mann-Whitney U of x against y, normal approximation with tie and continuity corrections\n"
    "allv = np.concatenate([x, y]); N = len(allv)\n"
    "order = np.argsort(allv, kind='mergesort'); ranks = np.empty(N)\n"
    "sv = allv[order]; i = 0; tie = 0.0\n"
    "while i < N:\n"
    "    j = i\n"
    "    while j + 1 < N and sv[j + 1] == sv[i]: j += 1\n"
    "    ranks[order[i:j + 1]] = (i + j) / 2.0 + 1; t = j - i + 1; tie += t ** 3 - t; i = j + 1\n"
    "U = ranks[:len(x)].sum() - len(x) * (len(x) + 1) / 2.0\n"
    "na, nb = len(x), len(y); mu = na * nb / 2.0\n"
    "var = na * nb / 12.0 * ((N + 1) - tie / (N * (N - 1)))\n"
    "z = max(0.0, (abs(U - mu) - 0.5) / math.sqrt(var))\n"
    "out += [U, math.erfc(z / math.sqrt(2))]\n"
    "print(' '.join(repr(float(v)) for v in out))\n";

static int oracle(const double *x, size_t n, const double *y, size_t m, uint64_t seed, int B, double *out, int nout) {
    char dir[] = "/tmp/ia_stats_XXXXXX";
    if (!mkdtemp(dir)) return -1;
    char pyp[256], datap[256], cmd[700];
    snprintf(pyp, sizeof pyp, "%s/oracle.py", dir);
    snprintf(datap, sizeof datap, "%s/data.txt", dir);
    FILE *f = fopen(pyp, "w");
    fputs(PY, f);
    fclose(f);
    f = fopen(datap, "w");
    for (size_t i = 0; i < n; i++) fprintf(f, "%.17g ", x[i]);
    fprintf(f, "\n");
    for (size_t i = 0; i < m; i++) fprintf(f, "%.17g ", y[i]);
    fprintf(f, "\n%llu %d\n", (unsigned long long)seed, B);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s", pyp, datap);
    FILE *p = popen(cmd, "r");
    int got = 0;
    if (p) {
        while (got < nout && fscanf(p, "%lf", &out[got]) == 1) got++;
        pclose(p);
    }
    unlink(pyp);
    unlink(datap);
    rmdir(dir);
    return got == nout ? 0 : -1;
}

static uint64_t rs = 12345;
static double urand(void) {
    rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
    return (double)(rs >> 11) / 9007199254740992.0;
}

static int close_to(double a, double b) { return fabs(a - b) <= 1e-9 * (1 + fabs(b)); }

static void check_against_numpy(int *unit_failed_, const double *x, size_t n, const double *y, size_t m) {
    double ref[13];
    int rc = oracle(x, n, y, m, 777, 300, ref, 13);
    CHECK_MSG(rc == 0, "python3/numpy oracle did not run (is /usr/bin/python3 with numpy installed?)");
    if (rc) return;
    ia_summary s;
    CHECK(ia_stats_summarize(x, n, 0.95, 300, 777, &s) == IA_OK);
    const double got[] = {s.min, s.max, s.mean, s.stdev, s.median, s.p90, s.p99, s.iqr, s.mad, s.ci_low, s.ci_high};
    const char *names[] = {"min", "max", "mean", "stdev", "median", "p90", "p99", "iqr", "mad", "ci_low", "ci_high"};
    for (int i = 0; i < 11; i++) CHECK_MSG(close_to(got[i], ref[i]), "%s: got %.17g, numpy %.17g", names[i], got[i], ref[i]);
    CHECK(s.ci_low <= s.median && s.median <= s.ci_high);
    double u, p;
    CHECK(ia_stats_mann_whitney(x, n, y, m, &u, &p) == IA_OK);
    CHECK_MSG(close_to(u, ref[11]), "U: got %.17g, oracle %.17g", u, ref[11]);
    CHECK_MSG(close_to(p, ref[12]), "p: got %.17g, oracle %.17g", p, ref[12]);
}

TEST(summary_matches_numpy_continuous) {
    double x[57], y[63];
    for (int i = 0; i < 57; i++) x[i] = 10 + urand() * 3 + (i % 7 == 0 ? 5 : 0);
    for (int i = 0; i < 63; i++) y[i] = 10.4 + urand() * 3;
    check_against_numpy(unit_failed_, x, 57, y, 63);
}

TEST(summary_matches_numpy_with_ties_and_even_n) {
    double x[40], y[30];
    for (int i = 0; i < 40; i++) x[i] = floor(urand() * 8) / 2; /* many ties, also across samples */
    for (int i = 0; i < 30; i++) y[i] = floor(urand() * 8) / 2 + 0.5;
    check_against_numpy(unit_failed_, x, 40, y, 30);
}

TEST(quantiles_small_cases) {
    double one[] = {4.5};
    ia_summary s;
    CHECK(ia_stats_summarize(one, 1, 0, 50, 1, &s) == IA_OK);
    CHECK(s.median == 4.5 && s.p99 == 4.5 && s.stdev == 0 && s.ci_low == 4.5 && s.ci_high == 4.5);
    CHECK(ia_stats_summarize(NULL, 0, 0, 0, 0, &s) != IA_OK);
}

/* exact p value by enumerating every split of the pooled ranks into groups of na and nb */
static double brute_p(const double *a, size_t na, const double *b, size_t nb) {
    size_t n = na + nb;
    double pool[24];
    memcpy(pool, a, na * sizeof *a);
    memcpy(pool + na, b, nb * sizeof *b);
    double u_obs = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) u_obs += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
    double total = 0, le = 0, ge = 0;
    for (unsigned mask = 0; mask < (1u << n); mask++) {
        if ((size_t)__builtin_popcount(mask) != na) continue;
        double u = 0;
        for (size_t i = 0; i < n; i++)
            if (mask >> i & 1)
                for (size_t j = 0; j < n; j++)
                    if (!(mask >> j & 1)) u += pool[i] > pool[j] ? 1 : 0;
        total++;
        if (u <= u_obs + 1e-9) le++;
        if (u >= u_obs - 1e-9) ge++;
    }
    double p = 2 * (le < ge ? le : ge) / total;
    return p > 1 ? 1 : p;
}

TEST(mann_whitney_exact_matches_enumeration) {
    for (int trial = 0; trial < 12; trial++) {
        size_t na = 3 + (size_t)(urand() * 6), nb = 3 + (size_t)(urand() * 6);
        double a[12], b[12];
        double shift = (trial % 3) * 0.4;
        for (size_t i = 0; i < na; i++) a[i] = urand() + shift;
        for (size_t i = 0; i < nb; i++) b[i] = urand();
        double u, p;
        CHECK(ia_stats_mann_whitney(a, na, b, nb, &u, &p) == IA_OK);
        double ref = brute_p(a, na, b, nb);
        CHECK_MSG(fabs(p - ref) < 1e-12, "na=%zu nb=%zu: p %.15g, enumeration %.15g", na, nb, p, ref);
    }
    double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
    double u, p;
    CHECK(ia_stats_mann_whitney(a, 5, b, 5, &u, &p) == IA_OK);
    CHECK(u == 0);
    CHECK(fabs(p - 2.0 / 252.0) < 1e-15); /* only 1 of C(10,5) = 252 splits is as extreme, both tails */
}

TEST(mann_whitney_rejects_empty) {
    double a[] = {1};
    double u, p;
    CHECK(ia_stats_mann_whitney(a, 1, a, 0, &u, &p) != IA_OK);
}

/* Above IA_STATS_BOOTSTRAP_MAX_N samples the CI of the median is the order-statistic interval:
 * checked against numpy's sort + interp of the same positions, and against numpy's own percentile
 * bootstrap (400 resamples, its generator): both bounds within a quarter of the interval width. */
static const char *PY_LARGE =
    "import sys, math\n"
    "import numpy as np\n"
    "from statistics import NormalDist\n"
    "x = np.array([float(v) for v in open(sys.argv[1]).read().split()])\n"
    "n = len(x); s = np.sort(x)\n"
    "z = NormalDist().inv_cdf(0.975); c = (n - 1) / 2; d = z * math.sqrt(n) / 2\n"
    "pos = np.arange(n, dtype=float)\n"
    "lo, hi = np.interp(c - d, pos, s), np.interp(c + d, pos, s)\n"
    "rng = np.random.default_rng(1)\n"
    "meds = np.array([np.median(x[rng.integers(0, n, n)]) for _ in range(400)])\n"
    "print(repr(float(lo)), repr(float(hi)), repr(float(np.percentile(meds, 2.5))), repr(float(np.percentile(meds, 97.5))))\n";

TEST(large_n_median_ci_matches_numpy) {
    size_t n = 30001;
    double *x = malloc(n * sizeof *x);
    CHECK(x != NULL);
    if (!x) return;
    for (size_t i = 0; i < n; i++) x[i] = exp(urand() + urand()); /* skewed, continuous */
    char dir[] = "/tmp/ia_stats_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char pyp[256], datap[256], cmd[700];
    snprintf(pyp, sizeof pyp, "%s/oracle.py", dir);
    snprintf(datap, sizeof datap, "%s/x.txt", dir);
    FILE *f = fopen(pyp, "w");
    fputs(PY_LARGE, f);
    fclose(f);
    f = fopen(datap, "w");
    for (size_t i = 0; i < n; i++) fprintf(f, "%.17g\n", x[i]);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s", pyp, datap);
    double ref[4];
    int got = 0;
    FILE *p = popen(cmd, "r");
    if (p) {
        while (got < 4 && fscanf(p, "%lf", &ref[got]) == 1) got++;
        pclose(p);
    }
    unlink(pyp);
    unlink(datap);
    rmdir(dir);
    CHECK_MSG(got == 4, "python3/numpy oracle did not run (is /usr/bin/python3 with numpy installed?)");
    if (got != 4) { free(x); return; }
    double lo, hi;
    CHECK(ia_stats_bootstrap_median_ci(x, n, 0.95, 2000, 5, &lo, &hi) == IA_OK);
    CHECK_MSG(close_to(lo, ref[0]) && close_to(hi, ref[1]), "order-statistic CI [%.17g, %.17g], numpy [%.17g, %.17g]", lo, hi, ref[0], ref[1]);
    double w = ref[3] - ref[2];
    CHECK_MSG(fabs(lo - ref[2]) <= 0.25 * w && fabs(hi - ref[3]) <= 0.25 * w, "CI [%g, %g] far from numpy's bootstrap [%g, %g]", lo, hi, ref[2], ref[3]);
    ia_summary s;
    CHECK(ia_stats_summarize(x, n, 0.95, 0, 1, &s) == IA_OK);
    CHECK(s.ci_low == lo && s.ci_high == hi && s.ci_low < s.median && s.median < s.ci_high);
    free(x);
}

/* moving-block bootstrap against a numpy re-implementation drawing the same splitmix64 numbers */
static const char *PY_BLOCK =
    "import sys\n"
    "import numpy as np\n"
    "M = (1 << 64) - 1\n"
    "lines = open(sys.argv[1]).read().split('\\n')\n"
    "x = np.array([float(v) for v in lines[0].split()])\n"
    "L, seed, B = [int(v) for v in lines[1].split()]\n"
    "n = len(x); starts = n - L + 1; per = -(-n // L); st = seed; meds = []\n"
    "for b in range(B):\n"
    "    buf = []\n"
    "    for j in range(per):\n"
    "        st = (st + 0x9E3779B97F4A7C15) & M\n"
    "        z = st\n"
    "        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M\n"
    "        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M\n"
    "        r = z ^ (z >> 31)\n"
    "        s0 = min(int(float(r >> 11) * (1.0 / 9007199254740992.0) * float(starts)), starts - 1)\n"
    "        buf.extend(x[s0:s0 + L])\n"
    "    meds.append(np.median(np.array(buf[:n])))\n"
    "print(repr(float(np.percentile(meds, 2.5))), repr(float(np.percentile(meds, 97.5))))\n";

static int block_oracle(const double *x, size_t n, size_t block, uint64_t seed, int B, double *lo, double *hi) {
    char dir[] = "/tmp/ia_block_XXXXXX";
    if (!mkdtemp(dir)) return -1;
    char pyp[256], datap[256], cmd[700];
    snprintf(pyp, sizeof pyp, "%s/oracle.py", dir);
    snprintf(datap, sizeof datap, "%s/data.txt", dir);
    FILE *f = fopen(pyp, "w");
    fputs(PY_BLOCK, f);
    fclose(f);
    f = fopen(datap, "w");
    for (size_t i = 0; i < n; i++) fprintf(f, "%.17g ", x[i]);
    fprintf(f, "\n%zu %llu %d\n", block, (unsigned long long)seed, B);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s", pyp, datap);
    FILE *p = popen(cmd, "r");
    int got = p ? fscanf(p, "%lf %lf", lo, hi) : 0;
    if (p) pclose(p);
    unlink(pyp);
    unlink(datap);
    rmdir(dir);
    return got == 2 ? 0 : -1;
}

TEST(block_bootstrap_matches_numpy) {
    double x[203];
    for (int i = 0; i < 203; i++) x[i] = 1 + 0.1 * urand() + (i / 50 == 2 ? 0.3 : 0); /* one slow stretch */
    const size_t blocks[] = {10, 13, 0};
    for (int k = 0; k < 3; k++) {
        double lo, hi, rlo, rhi;
        CHECK(ia_stats_block_median_ci(x, 203, blocks[k], 0.95, 300, 99, &lo, &hi) == IA_OK);
        size_t used = blocks[k] ? blocks[k] : (203 + 15) / 16;
        int rc = block_oracle(x, 203, used, 99, 300, &rlo, &rhi);
        CHECK_MSG(rc == 0, "python3/numpy oracle did not run");
        if (!rc) CHECK_MSG(close_to(lo, rlo) && close_to(hi, rhi), "block %zu: [%.17g, %.17g], numpy [%.17g, %.17g]", used, lo, hi, rlo, rhi);
    }
    double lo, hi;
    CHECK(ia_stats_block_median_ci(x, 0, 0, 0.95, 0, 1, &lo, &hi) != IA_OK);
    CHECK(ia_stats_block_median_ci(x, 5, 0, 0.95, 100, 1, &lo, &hi) == IA_OK && lo >= 1 && hi <= 1.1); /* block = n */
}

TEST(block_bootstrap_widens_with_drift) {
    /* the same values, once shuffled (no drift) and once in the order of a steady drift: the iid bootstrap
     * cannot tell them apart, the block bootstrap gives the drifting order a wider interval */
    enum { N = 800 };
    double drift[N], mixed[N];
    for (int i = 0; i < N; i++) drift[i] = 1.0 + 0.2 * i / N + 0.01 * urand(); /* the machine slowing down steadily */
    memcpy(mixed, drift, sizeof drift);
    for (int i = N - 1; i > 0; i--) { int j = (int)(urand() * (i + 1)); double t = mixed[i]; mixed[i] = mixed[j]; mixed[j] = t; }
    double dlo, dhi, mlo, mhi, ilo, ihi, jlo, jhi;
    CHECK(ia_stats_block_median_ci(drift, N, 0, 0.95, 1000, 3, &dlo, &dhi) == IA_OK);
    CHECK(ia_stats_block_median_ci(mixed, N, 0, 0.95, 1000, 3, &mlo, &mhi) == IA_OK);
    CHECK(ia_stats_bootstrap_median_ci(drift, N, 0.95, 1000, 3, &ilo, &ihi) == IA_OK);
    CHECK(ia_stats_bootstrap_median_ci(mixed, N, 0.95, 1000, 3, &jlo, &jhi) == IA_OK);
    CHECK_MSG(dhi - dlo > 3 * (mhi - mlo), "block CI drifting %g, shuffled %g", dhi - dlo, mhi - mlo);
    CHECK_MSG(dhi - dlo > 3 * (ihi - ilo), "block CI %g, iid CI %g", dhi - dlo, ihi - ilo);
}

UNIT_MAIN(CASE(block_bootstrap_matches_numpy), CASE(block_bootstrap_widens_with_drift), CASE(large_n_median_ci_matches_numpy), CASE(summary_matches_numpy_continuous), CASE(summary_matches_numpy_with_ties_and_even_n), CASE(quantiles_small_cases),
          CASE(mann_whitney_exact_matches_enumeration), CASE(mann_whitney_rejects_empty))
