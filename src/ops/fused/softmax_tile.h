/* The Attention kernel's online-softmax step over one row of a score tile (softmax_tile.c). */
#ifndef IA_OPS_FUSED_SOFTMAX_TILE_H
#define IA_OPS_FUSED_SOFTMAX_TILE_H

#include <stdint.h>

/* For the kn scores of one query row in sr: scales them (divides by `scale` when div, else
 * multiplies), adds the mask row mr (element c at mr[c * m_col]; mr may be NULL), then turns
 * them into e^(score - m) with m the running max (*mx, updated), adds their sum to the running
 * sum (*sum = *sum * corr + tile sum) and returns corr = e^(old max - new max), the factor the
 * caller applies to its accumulated output row. */
float ia__softmax_tile(float *sr, int64_t kn, float scale, int div, const float *mr, int64_t m_col, float *mx,
                       float *sum);

#endif
