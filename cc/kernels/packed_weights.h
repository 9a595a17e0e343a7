// One weight matrix of a kernel, packed once (Pack, in Prepare) for its microkernels in its
// storage type (weights.h), and the product of activation rows with it in any of those types.
//
//   float32 / float16: the gate-interleaved layout of pack.h, 4 or 2 bytes an element;
//   int8:              k-grouped panels with per-column scales (pack.h, PackInt8Panels), used
//                      with activation rows centred and quantized per row
//                      (QuantizeActivations); the centre comes back through the column sums.
//
// The drivers keep their fused float32 cells for float32 weights; int8 and float16 weights go
// through Multiply (one GEMM-shaped microkernel call) and the cells' `product` input. float16
// weights small enough are widened to float32 once, in Pack, and take the fused cells instead
// (PackedStorage).
#ifndef TFLITE_RNN_OPS_KERNELS_PACKED_WEIGHTS_H_
#define TFLITE_RNN_OPS_KERNELS_PACKED_WEIGHTS_H_

#include <cstddef>
#include <cstdint>

#include "cc/kernels/aligned_buffer.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/thread_pool.h"
#include "cc/kernels/weights.h"

namespace tflite_rnn_ops {

// Activation rows quantized by QuantizeActivations, in scratch the kernel reserved.
// With centring (contract v4), row r is quantized as x - centres[r] (the midpoint of its range),
// so a row whose values are one-sided (ReLU outputs, positive h) uses the whole int8 range;
// Multiply adds centres[r] * (column sum of the dequantized weights) back to every output.
// Without it (v3, as TFLite's hybrid kernels) centres is null.
struct QuantizedRows {
  const void* q = nullptr;
  size_t stride = 0;  // elements
  const float* scales = nullptr;
  const float* centres = nullptr;
};

// Floats of scratch QuantizeActivations needs for `rows` rows of depth k (more with `centre`:
// the centres and the centred copy of the rows).
size_t QuantizedRowsFloats(const mk::Microkernels& mk, int rows, int k, bool centre);

// Quantizes rows of x ([rows, k] at x_stride) with the ISA's quantize_rows into `scratch`
// (QuantizedRowsFloats floats). Runs on the calling thread: quantize once per step, before the
// slices of Multiply, so every thread reads the same rows. With `centre`, each row is centred
// first (QuantizedRows::centres); without it the rows are quantized as they are (centres null).
QuantizedRows QuantizeActivations(const mk::Microkernels& mk, int rows, int k, const float* x,
                                  size_t x_stride, float* scratch, bool centre);

// Default of the kernels' float16_widen_bytes: half of this core's L2 (sysconf; 1 MiB when the
// OS does not say), read once.
size_t Float16WidenBytes();

// The type a kernel packs weights stored as `stored` in. float16 becomes float32 when the
// recurrent matrices' float32 copy (float32_bytes) is at most widen_bytes: in cache, the
// float16 step is bound by widening every weight every step (512-bit vcvtph2ps shares ports 0
// and 5 with the FMAs), not by the bytes it saves. LSTM(256) on the AVX-512 Xeon: 7.5 us a step
// in float16, 6.5 us in float32 (rnn_bench --input 1). Past L2 the halved bytes win instead
// (LSTM(512): float16 2.35x faster than float32). Widening is exact, so only the summation order
// of the fused cell differs from the float16 path's.
WeightType PackedStorage(WeightType stored, size_t float32_bytes, size_t widen_bytes);

class PackedWeights {
 public:
  // Sizes the buffers for a [k, gates*units] matrix. Allocates.
  // centre_rows (int8): MultiplyAll centres the activation rows (QuantizeActivations).
  void Init(const mk::Microkernels& mk, WeightType type, int k, int gates, int units,
            bool centre_rows = false);
  // src: [k, gates*units] at row stride src_stride elements, in the Init type, or float16 for
  // a float32 Init (widened here; Prepare time, so it may allocate).
  // Does not allocate.
  void Pack(const WeightMatrix& src, size_t src_stride);

  // out[r, panels s] = bias + a[r] @ W for r < rows (bias packed like PackGateBias, or null for
  // 0; float32 needs a bias). int8 reads `quantized` (a's rows quantized), the other types a.
  // Allocates nothing.
  // `backward`: visit the panels last to first (microkernels.h; the same bits).
  void Multiply(int rows, const float* a, size_t a_stride, const QuantizedRows& quantized,
                const float* bias, float* out, size_t out_stride, Slice s,
                bool backward = false) const;

  // Multiply over every panel, split over `pool` by panels (bit-identical for any pool). int8
  // first quantizes a's rows on the calling thread into quant_scratch (QuantScratchFloats).
  void MultiplyAll(int rows, const float* a, size_t a_stride, const float* bias, float* out,
                   size_t out_stride, float* quant_scratch, ThreadPool* pool,
                   bool backward = false) const;
  // Scratch floats MultiplyAll needs for `rows` rows: 0 unless int8.
  size_t QuantScratchFloats(int rows) const;

  WeightType type() const { return type_; }
  int k() const { return k_; }
  int panels() const { return panels_; }
  int panel_cols() const { return gates_ * mk_->vec; }
  // float32 layout for the fused float32 cells.
  const float* f32() const { return data_.data(); }

 private:
  void PackColumnSums(const WeightMatrix& src, size_t src_stride);
  void AddCentres(int rows, const float* centres, float* out, size_t out_stride, size_t col0,
                  size_t n) const;

  const mk::Microkernels* mk_ = nullptr;
  WeightType type_ = WeightType::kFloat32;
  int k_ = 0;
  int gates_ = 0;
  int units_ = 0;
  int panels_ = 0;
  bool centre_rows_ = false;
  AlignedFloats data_;    // packed elements of type_ (cache-line aligned float storage)
  AlignedFloats scales_;  // int8: [panels][gates*vec]
  AlignedFloats column_sums_;  // int8: sum_k q[k][c] * scale[c], the layout of scales_
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_PACKED_WEIGHTS_H_
