#include "cc/kernels/weight_conversion.h"

#include <algorithm>
#include <cmath>

#include "cc/kernels/isa/half_float.h"

namespace tflite_rnn_ops {

uint16_t FloatToHalf(float f) {
  const uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  const float a = std::fabs(f);
  if (std::isnan(a)) return 0x7e00;
  if (a >= 65520.0f) return static_cast<uint16_t>(sign | 0x7c00);  // rounds to infinity
  if (a < 6.103515625e-05f) {  // half subnormals are multiples of 2^-24 (exact scaling, RNE)
    return static_cast<uint16_t>(sign | static_cast<int>(std::nearbyint(a * 16777216.0f)));
  }
  int e = 0;
  const float mant = std::frexp(a, &e);  // a = mant * 2^e, mant in [0.5, 1)
  const int m = static_cast<int>(std::nearbyint((mant * 2.0f - 1.0f) * 1024.0f));
  // A mantissa rounded up to 1024 carries into the exponent, as it should.
  return static_cast<uint16_t>(sign | (((e - 1 + 15) << 10) + m));
}

float HalfToFloat(uint16_t h) { return mk::HalfToFloat(h); }

void QuantizeColumns(const float* w, size_t rows, size_t cols, std::vector<int8_t>* q,
                     std::vector<float>* scales) {
  q->resize(rows * cols);
  scales->resize(cols);
  for (size_t c = 0; c < cols; ++c) {
    float mx = 0.0f;
    for (size_t k = 0; k < rows; ++k) mx = std::max(mx, std::fabs(w[k * cols + c]));
    const float scale = mx > 0.0f ? mx / 127.0f : 1.0f;
    (*scales)[c] = scale;
    for (size_t k = 0; k < rows; ++k) {
      const float v = std::nearbyint(w[k * cols + c] / scale);
      (*q)[k * cols + c] = static_cast<int8_t>(std::fmin(std::fmax(v, -127.0f), 127.0f));
    }
  }
}

}  // namespace tflite_rnn_ops
