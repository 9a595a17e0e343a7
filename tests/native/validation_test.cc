// Hostile or broken graphs beyond op_glue_test's cases: sizes that overflow (also on 32-bit),
// options that are unknown, mistyped or NaN, state shapes, batch 0, allocation failure, and a
// node that failed once and is then fixed and runs (the interpreter stays usable).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cc/tflite/op_registry.h"
#include "tests/native/abi_test_util.h"
#include "tests/native/support/allocation_counter.h"

namespace {

using tro_test::FakeGraph;
using tro_test::FlexMap;
namespace abi = tflite_rnn_ops::abi;

FlexMap Base(int units) { return FlexMap().Int("version", 1).Int("units", units); }

// x [1, 2, 1] and an LSTM's (or SimpleRNN's) weights for `units`, then its outputs.
void AddCell(FakeGraph* g, int gates, int units, int outputs) {
  const int cols = gates * units;
  g->Input({1, 2, 1}, {0.5f, -1.0f});
  g->Input({1, cols}, std::vector<float>(cols, 0.1f));
  g->Input({units, cols}, std::vector<float>(static_cast<size_t>(units) * cols, 0.2f));
  g->Input({cols}, std::vector<float>(cols, 0.0f));
  g->Outputs(outputs);
}

std::string RunError(const abi::TfLiteRegistration* r, const std::vector<uint8_t>& options,
                     void (*tweak)(FakeGraph*), int gates = 4, int outputs = 3) {
  FakeGraph g;
  AddCell(&g, gates, 1, outputs);
  if (tweak) tweak(&g);
  EXPECT_EQ(g.Run(r, options), abi::kTfLiteError);
  return g.error();
}

// The limit CheckSizes applies on this target (32-bit ARM: PTRDIFF_MAX bytes = 2^29 floats).
uint64_t ElementLimitValue() {
  const uint64_t by_bytes = static_cast<uint64_t>(std::numeric_limits<ptrdiff_t>::max()) / 4;
  return std::min<uint64_t>(std::numeric_limits<int32_t>::max(), by_bytes);
}
std::string ElementLimit() { return std::to_string(ElementLimitValue()); }

// T steps of LSTM(1), T = a quarter of the limit: x (B*T*F) still fits, B*T*4*units does not
// (units padded to a SIMD panel); x's data is never read.
int QuarterLimitSteps() { return static_cast<int>(ElementLimitValue() / 4); }

TEST(Validation, StepsTimesUnitsOverflowIsAnError) {
  const std::string message = RunError(
      tflite_rnn_ops::LstmRegistration(), Base(1).Build(),
      [](FakeGraph* g) { g->tensors()[0].dims->data[1] = QuarterLimitSteps(); });
  EXPECT_EQ(message, "TFLiteRnnOps>LSTM: sizes too large: input projection of all steps "
                     "(B*T*G*units) exceeds " + ElementLimit() + " elements (B=1, T=" +
                     std::to_string(QuarterLimitSteps()) + ", F=1, G=4, units=1, H=1)");
}

TEST(Validation, ProductsThatWrap64BitsAreCaught) {
  // B*T*F = 2^31 * 2^31 * 2^31 wraps a 64-bit size_t twice over if multiplied unchecked.
  const std::string message = RunError(
      tflite_rnn_ops::RnnRegistration(), Base(1).Build(),
      [](FakeGraph* g) {
        for (int i = 0; i < 3; ++i) g->tensors()[0].dims->data[i] = 0x7fffffff;
        g->tensors()[1].dims->data[0] = 0x7fffffff;  // kernel [F, units] consistent with x
      },
      1, 2);
  EXPECT_EQ(message, "TFLiteRnnOps>RNN: sizes too large: x (B*T*F) exceeds " + ElementLimit() +
                     " elements (B=2147483647, T=2147483647, F=2147483647, G=1, units=1, H=1)");
}

TEST(Validation, NegativeBatchIsAnError) {
  const std::string message = RunError(tflite_rnn_ops::LstmRegistration(), Base(1).Build(),
                                       [](FakeGraph* g) { g->tensors()[0].dims->data[0] = -1; });
  EXPECT_EQ(message, "TFLiteRnnOps>LSTM: input 'x' expected at least one time step and one feature "
                     "in [B, T, F], got [-1, 2, 1]");
}

TEST(Validation, EmptyBatchRunsAndSizesOutputs) {
  FakeGraph g;
  AddCell(&g, 4, 1, 3);
  g.tensors()[0].dims->data[0] = 0;
  ASSERT_EQ(g.Run(tflite_rnn_ops::LstmRegistration(), Base(1).Build()), abi::kTfLiteOk) << g.error();
  EXPECT_EQ(g.Output(0).dims->data[0], 0);
  EXPECT_EQ(g.Output(0).bytes, 0u);
}

TEST(Validation, OptionErrors) {
  const auto* lstm = tflite_rnn_ops::LstmRegistration();
  EXPECT_EQ(RunError(lstm, Base(1).Int("unit", 1).Build(), nullptr),
            "TFLiteRnnOps>LSTM: unknown option 'unit' (this runtime reads the attributes of "
            "docs/ops.md, contract versions 1..4)");
  // GRU's own key on an LSTM is as unknown as a typo.
  EXPECT_EQ(RunError(lstm, Base(1).Bool("reset_after", true).Build(), nullptr),
            "TFLiteRnnOps>LSTM: unknown option 'reset_after' (this runtime reads the attributes "
            "of docs/ops.md, contract versions 1..4)");
  EXPECT_EQ(RunError(lstm, Base(1).String("return_sequences", "yes").Build(), nullptr),
            "TFLiteRnnOps>LSTM: option 'return_sequences' expected a bool");
  EXPECT_EQ(RunError(lstm, Base(1).Int("direction", 2).Build(), nullptr),
            "TFLiteRnnOps>LSTM: option 'direction' expected a string");
  EXPECT_EQ(RunError(lstm, FlexMap().Int("version", 1).Float("units", 1.0).Build(), nullptr),
            "TFLiteRnnOps>LSTM: option 'units' expected an int");
  // Found by tests/fuzz/op_fuzzer (corpus/op/regression-nan-cell-clip): NaN passed `clip < 0`.
  EXPECT_EQ(RunError(lstm, Base(1).Float("cell_clip", std::nan("")).Build(), nullptr),
            "TFLiteRnnOps>LSTM: options 'num_proj', 'cell_clip' and 'proj_clip' expected >= 0 "
            "(0 = none)");
  EXPECT_EQ(RunError(lstm, Base(1).Float("proj_clip", -std::nan("")).Build(), nullptr),
            "TFLiteRnnOps>LSTM: options 'num_proj', 'cell_clip' and 'proj_clip' expected >= 0 "
            "(0 = none)");
}

TEST(Validation, OptionsThatAreNotAMap) {
  // A flexbuffer whose root is the int 7 (value, type int/1 byte, root width 1).
  const std::vector<uint8_t> int_root = {7, 1 << 2, 1};
  EXPECT_EQ(RunError(tflite_rnn_ops::GruRegistration(), int_root, nullptr, 3, 2),
            "TFLiteRnnOps>GRU: options are not a flexbuffer map");
}

TEST(Validation, WrongWeightAndStateTypesAndShapes) {
  const auto* lstm = tflite_rnn_ops::LstmRegistration();
  EXPECT_EQ(RunError(lstm, Base(1).Build(),
                     [](FakeGraph* g) { g->tensors()[2].type = abi::kTfLiteInt32; }),
            "TFLiteRnnOps>LSTM: input 'recurrent_kernel' expected float32 like input 'kernel' "
            "(an op's weight matrices share one type), got int32");
  EXPECT_EQ(RunError(lstm, Base(1).Build(),
                     [](FakeGraph* g) { g->tensors()[3].type = abi::kTfLiteFloat64; }),
            "TFLiteRnnOps>LSTM: input 'bias' expected float32, got float64");
  FakeGraph g;
  g.Input({1, 2, 1}, {0.5f, -1.0f});
  g.Input({1, 4}, {0, 0, 0, 0});
  g.Input({1, 4}, {0, 0, 0, 0});
  g.Input({4}, {0, 0, 0, 0});
  g.Input({1, 1}, {0});
  g.Input({2, 1}, {0, 0});  // initial c for a batch of 2
  g.Outputs(3);
  EXPECT_EQ(g.Run(lstm, Base(1).Bool("initial_state", true).Build()), abi::kTfLiteError);
  EXPECT_EQ(g.error(), "TFLiteRnnOps>LSTM: input 'initial_c' expected shape [B, units] = [1, 1], "
                       "got [2, 1]");
}

// A node that failed Prepare (bad shape) or Eval (bad lengths) runs once the input is fixed, with
// the result of a node that never failed.
TEST(Validation, NodeStaysUsableAfterErrors) {
  const auto options = FlexMap().Int("version", 2).Int("units", 1).String("mask", "lengths")
                           .Bool("return_sequences", true).Build();
  const auto* r = tflite_rnn_ops::LstmRegistration();
  FakeGraph reference;
  AddCell(&reference, 4, 1, 0);
  reference.IntInput({1}, {2});
  reference.Outputs(3);
  ASSERT_EQ(reference.Run(r, options), abi::kTfLiteOk) << reference.error();

  FakeGraph g;
  AddCell(&g, 4, 1, 0);
  g.IntInput({1}, {-1});
  g.Outputs(3);
  void* data = r->init(g.context(), reinterpret_cast<const char*>(options.data()), options.size());
  g.node()->user_data = data;
  g.tensors()[0].dims->data[2] = 3;  // F = 3 against a kernel for F = 1
  EXPECT_EQ(r->prepare(g.context(), g.node()), abi::kTfLiteError);
  g.tensors()[0].dims->data[2] = 1;
  ASSERT_EQ(r->prepare(g.context(), g.node()), abi::kTfLiteOk) << g.error();
  EXPECT_EQ(r->invoke(g.context(), g.node()), abi::kTfLiteError);
  EXPECT_EQ(g.error(), "TFLiteRnnOps>LSTM: input 'lengths' expected values in [0, T=2], got -1 for "
                       "batch row 0");
  static_cast<int32_t*>(g.tensors()[4].data)[0] = 2;
  ASSERT_EQ(r->invoke(g.context(), g.node()), abi::kTfLiteOk) << g.error();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(g.OutputValues(i), reference.OutputValues(i));
  r->free(g.context(), data);
}

// Shapes within the limits whose scratch memory cannot be had: Prepare reports it (no exception
// into the interpreter) and the node still prepares and runs at a size that fits.
TEST(Validation, OutOfMemoryIsAnError) {
  FakeGraph g;
  AddCell(&g, 1, 8, 2);
  const auto options = Base(8).Build();
  const auto* r = tflite_rnn_ops::RnnRegistration();
  void* data = r->init(g.context(), reinterpret_cast<const char*>(options.data()), options.size());
  g.node()->user_data = data;
  // 2^21 rows * 2 steps * 16 (padded) units: 256 MiB of input projections and states.
  g.tensors()[0].dims->data[0] = 1 << 21;
  {
    const tro_test::AllocationLimit limit(64 << 20);
    EXPECT_EQ(r->prepare(g.context(), g.node()), abi::kTfLiteError);
  }
  EXPECT_EQ(g.error(), "TFLiteRnnOps>RNN: out of memory allocating the scratch for input 'x' of "
                       "shape [2097152, 2, 1]");
  g.tensors()[0].dims->data[0] = 1;
  EXPECT_EQ(r->prepare(g.context(), g.node()), abi::kTfLiteOk) << g.error();
  EXPECT_EQ(r->invoke(g.context(), g.node()), abi::kTfLiteOk) << g.error();
  r->free(g.context(), data);
}

}  // namespace
