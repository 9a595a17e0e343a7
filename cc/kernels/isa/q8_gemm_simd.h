// int8-weight GEMM shared by the SIMD variants, on the k-grouped layout of microkernels.h:
//   out[r][c] = bias[c] + float(sum_k qa[r][k] * qw[k][c]) * (a_scales[r] * w_scales[c])
// Q is an ISA's integer dot-product primitive set (vec_*.h): Q::kCols columns per int32
// accumulator, Q::kKGroup k values per weight group (the layout's KG), Q::kStepGroups groups
// per step, and the loads, the multiply-accumulate and the float epilogue. The integer sums
// are exact, so every Q gives the ref bits; only the instruction choice differs, which is what
// a VNNI / sdot variant replaces.
//
// A tile is RB rows x one panel (NC accumulators of kCols columns); panel-outer, so a panel's
// weights stay in L1 across the row tiles of the input projection, and a lone row streams the
// whole matrix once.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_Q8_GEMM_SIMD_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_Q8_GEMM_SIMD_H_

#include <cassert>
#include <cstddef>
#include <cstdint>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/recurrent_simd.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

template <class Q, int NC>
constexpr int Q8RowTile() {
  constexpr int rb = (Q::kRegs - 2) / (NC + 1);
  return rb < 1 ? 1 : rb > 4 ? 4 : rb;
}

template <class Q, int RB, int NC>
void Q8Tile(const Q8GemmArgs& p, int r0, int j, int groups) {
  using Acc = typename Q::Acc;
  constexpr int C = Q::kCols;
  constexpr int KG = Q::kKGroup;
  constexpr int S = Q::kStepGroups;
  const size_t group_bytes = static_cast<size_t>(p.panel_cols) * KG;
  const int8_t* w = p.w + static_cast<size_t>(j) * groups * group_bytes;
  const char* a[RB];
  for (int r = 0; r < RB; ++r) {
    a[r] = static_cast<const char*>(p.a) + (r0 + r) * p.a_stride * Q::kActBytes;
  }
  Acc acc[RB][NC];
  for (int r = 0; r < RB; ++r) {
    for (int c = 0; c < NC; ++c) acc[r][c] = Q::Zero();
  }
  const int steps = groups / S;
  for (int i = 0; i < steps; ++i) {
    typename Q::A av[RB];
    for (int r = 0; r < RB; ++r) av[r] = Q::LoadA(a[r], i * S);
    const int8_t* ws = w + static_cast<size_t>(i) * S * group_bytes;
    for (int c = 0; c < NC; ++c) {
      const typename Q::Wv wv = Q::LoadW(ws + c * C * KG, group_bytes);
      for (int r = 0; r < RB; ++r) acc[r][c] = Q::Madd(acc[r][c], av[r], wv);
    }
  }
  int kb = steps * S;
  w += static_cast<size_t>(kb) * group_bytes;
  if constexpr (S > 1) {  // the groups left over by multi-group steps
    for (; kb < groups; ++kb, w += group_bytes) {
      typename Q::A av[RB];
      for (int r = 0; r < RB; ++r) av[r] = Q::LoadATail(a[r], kb);
      for (int c = 0; c < NC; ++c) {
        const typename Q::Wv wv = Q::LoadWTail(w + c * C * KG);
        for (int r = 0; r < RB; ++r) acc[r][c] = Q::Madd(acc[r][c], av[r], wv);
      }
    }
  }
  const size_t col0 = static_cast<size_t>(j) * p.panel_cols;
  for (int r = 0; r < RB; ++r) {
    float* out = p.out + (r0 + r) * p.out_stride + col0;
    for (int c = 0; c < NC; ++c) {
      Q::Store(out + c * C, p.bias != nullptr ? p.bias + col0 + c * C : nullptr, acc[r][c],
               p.a_scales[r0 + r], p.w_scales + col0 + c * C);
    }
  }
}

// Remainder rows (fewer than a full tile) get their own fully unrolled instantiation.
template <class Q, int NC, int RB>
void Q8Tail(const Q8GemmArgs& p, int r0, int rows, int j, int groups) {
  if constexpr (RB > 0) {
    if (rows == RB) return Q8Tile<Q, RB, NC>(p, r0, j, groups);
    Q8Tail<Q, NC, RB - 1>(p, r0, rows, j, groups);
  }
}

template <class Q, int NC>
void Q8Panels(const Q8GemmArgs& p) {
  constexpr int RB = Q8RowTile<Q, NC>();
  const int groups = (p.k + Q::kKGroup - 1) / Q::kKGroup;
  for (int jj = 0; jj < p.panels; ++jj) {
    const int j = PanelAt(jj, p.panels, p.backward);
    int r = 0;
    for (; r + RB <= p.rows; r += RB) Q8Tile<Q, RB, NC>(p, r, j, groups);
    if (r < p.rows) Q8Tail<Q, NC, RB - 1>(p, r, p.rows - r, j, groups);
  }
}

template <class Q>
void Q8GemmSimd(const Q8GemmArgs& p) {
  assert(p.rows >= 0 && p.k >= 0 && p.panels > 0 && p.panel_cols % Q::kCols == 0);
  assert(p.a != nullptr && p.a_scales != nullptr && p.w != nullptr && p.w_scales != nullptr);
  switch (p.panel_cols / Q::kCols) {
    case 1: return Q8Panels<Q, 1>(p);
    case 2: return Q8Panels<Q, 2>(p);
    case 3: return Q8Panels<Q, 3>(p);
    case 4: return Q8Panels<Q, 4>(p);
    case 6: return Q8Panels<Q, 6>(p);
    case 8: return Q8Panels<Q, 8>(p);
    default: assert(false && "panel_cols / kCols must be 1, 2, 3, 4, 6 or 8");
  }
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_Q8_GEMM_SIMD_H_
