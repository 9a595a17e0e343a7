// The stable C API route (tflite_rnn_ops/c_api.h) against a FAKE of the TFLite C functions it calls.
//
// No libtensorflowlite_c is available here (no wheel ships it), so this file implements the C
// functions of tflite/c/c_api.h and c_api_opaque.h that the route uses, with opaque structs laid
// out nothing like TfLiteContext/TfLiteTensor: an adapter that cast them would read garbage. A
// tiny "interpreter" runs a real LSTM node through the registered operator and compares it with
// the classic route (our registration on ABI tensors).
#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cc/tflite/op_registry.h"
#include "cc/tflite/tflite_c_api_decls.h"
#include "tests/native/abi_test_util.h"
#include "tflite_rnn_ops/c_api.h"

namespace tro_abi = tflite_rnn_ops::abi;

// ---- The fake -------------------------------------------------------------------------------
struct TfLiteOperator {
  int32_t builtin_code;
  std::string name;
  int version;
  void* user_data;
  void* (*init)(void*, TfLiteOpaqueContext*, const char*, size_t) = nullptr;
  void (*free)(void*, TfLiteOpaqueContext*, void*) = nullptr;
  TfLiteStatus (*prepare)(void*, TfLiteOpaqueContext*, TfLiteOpaqueNode*) = nullptr;
  TfLiteStatus (*invoke)(void*, TfLiteOpaqueContext*, TfLiteOpaqueNode*) = nullptr;
};
struct TfLiteInterpreterOptions {
  std::vector<TfLiteOperator*> operators;
};
struct TfLiteOpaqueTensor {
  std::string name;  // first, so that nothing lines up with TfLiteTensor
  std::vector<int> dims;
  std::vector<float> values;
  int type;
  TfLiteAllocationType allocation;
};
struct TfLiteOpaqueNode {
  std::vector<int> inputs, outputs;
  void* user_data = nullptr;
};
struct TfLiteOpaqueContext {
  std::vector<TfLiteOpaqueTensor> tensors;
  std::string error;
};

extern "C" {
TfLiteOperator* TfLiteOperatorCreate(int32_t code, const char* name, int version, void* user_data) {
  return new TfLiteOperator{code, name, version, user_data};
}
TfLiteStatus TfLiteOperatorSetInitWithData(
    TfLiteOperator* op, void* (*f)(void*, TfLiteOpaqueContext*, const char*, size_t)) {
  op->init = f;
  return tro_abi::kTfLiteOk;
}
TfLiteStatus TfLiteOperatorSetFreeWithData(TfLiteOperator* op,
                                           void (*f)(void*, TfLiteOpaqueContext*, void*)) {
  op->free = f;
  return tro_abi::kTfLiteOk;
}
TfLiteStatus TfLiteOperatorSetPrepareWithData(
    TfLiteOperator* op, TfLiteStatus (*f)(void*, TfLiteOpaqueContext*, TfLiteOpaqueNode*)) {
  op->prepare = f;
  return tro_abi::kTfLiteOk;
}
TfLiteStatus TfLiteOperatorSetInvokeWithData(
    TfLiteOperator* op, TfLiteStatus (*f)(void*, TfLiteOpaqueContext*, TfLiteOpaqueNode*)) {
  op->invoke = f;
  return tro_abi::kTfLiteOk;
}
void TfLiteInterpreterOptionsAddOperator(TfLiteInterpreterOptions* o, TfLiteOperator* op) {
  o->operators.push_back(op);
}
void* TfLiteOpaqueNodeGetUserData(const TfLiteOpaqueNode* n) { return n->user_data; }
int TfLiteOpaqueNodeNumberOfInputs(const TfLiteOpaqueNode* n) { return static_cast<int>(n->inputs.size()); }
int TfLiteOpaqueNodeNumberOfOutputs(const TfLiteOpaqueNode* n) { return static_cast<int>(n->outputs.size()); }
const TfLiteOpaqueTensor* TfLiteOpaqueNodeGetInput(const TfLiteOpaqueContext* c,
                                                   const TfLiteOpaqueNode* n, int i) {
  return &c->tensors[n->inputs[i]];
}
TfLiteOpaqueTensor* TfLiteOpaqueNodeGetOutput(TfLiteOpaqueContext* c, const TfLiteOpaqueNode* n,
                                              int i) {
  return &c->tensors[n->outputs[i]];
}
TfLiteType TfLiteOpaqueTensorType(const TfLiteOpaqueTensor* t) { return static_cast<TfLiteType>(t->type); }
int32_t TfLiteOpaqueTensorNumDims(const TfLiteOpaqueTensor* t) { return static_cast<int32_t>(t->dims.size()); }
int32_t TfLiteOpaqueTensorDim(const TfLiteOpaqueTensor* t, int32_t d) { return t->dims[d]; }
size_t TfLiteOpaqueTensorByteSize(const TfLiteOpaqueTensor* t) { return t->values.size() * sizeof(float); }
void* TfLiteOpaqueTensorData(const TfLiteOpaqueTensor* t) {
  return const_cast<float*>(t->values.data());
}
TfLiteAllocationType TfLiteOpaqueTensorGetAllocationType(const TfLiteOpaqueTensor* t) {
  return t->allocation;
}
tro_abi::TfLiteQuantization TfLiteOpaqueTensorGetQuantization(const TfLiteOpaqueTensor*) {
  return {};  // these tests use float32 weights only
}
TfLiteStatus TfLiteOpaqueContextResizeTensor(TfLiteOpaqueContext*, TfLiteOpaqueTensor* t,
                                             TfLiteIntArray* size) {
  t->dims.assign(size->data, size->data + size->size);
  size_t n = 1;
  for (int d : t->dims) n *= d;
  t->values.assign(n, 0.0f);
  std::free(size);
  return tro_abi::kTfLiteOk;
}
void TfLiteOpaqueContextReportError(TfLiteOpaqueContext* c, const char* format, ...) {
  char buf[2048];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof(buf), format, args);
  va_end(args);
  c->error = buf;
}
TfLiteIntArray* TfLiteIntArrayCreate(int size) {
  auto* a = static_cast<TfLiteIntArray*>(std::malloc(sizeof(int) * (1 + size)));
  a->size = size;
  return a;
}
}  // extern "C"

// ---- The tests ------------------------------------------------------------------------------
namespace {

using tro_test::FlexMap;

const TfLiteOperator* Find(const TfLiteInterpreterOptions& o, const std::string& name) {
  for (const TfLiteOperator* op : o.operators) {
    if (op->name == name) return op;
  }
  return nullptr;
}

struct Lstm {
  std::vector<float> x = {0.5f, -1.0f, 0.25f, 2.0f, -0.5f, 1.5f};  // [B=2, T=3, F=1]
  std::vector<float> w = {0.1f, 0.2f, 0.3f, 0.4f, -0.1f, 0.5f, 0.2f, 0.3f};     // [1, 8]
  std::vector<float> u = {0.5f, -0.6f, 0.7f, -0.8f, 0.1f, 0.2f, 0.3f, 0.4f,     // [2, 8]
                          -0.2f, 0.3f, 0.1f, 0.6f, 0.2f, -0.4f, 0.5f, 0.1f};
  std::vector<float> b = {0.0f, 1.0f, 0.0f, 0.0f, 0.1f, 1.0f, -0.1f, 0.2f};     // [8]
  std::vector<uint8_t> options =
      FlexMap().Int("version", 1).Int("units", 2).Bool("return_sequences", true).Build();
};

// Runs node 0 of a one-node graph the way an interpreter does: Init, Prepare, arena placement
// (output storage moves after Prepare), Invoke, Free.
TfLiteStatus RunThroughCApi(const TfLiteOperator* op, TfLiteOpaqueContext* ctx, const Lstm& m) {
  TfLiteOpaqueNode node;
  node.inputs = {0, 1, 2, 3};
  node.outputs = {4, 5, 6};
  node.user_data = op->init(op->user_data, ctx, reinterpret_cast<const char*>(m.options.data()),
                            m.options.size());
  TfLiteStatus status = op->prepare(op->user_data, ctx, &node);
  if (status == tro_abi::kTfLiteOk) {
    for (int t : node.outputs) {
      std::vector<float> moved(ctx->tensors[t].values.size(), -7.0f);
      ctx->tensors[t].values.swap(moved);
    }
    status = op->invoke(op->user_data, ctx, &node);
  }
  op->free(op->user_data, ctx, node.user_data);
  return status;
}

TfLiteOpaqueContext Graph(const Lstm& m) {
  TfLiteOpaqueContext ctx;
  ctx.tensors = {{"x", {2, 3, 1}, m.x, tro_abi::kTfLiteFloat32, tro_abi::kTfLiteArenaRw},
                 {"kernel", {1, 8}, m.w, tro_abi::kTfLiteFloat32, tro_abi::kTfLiteMmapRo},
                 {"recurrent_kernel", {2, 8}, m.u, tro_abi::kTfLiteFloat32, tro_abi::kTfLiteMmapRo},
                 {"bias", {8}, m.b, tro_abi::kTfLiteFloat32, tro_abi::kTfLiteMmapRo},
                 {"out", {}, {}, tro_abi::kTfLiteFloat32, tro_abi::kTfLiteArenaRw},
                 {"h", {}, {}, tro_abi::kTfLiteFloat32, tro_abi::kTfLiteArenaRw},
                 {"c", {}, {}, tro_abi::kTfLiteFloat32, tro_abi::kTfLiteArenaRw}};
  return ctx;
}

TEST(CApiRoute, AddsOurThreeOperators) {
  TfLiteInterpreterOptions options;
  EXPECT_EQ(TfLiteRnnOpsAddToInterpreterOptions(&options), 0);
  ASSERT_EQ(options.operators.size(), 3u);
  for (const char* name : {"TFLiteRnnOps>LSTM", "TFLiteRnnOps>GRU", "TFLiteRnnOps>RNN"}) {
    const TfLiteOperator* op = Find(options, name);
    ASSERT_NE(op, nullptr) << name;
    EXPECT_EQ(op->builtin_code, 32);
    EXPECT_EQ(op->version, 1);
    EXPECT_TRUE(op->init && op->free && op->prepare && op->invoke);
  }
}

TEST(CApiRoute, LstmMatchesTheClassicRoute) {
  TfLiteInterpreterOptions options;
  TfLiteRnnOpsAddToInterpreterOptions(&options);
  const Lstm m;
  TfLiteOpaqueContext ctx = Graph(m);
  ASSERT_EQ(RunThroughCApi(Find(options, "TFLiteRnnOps>LSTM"), &ctx, m), tro_abi::kTfLiteOk) << ctx.error;

  tro_test::FakeGraph classic;
  classic.Input({2, 3, 1}, m.x);
  classic.Input({1, 8}, m.w);
  classic.Input({2, 8}, m.u);
  classic.Input({8}, m.b);
  classic.Outputs(3);
  ASSERT_EQ(classic.Run(tflite_rnn_ops::LstmRegistration(), m.options), tro_abi::kTfLiteOk);
  EXPECT_EQ(ctx.tensors[4].dims, (std::vector<int>{2, 3, 2}));
  EXPECT_EQ(ctx.tensors[5].dims, (std::vector<int>{2, 2}));
  for (int k = 0; k < 3; ++k) EXPECT_EQ(ctx.tensors[4 + k].values, classic.OutputValues(k)) << k;
}

TEST(CApiRoute, ErrorsReachTheRuntimeThroughTheOpaqueContext) {
  TfLiteInterpreterOptions options;
  TfLiteRnnOpsAddToInterpreterOptions(&options);
  const Lstm m;
  TfLiteOpaqueContext ctx = Graph(m);
  ctx.tensors[2].dims = {3, 8};
  EXPECT_EQ(RunThroughCApi(Find(options, "TFLiteRnnOps>LSTM"), &ctx, m), tro_abi::kTfLiteError);
  EXPECT_EQ(ctx.error, "TFLiteRnnOps>LSTM: input 'recurrent_kernel' expected shape "
                       "[units, 4*units] = [2, 8], got [3, 8]");
}

}  // namespace
