/* Unit tests of the samplers: distributions after repetition penalty, temperature, top-k, top-p and
 * min-p on fixed logits against the same math computed here in long double, and seeded draws. */
#include <math.h>
#include <stdlib.h>
#include "ipfs_accelerate.h"
#include "ia/generate.h"
#include "unit.h"

static const float L[8] = {1.5f, -0.25f, 3.0f, 0.0f, 2.25f, -2.0f, 3.0f, 0.75f};

/* softmax(logits / temp) in long double */
static void ref_softmax(const float *l, size_t n, double temp, long double *p) {
    long double mx = -INFINITY, s = 0;
    for (size_t i = 0; i < n; i++) if (l[i] / temp > mx) mx = l[i] / temp;
    for (size_t i = 0; i < n; i++) s += (p[i] = expl(l[i] / temp - mx));
    for (size_t i = 0; i < n; i++) p[i] /= s;
}

static int close_to(double a, long double b) { return fabsl((long double)a - b) < 1e-12L; }

TEST(greedy_is_argmax_lowest_on_ties) {
    ia_gen_params p;
    ia_gen_params_init(&p);
    double pr[8];
    CHECK(ia_sampling_distribution(L, 8, &p, NULL, 0, pr) == IA_OK);
    for (int i = 0; i < 8; i++) CHECK(pr[i] == (i == 2 ? 1.0 : 0.0)); /* ids 2 and 6 tie at 3.0 */
}

TEST(temperature_matches_softmax) {
    ia_gen_params p;
    ia_gen_params_init(&p);
    p.greedy = 0;
    p.temperature = 0.7f;
    double pr[8];
    long double ref[8];
    CHECK(ia_sampling_distribution(L, 8, &p, NULL, 0, pr) == IA_OK);
    ref_softmax(L, 8, (double)0.7f, ref);
    for (int i = 0; i < 8; i++) CHECK_MSG(close_to(pr[i], ref[i]), "id %d: %g vs %Lg", i, pr[i], ref[i]);
}

TEST(top_k_keeps_the_k_largest) {
    ia_gen_params p;
    ia_gen_params_init(&p);
    p.greedy = 0;
    p.top_k = 3; /* 3.0 (ids 2, 6) and 2.25 (id 4) */
    double pr[8];
    long double ref[8];
    CHECK(ia_sampling_distribution(L, 8, &p, NULL, 0, pr) == IA_OK);
    ref_softmax(L, 8, 1.0, ref);
    long double kept = ref[2] + ref[6] + ref[4];
    for (int i = 0; i < 8; i++) {
        long double want = (i == 2 || i == 6 || i == 4) ? ref[i] / kept : 0;
        CHECK_MSG(close_to(pr[i], want), "id %d: %g vs %Lg", i, pr[i], want);
    }
}

TEST(top_p_smallest_set_reaching_mass) {
    ia_gen_params p;
    ia_gen_params_init(&p);
    p.greedy = 0;
    long double ref[8];
    ref_softmax(L, 8, 1.0, ref);
    /* order by probability: 2, 6, 4, 0, 7, 3, 1, 5; choose top_p between the 3- and 4-token masses */
    long double m3 = ref[2] + ref[6] + ref[4], m4 = m3 + ref[0];
    p.top_p = (float)((m3 + m4) / 2);
    double pr[8];
    CHECK(ia_sampling_distribution(L, 8, &p, NULL, 0, pr) == IA_OK);
    for (int i = 0; i < 8; i++) {
        long double want = (i == 2 || i == 6 || i == 4 || i == 0) ? ref[i] / m4 : 0;
        CHECK_MSG(close_to(pr[i], want), "id %d: %g vs %Lg", i, pr[i], want);
    }
    /* just below the 3-token mass: exactly 3 tokens */
    p.top_p = (float)(m3 - 1e-4L);
    CHECK(ia_sampling_distribution(L, 8, &p, NULL, 0, pr) == IA_OK);
    int kept = 0;
    for (int i = 0; i < 8; i++) kept += pr[i] > 0;
    CHECK(kept == 3 && pr[0] == 0 && pr[4] > 0);
}

TEST(min_p_threshold_relative_to_max) {
    ia_gen_params p;
    ia_gen_params_init(&p);
    p.greedy = 0;
    long double ref[8];
    ref_softmax(L, 8, 1.0, ref);
    /* p(id 0) / p(max) = exp(1.5 - 3); keep ids with ratio >= min_p */
    p.min_p = (float)expl(-1.6L); /* keeps ids 2, 6, 4 (ratio e^-0.75), 0 (e^-1.5); drops 7 (e^-2.25) */
    double pr[8];
    CHECK(ia_sampling_distribution(L, 8, &p, NULL, 0, pr) == IA_OK);
    long double kept = ref[2] + ref[6] + ref[4] + ref[0];
    for (int i = 0; i < 8; i++) {
        long double want = (i == 2 || i == 6 || i == 4 || i == 0) ? ref[i] / kept : 0;
        CHECK_MSG(close_to(pr[i], want), "id %d: %g vs %Lg", i, pr[i], want);
    }
}

TEST(repetition_penalty_divides_positive_multiplies_negative) {
    ia_gen_params p;
    ia_gen_params_init(&p);
    p.greedy = 0;
    p.repetition_penalty = 1.3f;
    int64_t hist[] = {2, 1, 2}; /* id 2 twice: penalised once */
    float adj[8];
    for (int i = 0; i < 8; i++) adj[i] = L[i];
    adj[2] = L[2] / 1.3f;
    adj[1] = L[1] * 1.3f;
    long double ref[8];
    ref_softmax(adj, 8, 1.0, ref);
    double pr[8];
    CHECK(ia_sampling_distribution(L, 8, &p, hist, 3, pr) == IA_OK);
    for (int i = 0; i < 8; i++) CHECK_MSG(fabsl(pr[i] - ref[i]) < 1e-6L, "id %d: %g vs %Lg", i, pr[i], ref[i]);
    CHECK(pr[6] > pr[2]);
}

TEST(bad_parameters_are_errors) {
    ia_gen_params p;
    ia_gen_params_init(&p);
    p.greedy = 0;
    double pr[8];
    p.temperature = 0;
    CHECK(ia_sampling_distribution(L, 8, &p, NULL, 0, pr) == IA_ERR_INVALID_ARG);
    p.temperature = 1;
    p.top_p = 1.5f;
    CHECK(ia_sampling_distribution(L, 8, &p, NULL, 0, pr) == IA_ERR_INVALID_ARG);
    p.top_p = 1;
    p.top_k = -1;
    CHECK(ia_sampling_distribution(L, 8, &p, NULL, 0, pr) == IA_ERR_INVALID_ARG);
}

TEST(seed_reproduces_and_draws_follow_distribution) {
    double probs[4] = {0.1, 0.0, 0.6, 0.3};
    ia_rng a, b, c;
    ia_rng_seed(&a, 42);
    ia_rng_seed(&b, 42);
    ia_rng_seed(&c, 43);
    int same = 1, differ = 0;
    long count[4] = {0};
    const int N = 200000;
    for (int i = 0; i < N; i++) {
        size_t x = ia_sample_from(probs, 4, &a), y = ia_sample_from(probs, 4, &b), z = ia_sample_from(probs, 4, &c);
        same &= x == y;
        differ |= x != z;
        count[x]++;
    }
    CHECK(same);
    CHECK(differ);
    CHECK(count[1] == 0);
    /* within 5 standard deviations of the binomial expectation */
    for (int i = 0; i < 4; i++) {
        double e = N * probs[i], sd = sqrt(N * probs[i] * (1 - probs[i]));
        CHECK_MSG(fabs(count[i] - e) <= 5 * sd + 1e-9, "id %d: %ld draws, expected %.0f", i, count[i], e);
    }
    for (int i = 0; i < 1000; i++) {
        double u = ia_rng_uniform(&a);
        CHECK(u >= 0 && u < 1);
    }
}

UNIT_MAIN(CASE(greedy_is_argmax_lowest_on_ties), CASE(temperature_matches_softmax), CASE(top_k_keeps_the_k_largest),
          CASE(top_p_smallest_set_reaching_mass), CASE(min_p_threshold_relative_to_max),
          CASE(repetition_penalty_divides_positive_multiplies_negative), CASE(bad_parameters_are_errors),
          CASE(seed_reproduces_and_draws_follow_distribution))
