// float16-weight GEMM shared by the SIMD variants: out = bias + a @ widen(w) on the
// gate-interleaved layout of pack.h with binary16 elements. A panel of panel_cols columns is
// NC = panel_cols / W vectors of V (so an ISA can run a wider layout on narrower vectors).
// Panel-outer like the float32 GEMM, and AccumulateBlock's k-splits (KSplit) keep enough FMA
// chains in flight for a lone row (the batch-1 recurrent product).
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_F16_GEMM_SIMD_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_F16_GEMM_SIMD_H_

#include <cassert>
#include <cstddef>
#include <cstdint>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/recurrent_simd.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

template <class V, int RB, int NC>
void F16GemmTile(const F16GemmArgs& p, int r0, int j) {
  using T = typename V::T;
  constexpr int W = V::kWidth;
  const float* a[RB];
  T z[RB][NC];
  for (int r = 0; r < RB; ++r) a[r] = p.a + (r0 + r) * p.a_stride;
  for (int c = 0; c < NC; ++c) {
    const T b = p.bias != nullptr ? V::Load(p.bias + (j * NC + c) * W) : V::Zero();
    for (int r = 0; r < RB; ++r) z[r][c] = b;
  }
  AccumulateBlock<V, RB, NC>(a, p.k, p.w + static_cast<size_t>(j) * p.k * NC * W, z);
  for (int r = 0; r < RB; ++r) {
    float* out = p.out + (r0 + r) * p.out_stride + j * NC * W;
    for (int c = 0; c < NC; ++c) V::Store(out + c * W, z[r][c]);
  }
}

template <class V, int NC>
void F16GemmPanels(const F16GemmArgs& p) {
  for (int jj = 0; jj < p.panels; ++jj) {
    const int j = PanelAt(jj, p.panels, p.backward);
    if constexpr (NC > 4) {  // wide panels (a 16-lane layout on 8-lane vectors): one row
      for (int r = 0; r < p.rows; ++r) F16GemmTile<V, 1, NC>(p, r, j);
    } else {
      ForRowTiles<V>(p.rows, [&](auto rb, int r0) {
        F16GemmTile<V, decltype(rb)::value, NC>(p, r0, j);
      });
    }
  }
}

template <class V>
void F16GemmSimd(const F16GemmArgs& p) {
  assert(p.rows >= 0 && p.k >= 0 && p.panels > 0 && p.panel_cols % V::kWidth == 0);
  assert(p.a != nullptr && p.w != nullptr && p.out != nullptr);
  switch (p.panel_cols / V::kWidth) {
    case 1: return F16GemmPanels<V, 1>(p);
    case 2: return F16GemmPanels<V, 2>(p);
    case 3: return F16GemmPanels<V, 3>(p);
    case 4: return F16GemmPanels<V, 4>(p);
    case 6: return F16GemmPanels<V, 6>(p);
    case 8: return F16GemmPanels<V, 8>(p);
    default: assert(false && "panel_cols / width must be 1, 2, 3, 4, 6 or 8");
  }
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_F16_GEMM_SIMD_H_
