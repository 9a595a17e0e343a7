// The storage conversions the converter applies to weight matrices (python/tflite_rnn_ops does
// the same in NumPy), for C++ callers of the kernels, the tests and rnn_bench:
//   float16: IEEE binary16, round to nearest even (overflow to infinity);
//   int8:    symmetric per output column, s[n] = max_k |w[k][n]| / 127 (1 for an all-zero
//            column), q = round-half-even(w / s) clamped to [-127, 127].
#ifndef TFLITE_RNN_OPS_KERNELS_WEIGHT_CONVERSION_H_
#define TFLITE_RNN_OPS_KERNELS_WEIGHT_CONVERSION_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tflite_rnn_ops {

uint16_t FloatToHalf(float f);
float HalfToFloat(uint16_t h);

// w: [rows, cols] row-major. q gets rows*cols values, scales cols.
void QuantizeColumns(const float* w, size_t rows, size_t cols, std::vector<int8_t>* q,
                     std::vector<float>* scales);

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_WEIGHT_CONVERSION_H_
