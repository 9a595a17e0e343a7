// The op glue on hand-built ABI tensors: option parsing, Prepare/Eval, and the error messages.
#include <gtest/gtest.h>

#include <cmath>

#include "cc/tflite/op_registry.h"
#include "cc/tflite/options.h"
#include "tests/native/abi_test_util.h"

namespace {

using tro_test::FakeGraph;
using tro_test::FlexMap;
namespace abi = tflite_rnn_ops::abi;

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

FlexMap Base(int units) { return FlexMap().Int("version", 1).Int("units", units); }

TEST(Options, ParsesEveryKind) {
  const auto buf = FlexMap().Int("units", 7).Bool("stateful", true).Float("cell_clip", 2.5)
                       .String("mask", "steps").Build();
  tflite_rnn_ops::OpOptions o;
  std::string error;
  ASSERT_TRUE(o.Parse(buf.data(), buf.size(), &error)) << error;
  int64_t units = 0;
  bool stateful = false;
  float clip = 0;
  std::string mask;
  EXPECT_TRUE(o.GetInt("units", &units, &error) && units == 7);
  EXPECT_TRUE(o.GetBool("stateful", &stateful, &error) && stateful);
  EXPECT_TRUE(o.GetFloatOr("cell_clip", 0, &clip, &error) && clip == 2.5f);
  EXPECT_TRUE(o.GetString("mask", &mask, &error) && mask == "steps");
  EXPECT_FALSE(o.GetString("units", &mask, &error));
  EXPECT_EQ(error, "option 'units' expected a string");
  EXPECT_FALSE(o.GetInt("nope", &units, &error));
  EXPECT_EQ(error, "option 'nope' is missing (expected an int)");
}

TEST(Options, MalformedBuffersAreErrors) {
  tflite_rnn_ops::OpOptions o;
  std::string error;
  EXPECT_FALSE(o.Parse(nullptr, 0, &error));
  EXPECT_EQ(error, "options are missing (expected a flexbuffer map)");
  const uint8_t not_a_map[] = {1, 2, 3, 4, (1 << 2) | 0, 1};
  EXPECT_FALSE(o.Parse(not_a_map, sizeof(not_a_map), &error));
  EXPECT_EQ(error, "options are not a flexbuffer map");
  auto buf = Base(3).Build();
  buf[buf.size() - 3] = 0xff;  // root offset points before the buffer
  EXPECT_FALSE(o.Parse(buf.data(), buf.size(), &error));
  EXPECT_EQ(error, "options flexbuffer map is malformed");
}

// x [B=1, T=2, F=1], units 1: the cells' formulas by hand.
void AddSequence(FakeGraph* g, int gates, std::vector<float> w, std::vector<float> u,
                 std::vector<float> b) {
  g->Input({1, 2, 1}, {0.5f, -1.0f});
  g->Input({1, gates}, std::move(w));
  g->Input({1, gates}, std::move(u));
  g->Input({gates}, std::move(b));
}

TEST(OpGlue, LstmMatchesItsFormula) {
  FakeGraph g;
  AddSequence(&g, 4, {0.1f, 0.2f, 0.3f, 0.4f}, {0.5f, -0.6f, 0.7f, -0.8f}, {0.0f, 1.0f, 0.0f, 0.0f});
  g.Outputs(3);
  ASSERT_EQ(g.Run(tflite_rnn_ops::LstmRegistration(),
                  Base(1).Bool("return_sequences", true).Build()), abi::kTfLiteOk) << g.error();
  float h = 0, c = 0;
  std::vector<float> want;
  for (float x : {0.5f, -1.0f}) {
    const float i = Sigmoid(0.1f * x + 0.5f * h), f = Sigmoid(0.2f * x - 0.6f * h + 1.0f);
    const float cc = std::tanh(0.3f * x + 0.7f * h), o = Sigmoid(0.4f * x - 0.8f * h);
    c = f * c + i * cc;
    h = o * std::tanh(c);
    want.push_back(h);
  }
  EXPECT_EQ(g.Output(0).dims->size, 3);
  const auto got = g.OutputValues(0);
  ASSERT_EQ(got.size(), 2u);
  for (int t = 0; t < 2; ++t) EXPECT_NEAR(got[t], want[t], 1e-6);
  EXPECT_NEAR(g.OutputValues(1)[0], h, 1e-6);
  EXPECT_NEAR(g.OutputValues(2)[0], c, 1e-6);
}

TEST(OpGlue, RnnAndGruRun) {
  FakeGraph rnn;
  AddSequence(&rnn, 1, {0.7f}, {0.3f}, {0.1f});
  rnn.Outputs(2);
  ASSERT_EQ(rnn.Run(tflite_rnn_ops::RnnRegistration(), Base(1).Build()), abi::kTfLiteOk) << rnn.error();
  const float h1 = std::tanh(0.7f * 0.5f + 0.1f);
  EXPECT_NEAR(rnn.OutputValues(0)[0], std::tanh(-0.7f + 0.3f * h1 + 0.1f), 1e-6);

  FakeGraph gru;
  AddSequence(&gru, 3, {0.1f, 0.2f, 0.3f}, {0.4f, 0.5f, 0.6f}, {0.0f, 0.0f, 0.0f});
  gru.Outputs(2);
  ASSERT_EQ(gru.Run(tflite_rnn_ops::GruRegistration(), Base(1).Bool("reset_after", false).Build()),
            abi::kTfLiteOk) << gru.error();
  float h = 0;
  for (float x : {0.5f, -1.0f}) {
    const float z = Sigmoid(0.1f * x + 0.4f * h), r = Sigmoid(0.2f * x + 0.5f * h);
    const float hh = std::tanh(0.3f * x + 0.6f * (r * h));
    h = z * h + (1 - z) * hh;
  }
  EXPECT_NEAR(gru.OutputValues(0)[0], h, 1e-6);
}

struct ErrorCase {
  const char* what;
  std::vector<uint8_t> options;
  void (*tweak)(FakeGraph*);
  const char* message;
};

class OpGlueErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(OpGlueErrors, ReportNamingOpTensorAndExpectation) {
  const ErrorCase& c = GetParam();
  FakeGraph g;
  AddSequence(&g, 4, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0});
  if (c.tweak) c.tweak(&g);
  g.Outputs(3);
  EXPECT_EQ(g.Run(tflite_rnn_ops::LstmRegistration(), c.options), abi::kTfLiteError);
  EXPECT_EQ(g.error(), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Lstm, OpGlueErrors,
    ::testing::Values(
        ErrorCase{"x dtype", Base(1).Build(),
                  [](FakeGraph* g) { g->tensors()[0].type = abi::kTfLiteInt32; },
                  "TFLiteRnnOps>LSTM: input 'x' expected float32, got int32"},
        ErrorCase{"x rank", Base(1).Build(),
                  [](FakeGraph* g) { g->tensors()[0].dims->size = 2; },
                  "TFLiteRnnOps>LSTM: input 'x' expected shape [B, T, F] = [?, ?, ?], got [1, 2]"},
        ErrorCase{"kernel shape", Base(2).Build(), nullptr,
                  "TFLiteRnnOps>LSTM: input 'kernel' expected shape [F, 4*units] = [1, 8], got [1, 4]"},
        ErrorCase{"version", FlexMap().Int("version", 99).Int("units", 1).Build(), nullptr,
                  "TFLiteRnnOps>LSTM: option 'version' is 99, this runtime supports 1..4 (upgrade "
                  "tflite-rnn-ops)"},
        ErrorCase{"units", Base(0).Build(), nullptr,
                  "TFLiteRnnOps>LSTM: option 'units' expected a positive int, got 0"},
        ErrorCase{"mask value", Base(1).String("mask", "bits").Build(), nullptr,
                  "TFLiteRnnOps>LSTM: option 'mask' expected \"none\", \"steps\" or \"lengths\", got "
                  "\"bits\""},
        ErrorCase{"activation", Base(1).String("activation", "softmax").Build(), nullptr,
                  "TFLiteRnnOps>LSTM: option 'activation' expected an elementwise Keras activation "
                  "the kernels implement (docs/ops.md); got \"softmax\""},
        ErrorCase{"malformed", std::vector<uint8_t>{1, 2}, nullptr,
                  "TFLiteRnnOps>LSTM: options are missing (expected a flexbuffer map)"},
        ErrorCase{"arity", Base(1).String("mask", "steps").Build(), nullptr,
                  "TFLiteRnnOps>LSTM: expected 5 inputs and 3 outputs (per its "
                  "direction/merge_mode/mask/initial_state/column_scales options), got 4 and 3"},
        ErrorCase{"lengths out of range", FlexMap().Int("version", 2).Int("units", 1)
                                              .String("mask", "lengths").Build(),
                  [](FakeGraph* g) { g->IntInput({1}, {3}); },
                  "TFLiteRnnOps>LSTM: input 'lengths' expected values in [0, T=2], got 3 for batch "
                  "row 0"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return tro_test::CaseName(info.param.what);
    });

}  // namespace
