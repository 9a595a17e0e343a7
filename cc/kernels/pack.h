// Weight packing shared by every recurrent kernel.
//
// Keras stores gate matrices gate-major: [K, G*U], columns gate g unit u at g*U + u. The
// microkernels want, for one block of `vec` units, all G gates of those units side by side so
// one pass over k fills G accumulators per row and the cell update can run in registers:
//
//   packed[j][k][g][v] = src[k][g*U + j*vec + v]     (0 for j*vec + v >= U: padding)
//
// Blocks are contiguous, so the recurrent step streams the weights of block j linearly.
#ifndef TFLITE_RNN_OPS_KERNELS_PACK_H_
#define TFLITE_RNN_OPS_KERNELS_PACK_H_

#include <cstddef>

namespace tflite_rnn_ops {

inline int PadUnits(int units, int vec) { return (units + vec - 1) / vec * vec; }

// Floats needed by PackGateInterleaved (k rows) or PackGateBias (k = 1).
size_t PackedGateSize(int k, int gates, int units, int vec);

// src: [k, gates*units] row-major with row stride src_stride (>= gates*units); null = zeros.
void PackGateInterleaved(const float* src, size_t src_stride, int k, int gates, int units,
                         int vec, float* dst);

// src: [gates*units] or null (zeros). Output layout: [j][g][v].
void PackGateBias(const float* src, int gates, int units, int vec, float* dst);

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_PACK_H_
