// A TfLiteContext of our ABI structs for the op fuzzer: inputs filled from the fuzz data with
// bytes that always match their dims and type (as the interpreter guarantees), outputs sized
// only through ResizeTensor, which refuses sizes beyond an arena-like budget.
#ifndef TFLITE_RNN_OPS_TESTS_FUZZ_FUZZ_GRAPH_H_
#define TFLITE_RNN_OPS_TESTS_FUZZ_FUZZ_GRAPH_H_

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "cc/kernels/weight_conversion.h"
#include "cc/tflite/c_abi.h"
#include "tests/native/abi_test_util.h"

namespace tro_fuzz {

namespace abi = tflite_rnn_ops::abi;

// A weight matrix's storage: tensor type, bytes per element, and whether it carries a scale.
struct WeightEncoding {
  abi::TfLiteType type;
  size_t element_bytes;
  bool scaled;
};

class FuzzGraph {
 public:
  // Inputs bigger than this are described (dims, bytes) but get no data: Prepare may look at
  // them, Eval is skipped. Outputs bigger than kMaxOutputBytes fail ResizeTensor.
  static constexpr uint64_t kMaxInputBytes = 16 << 20;
  static constexpr uint64_t kMaxOutputBytes = 64 << 20;

  FuzzGraph() {
    context_.impl_ = this;
    context_.ResizeTensor = Resize;
    context_.ReportError = ReportError;
    context_.recommended_num_threads = 1;
  }
  ~FuzzGraph() {
    for (auto& t : tensors_) {
      std::free(t.dims);
      if (t.quantization.type != abi::kTfLiteAffineQuantization) continue;
      auto* q = static_cast<abi::TfLiteAffineQuantization*>(t.quantization.params);
      std::free(q->scale);
      std::free(q->zero_point);
      std::free(q);
    }
    std::free(node_.inputs);
    std::free(node_.outputs);
  }

  // A column_scales input (docs/ops.md, v4): float16 or float32 scales, mostly valid (> 0),
  // rarely zero, negative, NaN, infinite or subnormal.
  void AddScalesInput(const std::vector<int>& dims, abi::TfLiteType type, FuzzedDataProvider& p) {
    AddTensor(Spec{Kind::kScales, type, ElementBytes(type), dims, 0}, p);
  }
  void AddInput(const std::vector<int>& dims, const WeightEncoding& e, FuzzedDataProvider& p) {
    Spec spec{Kind::kData, e.type, e.element_bytes, dims, 0};
    AddTensor(spec, p);
    if (e.scaled) {
      tensors_.back().params.scale = p.PickValueInArray({0.01f, 0.0f, -1.0f, 1e30f});
      if (p.ConsumeIntegralInRange(0, 7) != 7) AddAffineQuantization(dims, p);
    }
  }
  // TFLite affine quantization as the converter writes it for our int8 weights (one scale per
  // column, or one per tensor, zero points 0, dimension 1), with rare near misses: a wrong
  // count, a zero / negative / NaN / infinite scale, a nonzero zero point, another dimension.
  void AddAffineQuantization(const std::vector<int>& dims, FuzzedDataProvider& p) {
    const int cols = dims.size() == 2 ? std::max(dims[1], 0) : 1;
    int n = p.ConsumeBool() ? std::min(cols, 1 << 16) : 1;
    if (p.ConsumeIntegralInRange(0, 15) == 15) n = p.ConsumeIntegralInRange(0, 3);
    auto* scale = static_cast<abi::TfLiteFloatArray*>(
        std::malloc(sizeof(int) + sizeof(float) * std::max(n, 1)));
    scale->size = n;
    for (int i = 0; i < n; ++i) {
      scale->data[i] = p.ConsumeIntegralInRange(0, 63) != 63
                           ? p.ConsumeFloatingPointInRange(1e-4f, 0.1f)
                           : p.PickValueInArray({0.0f, -0.01f, __builtin_nanf(""),
                                                 __builtin_inff(), 1e-45f});
    }
    std::vector<int> zero(n, 0);
    if (n > 0 && p.ConsumeIntegralInRange(0, 31) == 31) zero[0] = 3;
    auto* q = static_cast<abi::TfLiteAffineQuantization*>(
        std::malloc(sizeof(abi::TfLiteAffineQuantization)));
    q->scale = scale;
    q->zero_point = tro_test::NewArray(zero);
    q->quantized_dimension = p.ConsumeIntegralInRange(0, 15) != 15 ? (n == 1 ? 0 : 1)
                                                                   : p.ConsumeIntegralInRange(0, 2);
    tensors_.back().quantization.type = abi::kTfLiteAffineQuantization;
    tensors_.back().quantization.params = q;
  }
  void AddBoolInput(const std::vector<int>& dims, FuzzedDataProvider& p) {
    AddTensor(Spec{Kind::kData, abi::kTfLiteBool, 1, dims, 0}, p);
  }
  void AddLengthsInput(const std::vector<int>& dims, int time, FuzzedDataProvider& p) {
    AddTensor(Spec{Kind::kLengths, abi::kTfLiteInt32, 4, dims, time}, p);
  }
  void AddOutputs(int n, FuzzedDataProvider& p) {
    for (int i = 0; i < n; ++i) {
      abi::TfLiteTensor t{};
      t.type = p.ConsumeIntegralInRange(0, 15) != 15 ? abi::kTfLiteFloat32 : abi::kTfLiteInt32;
      t.dims = tro_test::NewArray({});
      t.allocation_type = abi::kTfLiteArenaRw;
      tensors_.push_back(t);
    }
  }

  // A wrong type, a wrong dim or a dropped axis on one input: the near misses of a hostile file.
  void PerturbInput(FuzzedDataProvider& p) {
    if (specs_.empty()) return;
    const size_t i = p.ConsumeIntegralInRange<size_t>(0, specs_.size() - 1);
    Spec& s = specs_[i];
    switch (p.ConsumeIntegralInRange(0, 2)) {
      case 0:
        s.type = p.PickValueInArray({abi::kTfLiteNoType, abi::kTfLiteFloat32, abi::kTfLiteInt32,
                                     abi::kTfLiteBool, abi::kTfLiteInt8, abi::kTfLiteFloat16,
                                     abi::kTfLiteFloat64});
        s.element_bytes = ElementBytes(s.type);
        break;
      case 1:
        if (!s.dims.empty()) {
          s.dims[p.ConsumeIntegralInRange<size_t>(0, s.dims.size() - 1)] =
              p.ConsumeIntegralInRange(0, 9);
        }
        break;
      default:
        if (!s.dims.empty()) s.dims.pop_back();
        break;
    }
    Fill(i, p);
  }

  // Refills every input with new data (new lengths, mask bits, values) between invokes, as an
  // app does; false when the graph cannot run at all.
  bool Refill(FuzzedDataProvider& p) {
    for (size_t i = 0; i < specs_.size(); ++i) Fill(i, p);
    return CanEval();
  }

  void SetThreads(int n) { context_.recommended_num_threads = n; }
  bool CanEval() const {
    for (const auto& t : tensors_) {
      if (t.data == nullptr && t.bytes > 0) return false;
    }
    return true;
  }

  abi::TfLiteContext* context() { Finish(); return &context_; }
  abi::TfLiteNode* node() { Finish(); return &node_; }
  const std::string& error() const { return error_; }
  void ClearError() { error_.clear(); }

 private:
  enum class Kind { kData, kLengths, kScales };
  static size_t ElementBytes(abi::TfLiteType type) {
    switch (type) {
      case abi::kTfLiteBool: case abi::kTfLiteInt8: return 1;
      case abi::kTfLiteFloat16: return 2;
      case abi::kTfLiteFloat64: return 8;
      default: return 4;
    }
  }
  struct Spec {
    Kind kind;
    abi::TfLiteType type;
    size_t element_bytes;
    std::vector<int> dims;
    int time;  // kLengths: values mostly in [0, time]
  };

  void AddTensor(const Spec& spec, FuzzedDataProvider& p) {
    specs_.push_back(spec);
    abi::TfLiteTensor t{};
    t.dims = tro_test::NewArray({});
    // Constant weights are packed in Prepare, others in every Eval: both paths.
    t.allocation_type =
        p.ConsumeBool() && !oversize_ ? abi::kTfLiteMmapRo : abi::kTfLiteArenaRw;
    tensors_.push_back(t);
    Fill(specs_.size() - 1, p);
  }

  // (Re)creates input i's dims and data from its spec.
  void Fill(size_t i, FuzzedDataProvider& p) {
    const Spec& s = specs_[i];
    abi::TfLiteTensor& t = tensors_[i];
    std::free(t.dims);
    t.dims = tro_test::NewArray(s.dims);
    t.type = s.type;
    uint64_t n = 1;
    bool fits = true;
    for (int d : s.dims) {
      fits = fits && d >= 0 && !__builtin_mul_overflow(n, static_cast<uint64_t>(d), &n);
    }
    fits = fits && n * s.element_bytes <= kMaxInputBytes;
    t.bytes = fits ? n * s.element_bytes : SIZE_MAX;
    t.data = nullptr;
    if (!fits) {
      // No data to pack from: make every weight non-constant so Prepare reads none.
      oversize_ = true;
      for (auto& other : tensors_) other.allocation_type = abi::kTfLiteArenaRw;
      return;
    }
    buffers_.emplace_back((t.bytes + 7) / 8 + 1, 0);  // 8-byte aligned, never empty
    uint8_t* bytes = reinterpret_cast<uint8_t*>(buffers_.back().data());
    t.data = bytes;
    if (s.kind == Kind::kLengths) {
      for (uint64_t k = 0; k < n; ++k) {
        const int32_t v = p.ConsumeIntegralInRange(0, 7) != 7
                              ? p.ConsumeIntegralInRange(0, std::max(s.time, 0))
                              : p.ConsumeIntegral<int32_t>();
        std::memcpy(bytes + 4 * k, &v, 4);
      }
    } else if (s.kind == Kind::kScales) {
      for (uint64_t k = 0; k < n; ++k) {
        const float v = p.ConsumeIntegralInRange(0, 63) != 63
                            ? p.ConsumeFloatingPointInRange(1e-4f, 0.1f)
                            : p.PickValueInArray({0.0f, -0.01f, __builtin_nanf(""),
                                                  __builtin_inff(), 1e-45f});
        if (s.type == abi::kTfLiteFloat16) {
          const uint16_t h = tflite_rnn_ops::FloatToHalf(v);
          std::memcpy(bytes + 2 * k, &h, 2);
        } else {
          std::memcpy(bytes + s.element_bytes * k, &v, std::min<size_t>(4, s.element_bytes));
        }
      }
    } else {
      const std::vector<uint8_t> raw = p.ConsumeBytes<uint8_t>(t.bytes);
      if (!raw.empty()) std::memcpy(bytes, raw.data(), raw.size());
    }
  }

  static abi::TfLiteStatus Resize(abi::TfLiteContext* c, abi::TfLiteTensor* t,
                                  abi::TfLiteIntArray* dims) {
    auto* g = static_cast<FuzzGraph*>(c->impl_);
    uint64_t n = 1;
    bool ok = true;
    for (int i = 0; i < dims->size; ++i) {
      ok = ok && dims->data[i] >= 0 &&
           !__builtin_mul_overflow(n, static_cast<uint64_t>(dims->data[i]), &n);
    }
    ok = ok && n * sizeof(float) <= kMaxOutputBytes;
    if (!ok) {
      std::free(dims);  // the context owns new_size whatever happens
      return abi::kTfLiteError;
    }
    std::free(t->dims);
    t->dims = dims;
    g->buffers_.emplace_back(n / 2 + 1, 0);
    t->data = g->buffers_.back().data();
    t->bytes = n * sizeof(float);
    return abi::kTfLiteOk;
  }

  static void ReportError(abi::TfLiteContext* c, const char* format, ...) {
    va_list args;
    va_start(args, format);
    static_cast<FuzzGraph*>(c->impl_)->error_ = tro_test::FormatMessage(format, args);
    va_end(args);
  }

  void Finish() {
    if (node_.inputs != nullptr) return;
    std::vector<int> in, out;
    for (int i = 0; i < static_cast<int>(tensors_.size()); ++i) {
      (i < static_cast<int>(specs_.size()) ? in : out).push_back(i);
    }
    node_.inputs = tro_test::NewArray(in);
    node_.outputs = tro_test::NewArray(out);
    context_.tensors = tensors_.data();
    context_.tensors_size = tensors_.size();
  }

  abi::TfLiteContext context_{};
  abi::TfLiteNode node_{};
  std::vector<Spec> specs_;
  std::vector<abi::TfLiteTensor> tensors_;
  std::deque<std::vector<uint64_t>> buffers_;  // stable addresses
  std::string error_;
  bool oversize_ = false;
};

}  // namespace tro_fuzz

#endif  // TFLITE_RNN_OPS_TESTS_FUZZ_FUZZ_GRAPH_H_
