// Activation-row quantization shared by the SIMD variants (the rule: microkernels.h,
// QuantizeRowsArgs). The per-row scale logic is quantize_scalar.h's, so it is the same code on
// every ISA; Q (vec_*.h) supplies the NaN-propagating max |x| and the vector rounding of
// Q::kQuantizeWidth elements into Q::ActElem (int8 or int16). Vector and scalar rounding agree:
// both clamp x * inv to +-127 and round to nearest even.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_QUANTIZE_ROWS_SIMD_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_QUANTIZE_ROWS_SIMD_H_

#include <cassert>
#include <cstddef>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/quantize_scalar.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

template <class Q>
void QuantizeRowsSimd(const QuantizeRowsArgs& p) {
  using E = typename Q::ActElem;
  constexpr int W = Q::kQuantizeWidth;
  const int padded = (p.k + Q::kKGroup - 1) / Q::kKGroup * Q::kKGroup;
  assert(p.rows >= 0 && p.k >= 0 && p.q_stride >= static_cast<size_t>(padded));
  for (int r = 0; r < p.rows; ++r) {
    const float* x = p.x + r * p.x_stride;
    E* q = static_cast<E*>(p.q) + r * p.q_stride;
    const float m = Q::MaxAbs(x, p.k);
    const float inv = QuantizeInverse(m);
    p.scales[r] = QuantizeRowScale(m, inv);
    int i = 0;
    if (inv != 0.0f) {
      for (; i + W <= p.k; i += W) Q::QuantizeChunk(x + i, inv, q + i);
      for (; i < p.k; ++i) q[i] = static_cast<E>(QuantizeElement(x[i], inv));
    }
    for (; i < padded; ++i) q[i] = 0;
  }
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_QUANTIZE_ROWS_SIMD_H_
