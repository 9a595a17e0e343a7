// Weight packing shared by every recurrent kernel.
//
// Keras stores gate matrices gate-major: [K, G*U], columns gate g unit u at g*U + u. The
// microkernels want, for one block of `vec` units, all G gates of those units side by side so
// one pass over k fills G accumulators per row and the cell update can run in registers:
//
//   packed[j][k][g][v] = src[k][g*U + j*vec + v]     (0 for j*vec + v >= U: padding)
//
// Blocks are contiguous, so the recurrent step streams the weights of block j linearly.
// float16 weights use the same layout with 16-bit elements (widened as the microkernels load).
//
// int8 weights group k by the ISA's k group KG (microkernels.h, "int8 layout"): with the C =
// gates*vec columns of block j in the order above (c = g*vec + v),
//
//   packed[j][kb][c][kk] = src[kb*KG + kk][g*U + j*vec + v]   (0 past k and in the padding)
//   scales[j][c]         = column_scales[g*U + j*vec + v]     (0 in the padding)
//
// so a KG-deep slice of one column is contiguous, as pair (KG = 2) and quad (KG = 4) integer
// dot-product instructions read it.
#ifndef TFLITE_RNN_OPS_KERNELS_PACK_H_
#define TFLITE_RNN_OPS_KERNELS_PACK_H_

#include <cstddef>
#include <cstdint>

namespace tflite_rnn_ops {

inline int PadUnits(int units, int vec) { return (units + vec - 1) / vec * vec; }

// Floats needed by PackGateInterleaved (k rows) or PackGateBias (k = 1).
size_t PackedGateSize(int k, int gates, int units, int vec);

// src: [k, gates*units] row-major with row stride src_stride (>= gates*units); null = zeros.
void PackGateInterleaved(const float* src, size_t src_stride, int k, int gates, int units,
                         int vec, float* dst);

// src: [gates*units] or null (zeros). Output layout: [j][g][v].
void PackGateBias(const float* src, int gates, int units, int vec, float* dst);

// PackGateInterleaved for binary16 bits (same element count, PackedGateSize).
void PackGateInterleavedF16(const uint16_t* src, size_t src_stride, int k, int gates, int units,
                            int vec, uint16_t* dst);

// Bytes needed by PackInt8Panels: k rounded up to k_group.
size_t PackedInt8Size(int k, int gates, int units, int vec, int k_group);

// src: int8 [k, gates*units] at row stride src_stride, column_scales [gates*units] (src's
// columns, i.e. already offset like src). dst: PackedInt8Size bytes; dst_scales: PackedGateSize(1,
// gates, units, vec) floats.
void PackInt8Panels(const int8_t* src, const float* column_scales, size_t src_stride, int k,
                    int gates, int units, int vec, int k_group, int8_t* dst, float* dst_scales);

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_PACK_H_
