// Exact IEEE binary16 -> binary32 widening in plain C++, for the ref microkernels and for tests.
// Internal linkage, see scalar_math.h.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_HALF_FLOAT_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_HALF_FLOAT_H_

#include <cstdint>
#include <cstring>

namespace tflite_rnn_ops {
namespace mk {
namespace {

inline float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1fu) {  // Inf / NaN (payload kept)
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal half: normalise (every one is a normal float)
    exponent = 113u;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_HALF_FLOAT_H_
