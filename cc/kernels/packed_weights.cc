#include "cc/kernels/packed_weights.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

#include <unistd.h>

#include "cc/kernels/pack.h"
#include "cc/kernels/weight_conversion.h"

namespace tflite_rnn_ops {
namespace {

size_t QuantizedStride(const mk::Microkernels& mk, int k) {
  return (static_cast<size_t>(k) + mk.q8_k_group - 1) / mk.q8_k_group * mk.q8_k_group;
}

size_t FloatsFor(size_t bytes) {
  return RoundToCacheLine((bytes + sizeof(float) - 1) / sizeof(float));
}

}  // namespace

size_t Float16WidenBytes() {
  static const size_t bytes = [] {
    long l2 = -1;
#ifdef _SC_LEVEL2_CACHE_SIZE
    l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
    return l2 > 0 ? static_cast<size_t>(l2) / 2 : size_t{1} << 20;
  }();
  return bytes;
}

WeightType PackedStorage(WeightType stored, size_t float32_bytes, size_t widen_bytes) {
  return stored == WeightType::kFloat16 && float32_bytes <= widen_bytes ? WeightType::kFloat32
                                                                       : stored;
}

size_t QuantizedRowsFloats(const mk::Microkernels& mk, int rows, int k, bool centre) {
  const size_t centring =
      centre ? RoundToCacheLine(rows) + RoundToCacheLine(static_cast<size_t>(rows) * k) : 0;
  return FloatsFor(static_cast<size_t>(rows) * QuantizedStride(mk, k) * mk.q8_act_bytes) +
         RoundToCacheLine(rows) + centring;
}

// The midpoint of x[0:k]'s range; 0 when an element is not finite, so that NaN and Inf reach
// the quantizer unchanged (and propagate as they did without centring). Eight independent lanes
// and a branch-free finiteness sum (v - v is NaN exactly for Inf and NaN) let the compiler
// vectorize it: this runs on every activation row of every step.
float RowCentre(const float* x, int k) {
  if (k <= 0) return 0.0f;
  constexpr int kLanes = 8;
  float lo[kLanes], hi[kLanes], bad[kLanes];
  for (int j = 0; j < kLanes; ++j) lo[j] = hi[j] = x[0], bad[j] = 0.0f;
  int i = 0;
  for (; i + kLanes <= k; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) {
      const float v = x[i + j];
      lo[j] = v < lo[j] ? v : lo[j];
      hi[j] = v > hi[j] ? v : hi[j];
      bad[j] += v - v;
    }
  }
  for (; i < k; ++i) {
    lo[0] = x[i] < lo[0] ? x[i] : lo[0];
    hi[0] = x[i] > hi[0] ? x[i] : hi[0];
    bad[0] += x[i] - x[i];
  }
  float l = lo[0], h = hi[0], b = bad[0];
  for (int j = 1; j < kLanes; ++j) {
    l = std::min(l, lo[j]);
    h = std::max(h, hi[j]);
    b += bad[j];
  }
  return b == 0.0f ? 0.5f * l + 0.5f * h : 0.0f;
}

QuantizedRows QuantizeActivations(const mk::Microkernels& mk, int rows, int k, const float* x,
                                  size_t x_stride, float* scratch, bool centre) {
  mk::QuantizeRowsArgs a;
  a.rows = rows;
  a.k = k;
  a.q = scratch;
  a.q_stride = QuantizedStride(mk, k);
  a.scales = scratch + FloatsFor(static_cast<size_t>(rows) * a.q_stride * mk.q8_act_bytes);
  if (!centre) {
    a.x = x;
    a.x_stride = x_stride;
    mk.quantize_rows(a);
    return QuantizedRows{a.q, a.q_stride, a.scales, nullptr};
  }
  float* centres = a.scales + RoundToCacheLine(rows);
  float* centred = centres + RoundToCacheLine(rows);
  for (int r = 0; r < rows; ++r) {
    const float* row = x + r * x_stride;
    const float c = RowCentre(row, k);
    centres[r] = c;
    for (int i = 0; i < k; ++i) centred[static_cast<size_t>(r) * k + i] = row[i] - c;
  }
  a.x = centred;
  a.x_stride = static_cast<size_t>(k);
  mk.quantize_rows(a);
  return QuantizedRows{a.q, a.q_stride, a.scales, centres};
}

void PackedWeights::Init(const mk::Microkernels& mk, WeightType type, int k, int gates,
                         int units, bool centre_rows) {
  mk_ = &mk;
  centre_rows_ = centre_rows;
  type_ = type;
  k_ = k;
  gates_ = gates;
  units_ = units;
  panels_ = PadUnits(units, mk.vec) / mk.vec;
  size_t bytes = 0;
  switch (type) {
    case WeightType::kFloat32:
      bytes = PackedGateSize(k, gates, units, mk.vec) * sizeof(float);
      break;
    case WeightType::kFloat16:
      bytes = PackedGateSize(k, gates, units, mk.vec) * sizeof(uint16_t);
      break;
    case WeightType::kInt8:
      bytes = PackedInt8Size(k, gates, units, mk.vec, mk.q8_k_group);
      break;
  }
  data_.assign(FloatsFor(bytes), 0.0f);
  scales_.assign(type == WeightType::kInt8 ? PackedGateSize(1, gates, units, mk.vec) : 0, 0.0f);
  column_sums_.assign(scales_.size(), 0.0f);
}

void PackedWeights::Pack(const WeightMatrix& src, size_t src_stride) {
  assert(mk_ != nullptr && !src.empty());
  assert(src.type == type_ ||
         (src.type == WeightType::kFloat16 && type_ == WeightType::kFloat32));
  switch (type_) {
    case WeightType::kFloat32:
      if (src.type == WeightType::kFloat16) {
        const size_t cols = static_cast<size_t>(gates_) * units_;
        std::vector<float> wide(static_cast<size_t>(k_) * cols);
        for (int k = 0; k < k_; ++k) {
          for (size_t c = 0; c < cols; ++c) {
            wide[k * cols + c] = HalfToFloat(src.f16()[k * src_stride + c]);
          }
        }
        PackGateInterleaved(wide.data(), cols, k_, gates_, units_, mk_->vec, data_.data());
      } else {
        PackGateInterleaved(src.f32(), src_stride, k_, gates_, units_, mk_->vec, data_.data());
      }
      break;
    case WeightType::kFloat16:
      PackGateInterleavedF16(src.f16(), src_stride, k_, gates_, units_, mk_->vec,
                             reinterpret_cast<uint16_t*>(data_.data()));
      break;
    case WeightType::kInt8:
      assert(src.scales != nullptr);
      PackInt8Panels(src.i8(), src.scales, src_stride, k_, gates_, units_, mk_->vec,
                     mk_->q8_k_group, reinterpret_cast<int8_t*>(data_.data()), scales_.data());
      PackColumnSums(src, src_stride);
      break;
  }
}

void PackedWeights::Multiply(int rows, const float* a, size_t a_stride,
                             const QuantizedRows& quantized, const float* bias, float* out,
                             size_t out_stride, Slice s, bool backward) const {
  if (s.size() <= 0 || rows <= 0) return;
  const size_t cols = static_cast<size_t>(panel_cols());
  const size_t col0 = s.begin * cols;
  if (bias != nullptr) bias += col0;
  out += col0;
  switch (type_) {
    case WeightType::kFloat32: {
      assert(bias != nullptr);
      mk::GemmArgs g;
      g.rows = rows;
      g.k = k_;
      g.panels = s.size();
      g.gates = gates_;
      g.a = a;
      g.a_stride = a_stride;
      g.w = data_.data() + col0 * k_;
      g.bias = bias;
      g.out = out;
      g.out_stride = out_stride;
      mk_->gemm(g);
      return;
    }
    case WeightType::kFloat16: {
      mk::F16GemmArgs g;
      g.rows = rows;
      g.k = k_;
      g.panels = s.size();
      g.backward = backward;
      g.panel_cols = static_cast<int>(cols);
      g.a = a;
      g.a_stride = a_stride;
      g.w = reinterpret_cast<const uint16_t*>(data_.data()) + col0 * k_;
      g.bias = bias;
      g.out = out;
      g.out_stride = out_stride;
      mk_->f16_gemm(g);
      return;
    }
    case WeightType::kInt8: {
      assert(quantized.q != nullptr && quantized.scales != nullptr);
      const size_t depth = QuantizedStride(*mk_, k_);
      mk::Q8GemmArgs g;
      g.rows = rows;
      g.k = k_;
      g.panels = s.size();
      g.backward = backward;
      g.panel_cols = static_cast<int>(cols);
      g.a = quantized.q;
      g.a_stride = quantized.stride;
      g.a_scales = quantized.scales;
      g.w = reinterpret_cast<const int8_t*>(data_.data()) + col0 * depth;
      g.w_scales = scales_.data() + col0;
      g.bias = bias;
      g.out = out;
      g.out_stride = out_stride;
      mk_->q8_gemm(g);
      AddCentres(rows, quantized.centres, out, out_stride, col0, s.size() * cols);
      return;
    }
  }
}

// column_sums_[c] = float(sum_k q[k][c]) * scale[c], in the packed (gate-interleaved) order.
void PackedWeights::PackColumnSums(const WeightMatrix& src, size_t src_stride) {
  const int vec = mk_->vec;
  for (int g = 0; g < gates_; ++g) {
    for (int u = 0; u < units_; ++u) {
      const size_t col = static_cast<size_t>(g) * units_ + u;
      int64_t sum = 0;
      for (int k = 0; k < k_; ++k) sum += src.i8()[k * src_stride + col];
      column_sums_[(u / vec) * gates_ * vec + g * vec + u % vec] =
          static_cast<float>(sum) * src.scales[col];
    }
  }
}

// out[r][0:n] += centres[r] * column_sums_[col0:col0+n]: the rows' centres added back.
void PackedWeights::AddCentres(int rows, const float* centres, float* out, size_t out_stride,
                               size_t col0, size_t n) const {
  if (centres == nullptr) return;
  const float* sums = column_sums_.data() + col0;
  for (int r = 0; r < rows; ++r) {
    const float c = centres[r];
    if (c == 0.0f) continue;
    float* o = out + r * out_stride;
    for (size_t j = 0; j < n; ++j) o[j] += c * sums[j];
  }
}

void PackedWeights::MultiplyAll(int rows, const float* a, size_t a_stride, const float* bias,
                                float* out, size_t out_stride, float* quant_scratch,
                                ThreadPool* pool, bool backward) const {
  QuantizedRows quantized;
  if (type_ == WeightType::kInt8) {
    quantized = QuantizeActivations(*mk_, rows, k_, a, a_stride, quant_scratch, centre_rows_);
  }
  ForEachSlice(pool, panels_, [&](Slice s) {
    Multiply(rows, a, a_stride, quantized, bias, out, out_stride, s, backward);
  });
}

size_t PackedWeights::QuantScratchFloats(int rows) const {
  return type_ == WeightType::kInt8 ? QuantizedRowsFloats(*mk_, rows, k_, centre_rows_) : 0;
}

}  // namespace tflite_rnn_ops
