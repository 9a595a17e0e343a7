// Input-projection GEMM shared by the SIMD variants: out = bias + a @ w on the gate-interleaved
// packed layout (pack.h). A tile is MR rows x NP panels (NG gate vectors of a unit block each);
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

// Panels per tile: where 8 rows x 2 panels fit the registers (32-register ISAs), one-gate cells
// (SimpleRNN) take two unit blocks at once, so each broadcast input feeds two FMAs (an MR x 1
// tile issues a load per FMA). 8 rows because the driver projects 16 steps at a time
// (input_projection.h): a batch-1 chunk is two whole tiles.
template <class V, int NG>
constexpr int GemmPanelTile() {
  return NG == 1 && V::kRegs >= 32 ? 2 : 1;
}

template <class V, int NG, int NP>
constexpr int GemmRowTile() {
  return NP == 2 ? 8 : (V::kRegs - 1) / (NG + 1);
}

// MR rows x NP panels (unit blocks j .. j + NP - 1, NG gate vectors each).
template <class V, int NG, int NP, int MR>
void GemmTile(const GemmArgs& p, int r0, int j) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  const float* a[MR];
  T acc[MR][NP][NG];
  for (int r = 0; r < MR; ++r) a[r] = p.a + (r0 + r) * p.a_stride;
  const float* w[NP];
  for (int q = 0; q < NP; ++q) {
    w[q] = p.w + static_cast<size_t>(j + q) * p.k * NG * W;
    for (int g = 0; g < NG; ++g) {
      const T b = V::Load(p.bias + ((j + q) * NG + g) * W);
      for (int r = 0; r < MR; ++r) acc[r][q][g] = b;
    }
  }
  for (int k = 0; k < p.k; ++k) {
    T s[MR];
    for (int r = 0; r < MR; ++r) s[r] = V::Set1(a[r][k]);
    for (int q = 0; q < NP; ++q) {
      for (int g = 0; g < NG; ++g) {
        const T wv = V::Load(w[q] + (static_cast<size_t>(k) * NG + g) * W);
        for (int r = 0; r < MR; ++r) acc[r][q][g] = V::Fma(s[r], wv, acc[r][q][g]);
      }
    }
  }
  for (int r = 0; r < MR; ++r) {
    float* out = p.out + (r0 + r) * p.out_stride + j * NG * W;
    for (int q = 0; q < NP; ++q) {
      for (int g = 0; g < NG; ++g) V::Store(out + (q * NG + g) * W, acc[r][q][g]);
    }
  }
}

// Remainder rows (fewer than MR) get their own fully unrolled instantiation.
template <class V, int NG, int NP, int MR>
void GemmTail(const GemmArgs& p, int r0, int rows, int j) {
  if constexpr (MR > 0) {
    if (rows == MR) return GemmTile<V, NG, NP, MR>(p, r0, j);
    GemmTail<V, NG, NP, MR - 1>(p, r0, rows, j);
  }
}

// Panels j .. j + NP - 1 for all rows.
template <class V, int NG, int NP>
void GemmPanels(const GemmArgs& p, int j) {
  constexpr int MR = GemmRowTile<V, NG, NP>();
  int r = 0;
  for (; r + MR <= p.rows; r += MR) GemmTile<V, NG, NP, MR>(p, r, j);
  if (r < p.rows) GemmTail<V, NG, NP, MR - 1>(p, r, p.rows - r, j);
}

template <class V, int NG>
void GemmGates(const GemmArgs& p) {
  constexpr int NP = GemmPanelTile<V, NG>();
  // Panel-outer: a tile's weights (k * NP * NG * W floats) stay in L1/L2 across all row tiles.
  int j = 0;
  for (; j + NP <= p.panels; j += NP) GemmPanels<V, NG, NP>(p, j);
  if constexpr (NP > 1) {
    for (; j < p.panels; ++j) GemmPanels<V, NG, 1>(p, j);
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
