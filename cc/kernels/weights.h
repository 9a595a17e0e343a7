// A weight matrix as the kernels receive it: Keras layout [K, N] row-major (N = gates * units),
// in one of three storage types. The kernels pack it once (Pack, in Prepare) into their own
// layout for that type; Run never converts or repacks.
//
//   kFloat32: data is float[K * N].
//   kFloat16: data is IEEE binary16 bits, uint16_t[K * N]; the kernels widen to float32 as they
//             load (no float32 copy is kept).
//   kInt8:    data is int8_t[K * N], symmetric per output column: w[k][n] = data[k][n] * scales[n],
//             every scale finite and > 0 (the op glue checks; the kernels assert).
//
// The storage type of every matrix of a kernel is fixed at Init through its options'
// weight_type; biases and peephole diagonals stay float32 whatever it is.
#ifndef TFLITE_RNN_OPS_KERNELS_WEIGHTS_H_
#define TFLITE_RNN_OPS_KERNELS_WEIGHTS_H_

#include <cstddef>
#include <cstdint>

#include "cc/kernels/isa/types.h"

namespace tflite_rnn_ops {

struct WeightMatrix {
  WeightMatrix() = default;
  // Implicit on purpose: a plain float pointer is a float32 matrix, as before quantization.
  WeightMatrix(const float* f32) : data(f32) {}  // NOLINT(google-explicit-constructor)
  static WeightMatrix Float16(const uint16_t* bits) {
    WeightMatrix m;
    m.type = WeightType::kFloat16;
    m.data = bits;
    return m;
  }
  static WeightMatrix Int8(const int8_t* values, const float* column_scales) {
    WeightMatrix m;
    m.type = WeightType::kInt8;
    m.data = values;
    m.scales = column_scales;
    return m;
  }

  // The same matrix starting at column `first` (row stride unchanged): e.g. GRU's h gate, the
  // last U of 3U columns.
  WeightMatrix Columns(size_t first) const {
    WeightMatrix m = *this;
    if (data == nullptr) return m;
    m.data = static_cast<const char*>(data) + first * ElementBytes(type);
    if (scales != nullptr) m.scales = scales + first;
    return m;
  }

  bool empty() const { return data == nullptr; }
  const float* f32() const { return static_cast<const float*>(data); }
  const uint16_t* f16() const { return static_cast<const uint16_t*>(data); }
  const int8_t* i8() const { return static_cast<const int8_t*>(data); }

  static size_t ElementBytes(WeightType t) {
    return t == WeightType::kFloat32 ? 4 : t == WeightType::kFloat16 ? 2 : 1;
  }

  WeightType type = WeightType::kFloat32;
  const void* data = nullptr;
  const float* scales = nullptr;  // kInt8 only: [N]
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_WEIGHTS_H_
