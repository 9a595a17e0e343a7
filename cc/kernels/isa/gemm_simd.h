// Input-projection GEMM shared by the SIMD variants: out = bias + a @ w on the gate-interleaved
// packed layout (pack.h). A tile is MR rows x one panel (NG gate vectors of one unit block);
// MR is the largest row count whose accumulators, broadcasts and one weight vector fit the
// register file, so the k loop never spills.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_GEMM_SIMD_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_GEMM_SIMD_H_

#include <cassert>
#include <cstddef>

#include "cc/kernels/isa/microkernels.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

template <class V, int NG>
constexpr int GemmRowTile() {
  return (V::kRegs - 1) / (NG + 1);
}

template <class V, int NG, int MR>
void GemmTile(const GemmArgs& p, int r0, int j) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  const float* a[MR];
  T acc[MR][NG];
  for (int r = 0; r < MR; ++r) a[r] = p.a + (r0 + r) * p.a_stride;
  for (int g = 0; g < NG; ++g) {
    const T b = V::Load(p.bias + (j * NG + g) * W);
    for (int r = 0; r < MR; ++r) acc[r][g] = b;
  }
  const float* w = p.w + static_cast<size_t>(j) * p.k * NG * W;
  for (int k = 0; k < p.k; ++k, w += NG * W) {
    T s[MR];
    for (int r = 0; r < MR; ++r) s[r] = V::Set1(a[r][k]);
    for (int g = 0; g < NG; ++g) {
      const T wv = V::Load(w + g * W);
      for (int r = 0; r < MR; ++r) acc[r][g] = V::Fma(s[r], wv, acc[r][g]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    float* out = p.out + (r0 + r) * p.out_stride + j * NG * W;
    for (int g = 0; g < NG; ++g) V::Store(out + g * W, acc[r][g]);
  }
}

// Remainder rows (fewer than MR) get their own fully unrolled instantiation.
template <class V, int NG, int MR>
void GemmTail(const GemmArgs& p, int r0, int rows, int j) {
  if constexpr (MR > 0) {
    if (rows == MR) return GemmTile<V, NG, MR>(p, r0, j);
    GemmTail<V, NG, MR - 1>(p, r0, rows, j);
  }
}

template <class V, int NG>
void GemmGates(const GemmArgs& p) {
  constexpr int MR = GemmRowTile<V, NG>();
  // Panel-outer: one panel's weights (k * NG * W floats) stay in L1/L2 across all row tiles.
  for (int j = 0; j < p.panels; ++j) {
    int r = 0;
    for (; r + MR <= p.rows; r += MR) GemmTile<V, NG, MR>(p, r, j);
    if (r < p.rows) GemmTail<V, NG, MR - 1>(p, r, p.rows - r, j);
  }
}

template <class V>
void GemmSimd(const GemmArgs& p) {
  assert(p.rows >= 0 && p.k >= 0 && p.panels > 0);
  assert(p.w != nullptr && p.bias != nullptr && p.out != nullptr);
  switch (p.gates) {
    case 1:
      return GemmGates<V, 1>(p);
    case 3:
      return GemmGates<V, 3>(p);
    case 4:
      return GemmGates<V, 4>(p);
    default:
      assert(false && "gates must be 1, 3 or 4");
  }
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_GEMM_SIMD_H_
