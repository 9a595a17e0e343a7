// Contract versions 3 and 4 in the op glue: float16 / int8 weight tensors, their scales (TFLite
// affine quantization, or v4's column_scales inputs), and the error for each way they can be
// wrong (docs/ops.md).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "cc/kernels/weight_conversion.h"
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
        Case{"version above the runtime", 5, nullptr,
             "option 'version' is 5, this runtime supports 1..4 (upgrade tflite-rnn-ops)"}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return tro_test::CaseName(info.param.what);
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

// ---------------------------------------------------------------------------------------------
// Version 4, column_scales: the same int8 LSTM with its scales as float16 or float32 inputs
// gives the affine model's outputs; each malformed scales input is a clear error.

constexpr int kF = 3, kU = 2, kCols = 4 * kU;

struct ScalesGraph {
  FakeGraph g;
  std::vector<int8_t> kernel, recurrent;
  std::vector<float> kernel_scales, recurrent_scales;
  std::unique_ptr<Affine> kernel_q, recurrent_q;
  ScalesGraph() {
    for (int i = 0; i < kF * kCols; ++i) kernel.push_back(static_cast<int8_t>((i * 37) % 255 - 127));
    for (int i = 0; i < kU * kCols; ++i) recurrent.push_back(static_cast<int8_t>((i * 53) % 255 - 127));
    // float16-exact values, so both scale types carry the same numbers.
    for (int c = 0; c < kCols; ++c) kernel_scales.push_back(0.001953125f * (c + 1));
    for (int c = 0; c < kCols; ++c) recurrent_scales.push_back(0.00390625f * (kCols - c));
    g.Input({1, 3, kF}, {0.5f, -1.0f, 0.25f, 1.5f, 0.0f, -0.75f, 2.0f, 1.0f, -0.5f});
    g.RawInput({kF, kCols}, abi::kTfLiteInt8, kernel.data(), kernel.size());
    g.RawInput({kU, kCols}, abi::kTfLiteInt8, recurrent.data(), recurrent.size());
    g.Input({kCols}, std::vector<float>(kCols, 0.1f));
  }
  void UseAffineQuantization() {
    kernel_q = std::make_unique<Affine>(kernel_scales, std::vector<int>(kCols, 0));
    recurrent_q = std::make_unique<Affine>(recurrent_scales, std::vector<int>(kCols, 0));
    g.tensors()[1].quantization = kernel_q->quantization();
    g.tensors()[2].quantization = recurrent_q->quantization();
  }
  void ScaleInputs(abi::TfLiteType type) {
    for (const std::vector<float>* s : {&kernel_scales, &recurrent_scales}) {
      const int n = static_cast<int>(s->size());
      if (type == abi::kTfLiteFloat16) {
        std::vector<uint16_t> bits;
        for (float v : *s) bits.push_back(tflite_rnn_ops::FloatToHalf(v));
        g.RawInput({n}, type, bits.data(), bits.size() * 2);
      } else {
        g.Input({n}, *s);
      }
    }
  }
  std::vector<float> Run(const std::vector<uint8_t>& options) {
    g.Outputs(3);
    EXPECT_EQ(g.Run(tflite_rnn_ops::LstmRegistration(), options), abi::kTfLiteOk) << g.error();
    return g.OutputValues(0);
  }
};

FlexMap V4() { return FlexMap().Int("version", 4).Int("units", kU).Bool("column_scales", true); }

// v4 also centres the activation rows (v3 does not), so the two agree within the int8 error,
// not bit for bit; the float16 and float32 scales inputs carry the same values and agree exactly.
// (quantized_kernels_test.cc checks the centred drivers against the scheme's oracle.)
TEST(ColumnScales, Float16AndFloat32InputsAgreeAndStayCloseToTheAffineModel) {
  ScalesGraph affine;
  affine.UseAffineQuantization();
  const std::vector<float> v3 = affine.Run(FlexMap().Int("version", 3).Int("units", kU).Build());
  ASSERT_EQ(v3.size(), static_cast<size_t>(kU));
  std::vector<float> v4[2];
  int i = 0;
  for (abi::TfLiteType type : {abi::kTfLiteFloat16, abi::kTfLiteFloat32}) {
    ScalesGraph g;
    g.ScaleInputs(type);
    v4[i++] = g.Run(V4().Build());
  }
  EXPECT_EQ(v4[0], v4[1]);
  for (int u = 0; u < kU; ++u) {
    EXPECT_NEAR(v4[0][u], v3[u], 0.02f) << "unit " << u;
  }
  EXPECT_NE(v4[0], v3) << "the centring should have changed the rounding";
}

struct ScalesCase {
  const char* what;
  std::vector<uint8_t> (*options)();
  void (*setup)(ScalesGraph*);
  const char* message;
};

class ColumnScalesErrors : public ::testing::TestWithParam<ScalesCase> {};

TEST_P(ColumnScalesErrors, ReportNamingOpTensorAndExpectation) {
  const ScalesCase& c = GetParam();
  ScalesGraph graph;
  c.setup(&graph);
  graph.g.Outputs(3);
  EXPECT_EQ(graph.g.Run(tflite_rnn_ops::LstmRegistration(), c.options()), abi::kTfLiteError);
  EXPECT_EQ(graph.g.error(), std::string("TFLiteRnnOps>LSTM: ") + c.message);
}

std::vector<uint8_t> V4Options() { return V4().Build(); }

INSTANTIATE_TEST_SUITE_P(
    Lstm, ColumnScalesErrors,
    ::testing::Values(
        ScalesCase{"on a version 3 op",
                   [] { return FlexMap().Int("version", 3).Int("units", kU)
                                 .Bool("column_scales", true).Build(); },
                   [](ScalesGraph* g) { g->ScaleInputs(abi::kTfLiteFloat16); },
                   "option 'column_scales' needs option 'version' >= 4, the op says 3 (a damaged "
                   "or hand-edited model; convert it again)"},
        ScalesCase{"inputs missing", V4Options, [](ScalesGraph*) {},
                   "expected 6 inputs and 3 outputs (per its direction/merge_mode/mask/"
                   "initial_state/column_scales options), got 4 and 3"},
        ScalesCase{"float32 weights", V4Options,
                   [](ScalesGraph* g) {
                     g->g.tensors()[1].type = abi::kTfLiteFloat32;
                     g->g.tensors()[2].type = abi::kTfLiteFloat32;
                     g->ScaleInputs(abi::kTfLiteFloat16);
                   },
                   "option 'column_scales' gives the scales of int8 weight matrices, but input "
                   "'kernel' is float32"},
        ScalesCase{"affine quantization as well", V4Options,
                   [](ScalesGraph* g) {
                     g->UseAffineQuantization();
                     g->ScaleInputs(abi::kTfLiteFloat16);
                   },
                   "input 'kernel' (int8) expected no affine quantization: with option "
                   "'column_scales' its scales are input 'kernel_scales'"},
        ScalesCase{"wrong length", V4Options,
                   [](ScalesGraph* g) {
                     g->kernel_scales.pop_back();
                     g->ScaleInputs(abi::kTfLiteFloat32);
                   },
                   "input 'kernel_scales' expected shape [G*U] = [8], got [7]"},
        ScalesCase{"int32 scales", V4Options,
                   [](ScalesGraph* g) {
                     g->g.IntInput({kCols}, std::vector<int32_t>(kCols, 1));
                     g->g.IntInput({kCols}, std::vector<int32_t>(kCols, 1));
                   },
                   "input 'kernel_scales' expected float16 or float32 scales of input 'kernel', "
                   "got int32"},
        ScalesCase{"zero scale", V4Options,
                   [](ScalesGraph* g) {
                     g->recurrent_scales[5] = 0.0f;
                     g->ScaleInputs(abi::kTfLiteFloat16);
                   },
                   "input 'recurrent_kernel_scales' expected every scale finite and > 0, got "
                   "scale[5] = 0.000000"},
        ScalesCase{"scales without data", V4Options,
                   [](ScalesGraph* g) {
                     g->ScaleInputs(abi::kTfLiteFloat16);
                     g->g.tensors()[4].data = nullptr;
                   },
                   "input 'kernel_scales' has no data (the scales of input 'kernel')"},
        ScalesCase{"NaN scale", V4Options,
                   [](ScalesGraph* g) {
                     g->kernel_scales[0] = std::numeric_limits<float>::quiet_NaN();
                     g->ScaleInputs(abi::kTfLiteFloat32);
                   },
                   "input 'kernel_scales' expected every scale finite and > 0, got scale[0] = "
                   "nan"}),
    [](const ::testing::TestParamInfo<ScalesCase>& info) {
      return tro_test::CaseName(info.param.what);
    });

}  // namespace
