// The activation quantization rule of the scheme (microkernels.h, QuantizeRowsArgs) in scalar
// C++: the ref microkernel, and the per-row scale every SIMD variant must reproduce bit for bit.
// Internal linkage, see scalar_math.h.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_QUANTIZE_SCALAR_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_QUANTIZE_SCALAR_H_

#include <cmath>
#include <cstddef>

#include "cc/kernels/isa/microkernels.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

// max |x[k]|, NaN as soon as one element is NaN (a plain max would drop it).
inline float MaxAbsScalar(const float* x, int k) {
  float m = 0.0f;
  for (int i = 0; i < k; ++i) {
    const float a = std::fabs(x[i]);
    if (!(a <= m)) m = a;  // also taken for NaN, which then sticks: nothing compares above it
    if (m != m) break;
  }
  return m;
}

// 127 / m when the row quantizes, else 0 (zero, Inf, NaN, or so tiny that 127 / m overflows).
inline float QuantizeInverse(float m) {
  if (!(m > 0.0f)) return 0.0f;
  const float inv = 127.0f / m;
  return std::isfinite(inv) && std::isfinite(m) ? inv : 0.0f;
}

inline float QuantizeRowScale(float m, float inv) { return inv != 0.0f ? m / 127.0f : m; }

// One element: rint under the default round-to-nearest-even mode. The clamp before rint is the
// same as after it (+-127 are integers) and keeps nearbyint in range.
inline int QuantizeElement(float x, float inv) {
  const float y = std::fmin(std::fmax(x * inv, -127.0f), 127.0f);
  return static_cast<int>(std::nearbyint(y));
}

template <class Q>
void QuantizeRowsScalar(const QuantizeRowsArgs& p, int k_group) {
  const int padded = (p.k + k_group - 1) / k_group * k_group;
  for (int r = 0; r < p.rows; ++r) {
    const float* x = p.x + r * p.x_stride;
    Q* q = static_cast<Q*>(p.q) + r * p.q_stride;
    const float m = MaxAbsScalar(x, p.k);
    const float inv = QuantizeInverse(m);
    p.scales[r] = QuantizeRowScale(m, inv);
    for (int i = 0; i < p.k; ++i) {
      q[i] = static_cast<Q>(inv != 0.0f ? QuantizeElement(x[i], inv) : 0);
    }
    for (int i = p.k; i < padded; ++i) q[i] = 0;
  }
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_QUANTIZE_SCALAR_H_
