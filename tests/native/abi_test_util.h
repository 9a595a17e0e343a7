// Test helpers for the op glue: flexbuffer options built by hand and a small TfLiteContext of our
// ABI structs whose ResizeTensor allocates and whose ReportError keeps the message.
#ifndef TFLITE_RNN_OPS_TESTS_NATIVE_ABI_TEST_UTIL_H_
#define TFLITE_RNN_OPS_TESTS_NATIVE_ABI_TEST_UTIL_H_

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cc/tflite/c_abi.h"

namespace tro_test {

namespace abi = tflite_rnn_ops::abi;

// A flexbuffer map (8-byte slots everywhere), keys sorted as the converter writes them.
class FlexMap {
 public:
  FlexMap& Int(const std::string& k, int64_t v) { return Put(k, {1, v, 0, ""}); }
  FlexMap& Bool(const std::string& k, bool v) { return Int(k, v ? -1 : 0); }  // converter's ints
  FlexMap& Float(const std::string& k, double v) { return Put(k, {3, 0, v, ""}); }
  FlexMap& String(const std::string& k, const std::string& v) { return Put(k, {5, 0, 0, v}); }

  std::vector<uint8_t> Build() const {
    std::vector<uint8_t> b;
    std::vector<size_t> key_pos, str_pos;
    for (const auto& [key, v] : values_) {
      key_pos.push_back(b.size());
      b.insert(b.end(), key.begin(), key.end());
      b.push_back(0);
    }
    for (const auto& [key, v] : values_) {
      if (v.type != 5) { str_pos.push_back(0); continue; }
      Align(&b);
      U64(&b, v.s.size());
      str_pos.push_back(b.size());
      b.insert(b.end(), v.s.begin(), v.s.end());
      b.push_back(0);
    }
    Align(&b);
    U64(&b, values_.size());
    const size_t keys = b.size();
    for (size_t i = 0; i < key_pos.size(); ++i) U64(&b, keys + 8 * i - key_pos[i]);
    U64(&b, b.size() - keys);  // offset to the keys vector
    U64(&b, 8);                // keys byte width
    U64(&b, values_.size());
    const size_t map = b.size();
    size_t i = 0;
    for (const auto& [key, v] : values_) {
      if (v.type == 5) U64(&b, map + 8 * i - str_pos[i]);
      else if (v.type == 3) { uint64_t u; std::memcpy(&u, &v.f, 8); U64(&b, u); }
      else U64(&b, static_cast<uint64_t>(v.i));
      ++i;
    }
    for (const auto& [key, v] : values_) b.push_back(static_cast<uint8_t>((v.type << 2) | 3));
    U64(&b, b.size() - map);
    b.push_back((9 << 2) | 3);  // map, 8-byte slots
    b.push_back(8);
    return b;
  }

 private:
  struct Value { int type; int64_t i; double f; std::string s; };
  FlexMap& Put(const std::string& k, Value v) { values_[k] = v; return *this; }
  static void Align(std::vector<uint8_t>* b) { while (b->size() % 8) b->push_back(0); }
  static void U64(std::vector<uint8_t>* b, uint64_t v) {
    for (int k = 0; k < 8; ++k) b->push_back(static_cast<uint8_t>(v >> (8 * k)));
  }
  std::map<std::string, Value> values_;
};

// The message a context's ReportError(context, format, ...) would print.
inline std::string FormatMessage(const char* format, va_list args) {
  char buf[4096];
  std::vsnprintf(buf, sizeof(buf), format, args);
  return buf;
}

inline abi::TfLiteIntArray* NewArray(const std::vector<int>& v) {
  auto* a = static_cast<abi::TfLiteIntArray*>(std::malloc(sizeof(int) * (1 + v.size())));
  a->size = static_cast<int>(v.size());
  for (size_t i = 0; i < v.size(); ++i) a->data[i] = v[i];
  return a;
}

// Tensors 0..n-1 are the node's inputs, then its outputs.
class FakeGraph {
 public:
  FakeGraph() {
    context_.impl_ = this;
    context_.ResizeTensor = [](abi::TfLiteContext* c, abi::TfLiteTensor* t, abi::TfLiteIntArray* d) {
      std::free(t->dims);
      t->dims = d;
      size_t n = 1;
      for (int i = 0; i < d->size; ++i) n *= d->data[i];
      auto* g = static_cast<FakeGraph*>(c->impl_);
      g->storage_.emplace_back(n, 0.0f);
      t->data = g->storage_.back().data();
      t->bytes = n * sizeof(float);
      return abi::kTfLiteOk;
    };
    context_.ReportError = ReportError;
  }
  ~FakeGraph() {
    for (auto& t : tensors_) std::free(t.dims);
    std::free(node_.inputs);
    std::free(node_.outputs);
  }

  // Float data is kept by the graph; `type` may differ from the data to test the checks.
  void Input(std::vector<int> dims, std::vector<float> data, abi::TfLiteType type = abi::kTfLiteFloat32) {
    storage_.push_back(std::move(data));
    Add(dims, type, storage_.back().data(), storage_.back().size() * sizeof(float));
    ++inputs_;
  }
  // Any element type, from its raw bytes (float16 bit patterns, int8 values, ...).
  void RawInput(std::vector<int> dims, abi::TfLiteType type, const void* bytes, size_t n) {
    storage_.emplace_back((n + sizeof(float) - 1) / sizeof(float), 0.0f);
    std::memcpy(storage_.back().data(), bytes, n);
    Add(dims, type, storage_.back().data(), n);
    ++inputs_;
  }
  void IntInput(std::vector<int> dims, std::vector<int32_t> data) {
    ints_.push_back(std::move(data));
    Add(dims, abi::kTfLiteInt32, ints_.back().data(), ints_.back().size() * 4);
    ++inputs_;
  }
  void Outputs(int n) {
    for (int i = 0; i < n; ++i) Add({}, abi::kTfLiteFloat32, nullptr, 0);
  }

  abi::TfLiteStatus Run(const abi::TfLiteRegistration* r, const std::vector<uint8_t>& options) {
    Finish();
    node_.user_data = r->init(&context_, reinterpret_cast<const char*>(options.data()), options.size());
    abi::TfLiteStatus s = r->prepare(&context_, &node_);
    if (s == abi::kTfLiteOk) s = r->invoke(&context_, &node_);
    r->free(&context_, node_.user_data);
    return s;
  }

  const abi::TfLiteTensor& Output(int i) const { return tensors_[inputs_ + i]; }
  std::vector<float> OutputValues(int i) const {
    const auto& t = Output(i);
    const float* p = static_cast<const float*>(t.data);
    return std::vector<float>(p, p + t.bytes / sizeof(float));
  }
  const std::string& error() const { return error_; }
  abi::TfLiteContext* context() { Finish(); return &context_; }
  abi::TfLiteNode* node() { Finish(); return &node_; }
  std::vector<abi::TfLiteTensor>& tensors() { return tensors_; }
  int num_inputs() const { return inputs_; }

 private:
  static void ReportError(abi::TfLiteContext* c, const char* format, ...) {
    va_list args;
    va_start(args, format);
    static_cast<FakeGraph*>(c->impl_)->error_ = FormatMessage(format, args);
    va_end(args);
  }
  void Add(const std::vector<int>& dims, abi::TfLiteType type, void* data, size_t bytes) {
    abi::TfLiteTensor t{};
    t.type = type;
    t.dims = NewArray(dims);
    t.data = data;
    t.bytes = bytes;
    t.allocation_type = abi::kTfLiteMmapRo;
    tensors_.push_back(t);
  }
  void Finish() {
    if (node_.inputs != nullptr) return;
    std::vector<int> in, out;
    for (int i = 0; i < static_cast<int>(tensors_.size()); ++i) (i < inputs_ ? in : out).push_back(i);
    node_.inputs = NewArray(in);
    node_.outputs = NewArray(out);
    context_.tensors = tensors_.data();
    context_.tensors_size = tensors_.size();
  }

  abi::TfLiteContext context_{};
  abi::TfLiteNode node_{};
  std::vector<abi::TfLiteTensor> tensors_;
  std::vector<std::vector<float>> storage_;  // moving a vector keeps its heap data in place
  std::vector<std::vector<int32_t>> ints_;
  int inputs_ = 0;
  std::string error_;
};

// One TfLiteAffineQuantization with its arrays, kept alive by the test
// (assign quantization() to an int8 weight tensor).
// A GoogleTest parameter name from a case's description: "zero scale" -> "zero_scale".
inline std::string CaseName(std::string what) {
  for (char& ch : what) {
    if (ch == ' ' || ch == '-') ch = '_';
  }
  return what;
}

class Affine {
 public:
  Affine(std::vector<float> scales, std::vector<int> zero_points, int dimension = 1)
      : scale_(Floats(scales)), zero_point_(tro_test::NewArray(zero_points)) {
    q_.scale = scale_.get();
    q_.zero_point = zero_point_.get();
    q_.quantized_dimension = dimension;
  }
  abi::TfLiteQuantization quantization() {
    return abi::TfLiteQuantization{abi::kTfLiteAffineQuantization, &q_};
  }

 private:
  struct Free { void operator()(void* p) const { std::free(p); } };
  static abi::TfLiteFloatArray* Floats(const std::vector<float>& v) {
    auto* a = static_cast<abi::TfLiteFloatArray*>(std::malloc(sizeof(int) + sizeof(float) * v.size()));
    a->size = static_cast<int>(v.size());
    for (size_t i = 0; i < v.size(); ++i) a->data[i] = v[i];
    return a;
  }
  std::unique_ptr<abi::TfLiteFloatArray, Free> scale_;
  std::unique_ptr<abi::TfLiteIntArray, Free> zero_point_;
  abi::TfLiteAffineQuantization q_{};
};

}  // namespace tro_test

#endif  // TFLITE_RNN_OPS_TESTS_NATIVE_ABI_TEST_UTIL_H_
