#include "cc/kernels/pack.h"

#include <cassert>
#include <cstring>

namespace tflite_rnn_ops {

size_t PackedGateSize(int k, int gates, int units, int vec) {
  return static_cast<size_t>(k) * gates * PadUnits(units, vec);
}

namespace {

template <class T>
void PackInterleaved(const T* src, size_t src_stride, int k, int gates, int units, int vec,
                     T* dst) {
  assert(k >= 0 && gates > 0 && units > 0 && vec > 0);
  assert(src == nullptr || src_stride >= static_cast<size_t>(gates) * units);
  const int blocks = PadUnits(units, vec) / vec;
  for (int j = 0; j < blocks; ++j) {
    const int u0 = j * vec;
    const int width = units - u0 < vec ? units - u0 : vec;
    for (int kk = 0; kk < k; ++kk) {
      for (int g = 0; g < gates; ++g) {
        T* out = dst + ((static_cast<size_t>(j) * k + kk) * gates + g) * vec;
        std::memset(out, 0, sizeof(T) * vec);
        if (src == nullptr) continue;
        const T* in = src + kk * src_stride + static_cast<size_t>(g) * units + u0;
        std::memcpy(out, in, sizeof(T) * width);
      }
    }
  }
}

}  // namespace

void PackGateInterleaved(const float* src, size_t src_stride, int k, int gates, int units,
                         int vec, float* dst) {
  PackInterleaved(src, src_stride, k, gates, units, vec, dst);
}

void PackGateInterleavedF16(const uint16_t* src, size_t src_stride, int k, int gates, int units,
                            int vec, uint16_t* dst) {
  PackInterleaved(src, src_stride, k, gates, units, vec, dst);
}

size_t PackedInt8Size(int k, int gates, int units, int vec, int k_group) {
  const size_t groups = (static_cast<size_t>(k) + k_group - 1) / k_group;
  return groups * k_group * gates * PadUnits(units, vec);
}

void PackInt8Panels(const int8_t* src, const float* column_scales, size_t src_stride, int k,
                    int gates, int units, int vec, int k_group, int8_t* dst, float* dst_scales) {
  assert(src != nullptr && column_scales != nullptr && k >= 0 && k_group > 0);
  assert(src_stride >= static_cast<size_t>(gates) * units);
  const int blocks = PadUnits(units, vec) / vec;
  const int groups = (k + k_group - 1) / k_group;
  const int cols = gates * vec;
  for (int j = 0; j < blocks; ++j) {
    for (int c = 0; c < cols; ++c) {
      const int g = c / vec;
      const int u = j * vec + c % vec;
      const bool real = u < units;
      const size_t col = static_cast<size_t>(g) * units + u;
      dst_scales[j * cols + c] = real ? column_scales[col] : 0.0f;
      for (int kb = 0; kb < groups; ++kb) {
        for (int kk = 0; kk < k_group; ++kk) {
          const int row = kb * k_group + kk;
          int8_t* out = dst + ((static_cast<size_t>(j) * groups + kb) * cols + c) * k_group + kk;
          *out = real && row < k ? src[row * src_stride + col] : 0;
        }
      }
    }
  }
}

void PackGateBias(const float* src, int gates, int units, int vec, float* dst) {
  PackInterleaved(src, static_cast<size_t>(gates) * units, 1, gates, units, vec, dst);
}

}  // namespace tflite_rnn_ops
