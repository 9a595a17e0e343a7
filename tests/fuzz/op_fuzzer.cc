// libFuzzer target: one op (LSTM, GRU or SimpleRNN, chosen by the first byte) through Init,
// Prepare and Eval on hand-built ABI tensors (our c_abi.h, as the interpreters see them), with
// fuzzed options, shapes, dtypes, weight encodings, lengths, masks, data and num_threads.
//
// The graph is built the way the interpreter builds one: every tensor's bytes match its dims
// and type, outputs are sized only through context->ResizeTensor (which, like an arena, fails
// beyond a budget). Within that, anything goes. The properties checked beyond "no crash, no
// sanitizer report": a failing Prepare/Eval reports a message naming the op, and a node that
// prepared once can be prepared and run again (new data, another thread count).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "cc/tflite/op_registry.h"
#include "tests/fuzz/fuzz_graph.h"
#include "tests/fuzz/sanitizer_options.h"
#include "tests/native/abi_test_util.h"

namespace {

namespace abi = tflite_rnn_ops::abi;
using tro_fuzz::FuzzGraph;
using tro_test::FlexMap;

struct OpSpec {
  const abi::TfLiteRegistration* (*registration)();
  const char* name;
  int gates;
  int states;
};
const OpSpec kOps[] = {{tflite_rnn_ops::LstmRegistration, "TFLiteRnnOps>LSTM", 4, 2},
                       {tflite_rnn_ops::GruRegistration, "TFLiteRnnOps>GRU", 3, 1},
                       {tflite_rnn_ops::RnnRegistration, "TFLiteRnnOps>RNN", 1, 1}};

// How the weight matrices (kernel, recurrent_kernel, projection) are stored. float32 is what the
// ops take today; the others must be rejected cleanly until the quantized paths (issue 10)
// accept them, and from then on run. Adding an encoding = adding a row here.
const tro_fuzz::WeightEncoding kWeightEncodings[] = {
    {abi::kTfLiteFloat32, 4, false},
    {abi::kTfLiteFloat16, 2, false},
    // Mostly with the affine quantization of docs/ops.md (fuzz_graph.h), sometimes without.
    {abi::kTfLiteInt8, 1, true},
};
// int8 for an op with option column_scales (v4): the scales are inputs, not affine quantization.
const tro_fuzz::WeightEncoding kInt8Unscaled = {abi::kTfLiteInt8, 1, false};

const char* const kActivations[] = {"tanh", "sigmoid", "relu", "linear", "hard_sigmoid",
                                    "elu", "gelu", "exponential", "softmax", ""};
const char* const kDirections[] = {"forward", "reverse", "bidirectional", "sideways"};
const char* const kMergeModes[] = {"concat", "sum", "mul", "ave", "none", "max"};
const char* const kMasks[] = {"none", "steps", "lengths", "bits"};

template <class T, size_t N>
const T& Pick(FuzzedDataProvider& p, const T (&items)[N]) {
  return items[p.ConsumeIntegralInRange<size_t>(0, N - 1)];
}

// Mostly tiny dims (the interesting paths), sometimes moderate, sometimes zero, negative or
// enormous: the op must refuse those before sizing anything from them. Exhausted fuzz data
// reads as zeros, which pick `lo`, so short inputs already make valid graphs; every rare or
// invalid choice sits at the top of its range.
int Dim(FuzzedDataProvider& p, int lo, int hi) {
  switch (p.ConsumeIntegralInRange(0, 15)) {
    case 14: return p.ConsumeIntegralInRange(0, 300);
    case 15: return p.PickValueInArray({0, -1, 1 << 20, 1 << 24, 1 << 28, 0x7fffffff});
    default: return p.ConsumeIntegralInRange(lo, hi);
  }
}

// g * u as the converter would write it, saturated (the op must reject such units itself).
int Cols(int g, int u) {
  const int64_t n = static_cast<int64_t>(g) * u;
  return n > INT32_MAX ? INT32_MAX : static_cast<int>(n);
}

uint64_t SaturatedProduct(std::initializer_list<int64_t> factors) {
  uint64_t n = 1;
  for (int64_t x : factors) {
    if (x < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(x), &n)) return UINT64_MAX;
  }
  return n;
}

// Largest buffer (floats) the op would size from these dims, as CheckSizes bounds it, saturated.
uint64_t LargestBuffer(int b, int t, int f, int u, int h, int g, int d) {
  const int64_t up = int64_t{u} + 16, hp = int64_t{h} + 16;
  return std::max({SaturatedProduct({b, t, f}), SaturatedProduct({f, g, up}),
                   SaturatedProduct({hp, g, up}), SaturatedProduct({b, t, g, up}),
                   SaturatedProduct({b, t, d, hp})});
}

// Multiply-adds of one invoke: both products of every step of every direction.
uint64_t InvokeMacs(int b, int t, int f, int u, int h, int g, int d) {
  return SaturatedProduct({b, t, int64_t{f} + h, g, int64_t{u} + 16, d});
}

// Sizes the op must refuse (beyond INT32_MAX elements) or that fit in 128 MiB. Between the two
// the op would rightly allocate gigabytes, which ASan reports as a crash.
// Graphs the op accepts must also run in well under the fuzzer's 30 s timeout under ASan
// (about 1e8 multiply-adds a second): a legitimately huge model is not a hang.
bool WithinBudget(int b, int t, int f, int u, int h, int g, int d) {
  const uint64_t n = LargestBuffer(b, t, f, u, h, g, d);
  if (n > INT32_MAX) return true;
  return n <= (uint64_t{32} << 20) && InvokeMacs(b, t, f, u, h, g, d) <= (uint64_t{1} << 28);
}

struct Attrs {
  int units = 1, num_proj = 0;
  bool bidirectional = false, two_outputs = false, peepholes = false, initial_state = false;
  bool lengths = false, steps = false, time_major = false, column_scales = false;
};

// Options as the converter writes them, each key sometimes missing, mistyped or out of range,
// sometimes an unknown key; rarely raw bytes instead of a map.
std::vector<uint8_t> BuildOptions(FuzzedDataProvider& p, const OpSpec& op, Attrs* a) {
  if (p.ConsumeIntegralInRange(0, 31) == 31) {
    return p.ConsumeBytes<uint8_t>(p.ConsumeIntegralInRange<size_t>(0, 64));
  }
  FlexMap m;
  if (p.ConsumeIntegralInRange(0, 31) != 31) m.Int("version", p.ConsumeIntegralInRange(1, 4));
  else if (p.ConsumeBool()) m.String("version", "1");
  a->units = Dim(p, 1, 9);
  if (p.ConsumeIntegralInRange(0, 31) != 31) m.Int("units", a->units);
  else if (p.ConsumeBool()) m.String("units", "8");
  const auto flag = [&](const char* key, bool* out) {
    const bool v = p.ConsumeBool();
    if (out) *out = v;
    if (p.ConsumeBool()) m.Bool(key, v);
  };
  flag("time_major", &a->time_major);
  flag("go_backwards", nullptr);
  flag("return_sequences", nullptr);
  flag("zero_output_for_mask", nullptr);
  flag("initial_state", &a->initial_state);
  flag("stateful", nullptr);
  flag("column_scales", &a->column_scales);
  if (p.ConsumeBool()) m.String("activation", Pick(p, kActivations));
  if (op.gates > 1 && p.ConsumeBool()) m.String("recurrent_activation", Pick(p, kActivations));
  const std::string direction = Pick(p, kDirections), merge = Pick(p, kMergeModes);
  const std::string mask = Pick(p, kMasks);
  if (p.ConsumeBool()) m.String("direction", direction);
  if (p.ConsumeBool()) m.String("merge_mode", merge);
  if (p.ConsumeBool()) m.String("mask", mask);
  a->bidirectional = direction == "bidirectional";
  a->two_outputs = a->bidirectional && merge == "none";
  a->steps = mask == "steps";
  a->lengths = mask == "lengths";
  if (op.gates == 3 && p.ConsumeBool()) m.Bool("reset_after", p.ConsumeBool());
  if (op.gates == 4) {
    flag("use_peepholes", &a->peepholes);
    if (p.ConsumeBool()) m.Float("cell_clip", p.PickValueInArray({0.0f, 0.5f, 3.0f, -1.0f, NAN}));
    if (p.ConsumeBool()) m.Float("proj_clip", p.PickValueInArray({0.0f, 0.5f, 3.0f, -1.0f}));
    if (p.ConsumeBool()) {
      a->num_proj = Dim(p, 0, 5);
      m.Int("num_proj", a->num_proj);
    }
  }
  if (p.ConsumeIntegralInRange(0, 15) == 15) m.Int(p.ConsumeRandomLengthString(8), 1);
  return m.Build();
}

void AddFloats(FuzzGraph& g, FuzzedDataProvider& p, const std::vector<int>& dims,
               const tro_fuzz::WeightEncoding& encoding) {
  g.AddInput(dims, encoding, p);
}

// The inputs and outputs the options call for, each shape sometimes perturbed (a wrong dim, a
// wrong rank, a wrong type) so the checks see near misses as well as well-formed graphs.
void BuildGraph(FuzzGraph& g, FuzzedDataProvider& p, const OpSpec& op, const Attrs& a,
                tro_fuzz::WeightEncoding weights) {
  if (a.column_scales && weights.type == abi::kTfLiteInt8 && p.ConsumeIntegralInRange(0, 7) != 7) {
    weights = kInt8Unscaled;
  }
  int b = Dim(p, 1, 3), t = Dim(p, 1, 6), f = Dim(p, 1, 4);
  int u = a.units, h = a.num_proj > 0 ? a.num_proj : u;
  const int directions = a.bidirectional ? 2 : 1;
  if (!WithinBudget(b, t, f, u, h, op.gates, directions)) {
    b = std::min(b, 3), t = std::min(t, 6), f = std::min(f, 4);
    // Units too large for the budget but not for the op (its weights alone would take
    // gigabytes): the tensors get small ones, so the op must refuse the mismatch with its
    // options instead.
    if (!WithinBudget(b, t, f, u, h, op.gates, directions)) u = std::min(u, 9), h = std::min(h, 9);
  }
  const tro_fuzz::WeightEncoding f32 = kWeightEncodings[0];
  AddFloats(g, p, a.time_major ? std::vector<int>{t, b, f} : std::vector<int>{b, t, f}, f32);
  for (int d = 0; d < directions; ++d) {
    AddFloats(g, p, {f, Cols(op.gates, u)}, weights);
    AddFloats(g, p, {h, Cols(op.gates, u)}, weights);
    AddFloats(g, p, op.gates == 3 && p.ConsumeBool() ? std::vector<int>{2, Cols(3, u)}
                                                     : std::vector<int>{Cols(op.gates, u)}, f32);
    if (a.peepholes) {
      for (int k = 0; k < 3; ++k) AddFloats(g, p, {u}, f32);
    }
    if (a.num_proj > 0) AddFloats(g, p, {u, a.num_proj}, weights);
  }
  if (a.steps) {
    g.AddBoolInput(a.time_major ? std::vector<int>{t, b} : std::vector<int>{b, t}, p);
  }
  if (a.lengths) g.AddLengthsInput({b}, t, p);
  if (a.initial_state) {
    for (int d = 0; d < directions; ++d) {
      for (int k = 0; k < op.states; ++k) AddFloats(g, p, {b, k == 0 ? h : u}, f32);
    }
  }
  if (a.column_scales) {  // per direction, per weight matrix, after everything else
    for (int d = 0; d < directions; ++d) {
      const int matrices = a.num_proj > 0 ? 3 : 2;
      for (int m = 0; m < matrices; ++m) {
        const int cols = m < 2 ? Cols(op.gates, u) : a.num_proj;
        const int n = p.ConsumeIntegralInRange(0, 15) != 15 ? cols : Dim(p, 0, 3);
        g.AddScalesInput({n}, p.ConsumeBool() ? abi::kTfLiteFloat16 : abi::kTfLiteFloat32, p);
      }
    }
  }
  if (p.ConsumeIntegralInRange(0, 7) == 7) g.PerturbInput(p);
  g.AddOutputs((a.two_outputs ? 2 : 1) + directions * op.states, p);
}

void ExpectReported(const FuzzGraph& g, const OpSpec& op, const char* stage) {
  if (g.error().rfind(op.name, 0) == 0) return;
  std::fprintf(stderr, "%s failed without a message naming %s (got \"%s\")\n", stage, op.name,
               g.error().c_str());
  std::abort();
}

// TRO_FUZZ_STATS=1 prints how far the inputs got (a fuzzer that never reaches Eval tests little).
struct Stats {
  long inputs = 0, prepared = 0, evaluated = 0;
  long evaluated_by_type[3] = {0, 0, 0};  // per kWeightEncodings entry
  ~Stats() {
    if (std::getenv("TRO_FUZZ_STATS") != nullptr) {
      std::fprintf(stderr,
                   "op_fuzzer: %ld inputs, %ld prepared, %ld evaluated ok (float32 %ld, "
                   "float16 %ld, int8 %ld)\n",
                   inputs, prepared, evaluated, evaluated_by_type[0], evaluated_by_type[1],
                   evaluated_by_type[2]);
    }
  }
} stats;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  ++stats.inputs;
  const OpSpec& op = Pick(p, kOps);
  const tro_fuzz::WeightEncoding& weights = Pick(p, kWeightEncodings);
  Attrs attrs;
  const std::vector<uint8_t> options = BuildOptions(p, op, &attrs);
  FuzzGraph g;
  BuildGraph(g, p, op, attrs, weights);
  g.SetThreads(p.ConsumeIntegralInRange(0, 4));
  const abi::TfLiteRegistration* r = op.registration();
  void* user_data = r->init(g.context(), reinterpret_cast<const char*>(options.data()),
                            options.size());
  g.node()->user_data = user_data;
  for (int round = 0; round < 2; ++round) {
    g.ClearError();
    if (r->prepare(g.context(), g.node()) != abi::kTfLiteOk) {
      ExpectReported(g, op, "Prepare");
      break;
    }
    stats.prepared += round == 0;
    if (!g.CanEval()) break;
    if (r->invoke(g.context(), g.node()) != abi::kTfLiteOk) ExpectReported(g, op, "Eval");
    else if (round == 0) {
      ++stats.evaluated;
      ++stats.evaluated_by_type[&weights - kWeightEncodings];
    }
    // Apps set new inputs and the interpreter may change threads between invokes: once more.
    if (!g.Refill(p)) break;
    g.SetThreads(p.ConsumeIntegralInRange(1, 3));
  }
  r->free(g.context(), user_data);
  return 0;
}
