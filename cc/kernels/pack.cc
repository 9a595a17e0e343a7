#include "cc/kernels/pack.h"

#include <cassert>
#include <cstring>

namespace tflite_rnn_ops {

size_t PackedGateSize(int k, int gates, int units, int vec) {
  return static_cast<size_t>(k) * gates * PadUnits(units, vec);
}

void PackGateInterleaved(const float* src, size_t src_stride, int k, int gates, int units,
                         int vec, float* dst) {
  assert(k >= 0 && gates > 0 && units > 0 && vec > 0);
  assert(src == nullptr || src_stride >= static_cast<size_t>(gates) * units);
  const int blocks = PadUnits(units, vec) / vec;
  for (int j = 0; j < blocks; ++j) {
    const int u0 = j * vec;
    const int width = units - u0 < vec ? units - u0 : vec;
    for (int kk = 0; kk < k; ++kk) {
      for (int g = 0; g < gates; ++g) {
        float* out = dst + ((static_cast<size_t>(j) * k + kk) * gates + g) * vec;
        std::memset(out, 0, sizeof(float) * vec);
        if (src == nullptr) continue;
        const float* in = src + kk * src_stride + static_cast<size_t>(g) * units + u0;
        std::memcpy(out, in, sizeof(float) * width);
      }
    }
  }
}

void PackGateBias(const float* src, int gates, int units, int vec, float* dst) {
  PackGateInterleaved(src, static_cast<size_t>(gates) * units, 1, gates, units, vec, dst);
}

}  // namespace tflite_rnn_ops
