// Contract version 3 in the op glue: float16 / int8 weight tensors, their TFLite affine
// quantization, and the error for each way it can be wrong (docs/ops.md).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "cc/tflite/op_registry.h"
#include "tests/native/abi_test_util.h"

namespace {

using tro_test::Affine;
using tro_test::FakeGraph;
using tro_test::FlexMap;
namespace abi = tflite_rnn_ops::abi;

FlexMap V(int version) { return FlexMap().Int("version", version).Int("units", 1); }

// LSTM, F = 1, U = 1: x [1, 2, 1], kernel [1, 4], recurrent_kernel [1, 4], bias [4]. The weight
// matrices are marked int8 (the float storage stands in for the bytes: these cases stop in
// Prepare).
struct Graph {
  FakeGraph g;
  Affine kernel_q{{0.1f, 0.1f, 0.1f, 0.1f}, {0, 0, 0, 0}};
  Affine recurrent_q{{0.2f}, {0}};
  Graph() {
    g.Input({1, 2, 1}, {0.5f, -1.0f});
    g.Input({1, 4}, {0, 0, 0, 0}, abi::kTfLiteInt8);
    g.Input({1, 4}, {0, 0, 0, 0}, abi::kTfLiteInt8);
    g.Input({4}, {0, 0, 0, 0});
    g.tensors()[1].quantization = kernel_q.quantization();
    g.tensors()[2].quantization = recurrent_q.quantization();
  }
  abi::TfLiteTensor& kernel() { return g.tensors()[1]; }
  abi::TfLiteTensor& recurrent() { return g.tensors()[2]; }
  abi::TfLiteTensor& bias() { return g.tensors()[3]; }
  abi::TfLiteStatus Prepare(const std::vector<uint8_t>& options) {
    g.Outputs(3);
    const abi::TfLiteRegistration* r = tflite_rnn_ops::LstmRegistration();
    void* data = r->init(g.context(), reinterpret_cast<const char*>(options.data()), options.size());
    g.node()->user_data = data;
    const abi::TfLiteStatus s = r->prepare(g.context(), g.node());
    r->free(g.context(), data);
    return s;
  }
};

struct Case {
  const char* what;
  int version;
  void (*tweak)(Graph*);
  const char* message;
};

class QuantizedWeightErrors : public ::testing::TestWithParam<Case> {};

TEST_P(QuantizedWeightErrors, ReportNamingOpTensorAndExpectation) {
  const Case& c = GetParam();
  Graph graph;
  if (c.tweak) c.tweak(&graph);
  EXPECT_EQ(graph.Prepare(V(c.version).Build()), abi::kTfLiteError);
  EXPECT_EQ(graph.g.error(), std::string("TFLiteRnnOps>LSTM: ") + c.message);
}

// Affine quantizations the tweaks install; static so that they outlive the graph's use.
Affine* Keep(Affine* a) {
  static std::vector<std::unique_ptr<Affine>> kept;
  kept.emplace_back(a);
  return a;
}

INSTANTIATE_TEST_SUITE_P(
    Lstm, QuantizedWeightErrors,
    ::testing::Values(
        Case{"int8 on version 2", 2, nullptr,
             "input 'kernel' is int8: float16 and int8 weights need option 'version' >= 3, the op "
             "says 2 (a damaged or hand-edited model; convert it again)"},
        Case{"float16 on version 2", 2,
             [](Graph* g) {
               g->kernel().type = abi::kTfLiteFloat16;
               g->recurrent().type = abi::kTfLiteFloat16;
             },
             "input 'kernel' is float16: float16 and int8 weights need option 'version' >= 3, "
             "the op says 2 (a damaged or hand-edited model; convert it again)"},
        Case{"scales of the wrong length", 3,
             [](Graph* g) {
               g->kernel().quantization = Keep(new Affine({0.1f, 0.1f, 0.1f}, {0, 0, 0}))->quantization();
             },
             "input 'kernel' (int8) expected 4 scales (one per output column) or 1 (per tensor), "
             "got 3"},
        Case{"zero scale", 3,
             [](Graph* g) {
               g->recurrent().quantization = Keep(new Affine({0.0f}, {0}))->quantization();
             },
             "input 'recurrent_kernel' (int8) expected every scale finite and > 0, got scale[0] = "
             "0.000000"},
        Case{"negative scale", 3,
             [](Graph* g) {
               g->kernel().quantization =
                   Keep(new Affine({0.1f, 0.1f, -0.5f, 0.1f}, {0, 0, 0, 0}))->quantization();
             },
             "input 'kernel' (int8) expected every scale finite and > 0, got scale[2] = -0.500000"},
        Case{"nan scale", 3,
             [](Graph* g) {
               g->kernel().quantization = Keep(new Affine(
                   {0.1f, std::numeric_limits<float>::quiet_NaN(), 0.1f, 0.1f}, {0, 0, 0, 0}))
                                              ->quantization();
             },
             "input 'kernel' (int8) expected every scale finite and > 0, got scale[1] = nan"},
        Case{"nonzero zero_point", 3,
             [](Graph* g) {
               g->recurrent().quantization = Keep(new Affine({0.2f}, {3}))->quantization();
             },
             "input 'recurrent_kernel' (int8) expected symmetric quantization (every zero_point "
             "0), got zero_point[0] = 3"},
        Case{"per-column along the wrong dimension", 3,
             [](Graph* g) {
               g->kernel().quantization =
                   Keep(new Affine({0.1f, 0.1f, 0.1f, 0.1f}, {0, 0, 0, 0}, 0))->quantization();
             },
             "input 'kernel' (int8) expected per-column scales along quantized_dimension 1 (the "
             "output columns), got quantized_dimension 0"},
        Case{"no quantization", 3,
             [](Graph* g) { g->kernel().quantization = abi::TfLiteQuantization{}; },
             "input 'kernel' (int8) expected TFLite affine quantization with 4 per-column scales "
             "(or 1), got none (a runtime that does not pass quantization parameters to custom "
             "ops cannot run int8 weights: use the delegate, tro.load_delegate())"},
        Case{"int8 bias", 3, [](Graph* g) { g->bias().type = abi::kTfLiteInt8; },
             "input 'bias' expected float32, got int8"},
        Case{"mixed weight types", 3, [](Graph* g) { g->recurrent().type = abi::kTfLiteFloat32; },
             "input 'recurrent_kernel' expected int8 like input 'kernel' (an op's weight matrices "
             "share one type), got float32"},
        Case{"int32 kernel", 3,
             [](Graph* g) {
               g->kernel().type = abi::kTfLiteInt32;
               g->recurrent().type = abi::kTfLiteInt32;
             },
             "input 'kernel' expected float32, float16 or int8 weights, got int32"},
        Case{"version above the runtime", 4, nullptr,
             "option 'version' is 4, this runtime supports 1..3 (upgrade tflite-rnn-ops)"}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string name = info.param.what;
      for (char& ch : name) if (ch == ' ' || ch == '-') ch = '_';
      return name;
    });

TEST(QuantizedWeights, Int8KernelWithTooManyRowsIsRefused) {
  // K = 131073 input features: the int32 sums of 127 * 127 products could overflow.
  const int k = 131073;
  FakeGraph g;
  Affine q({0.1f}, {0});
  g.Input({1, 1, k}, std::vector<float>(k, 0.0f));
  g.Input({k, 4}, std::vector<float>(4 * k, 0.0f), abi::kTfLiteInt8);
  g.Input({1, 4}, {0, 0, 0, 0}, abi::kTfLiteInt8);
  g.Input({4}, {0, 0, 0, 0});
  g.tensors()[1].quantization = q.quantization();
  g.tensors()[2].quantization = q.quantization();
  g.Outputs(3);
  EXPECT_EQ(g.Run(tflite_rnn_ops::LstmRegistration(), V(3).Build()), abi::kTfLiteError);
  EXPECT_EQ(g.error(), "TFLiteRnnOps>LSTM: input 'kernel' (int8) expected at most 131072 rows "
                       "(int32 accumulation stays exact), got 131073; store this op's weights as "
                       "float32 or float16");
}

}  // namespace
