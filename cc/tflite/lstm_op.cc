// TFLiteRnnOps>LSTM: Init parses the options once, Prepare validates every input, sizes the outputs
// and packs the weights, Eval runs the whole sequence through LstmKernel.
#include <cstdint>
#include <string>

#include "cc/kernels/lstm.h"
#include "cc/tflite/op_common.h"
#include "cc/tflite/op_registry.h"
#include "tflite_rnn_ops/ops.h"

namespace tflite_rnn_ops {
namespace {

constexpr const char* kOp = kLstmOpName;

struct LstmOpData {
  std::string init_error;  // reported from Prepare: Init has no way to fail loudly
  SequenceAttrs attrs;
  LstmOptions options;
  LstmKernel kernel;
  bool kernel_ready = false;
  bool weights_constant = false;
};

void* Init(TfLiteContext*, const char* buffer, size_t length) {
  auto* data = new LstmOpData;
  OpOptions options;
  std::string& error = data->init_error;
  if (!options.Parse(reinterpret_cast<const uint8_t*>(buffer), length, &error) ||
      !ParseSequenceAttrs(options, &data->attrs, &error) ||
      !ParseActivationAttr(options, attr::kActivation, "tanh", &data->options.activation, &error) ||
      !ParseActivationAttr(options, attr::kRecurrentActivation, "sigmoid",
                           &data->options.recurrent_activation, &error)) {
    return data;
  }
  const SequenceAttrs& a = data->attrs;
  data->options.units = a.units;
  data->options.time_major = a.time_major;
  data->options.go_backwards = a.go_backwards;
  data->options.return_sequences = a.return_sequences;
  data->options.zero_output_for_mask = a.zero_output_for_mask;
  return data;
}

void Free(TfLiteContext*, void* buffer) { delete static_cast<LstmOpData*>(buffer); }

int ExpectedInputs(const SequenceAttrs& a) {
  return lstm::kNumRequiredInputs + (a.has_mask ? 1 : 0) + (a.has_initial_state ? 2 : 0);
}

bool CheckOptionalInputs(TfLiteContext* context, const TfLiteNode* node, const SequenceAttrs& a,
                         const SequenceShape& s) {
  int next = lstm::kNumRequiredInputs;
  if (a.has_mask) {
    const std::vector<int> dims = a.time_major ? std::vector<int>{s.time, s.batch}
                                               : std::vector<int>{s.batch, s.time};
    if (!CheckTensor(context, kOp, "mask", NodeInput(context, node, next++), abi::kTfLiteBool,
                     dims, a.time_major ? "[T, B]" : "[B, T]")) {
      return false;
    }
  }
  if (a.has_initial_state) {
    const std::vector<int> state = {s.batch, a.units};
    if (!CheckTensor(context, kOp, "initial_h", NodeInput(context, node, next++),
                     abi::kTfLiteFloat32, state, "[B, units]") ||
        !CheckTensor(context, kOp, "initial_c", NodeInput(context, node, next++),
                     abi::kTfLiteFloat32, state, "[B, units]")) {
      return false;
    }
  }
  return true;
}

bool CheckInputs(TfLiteContext* context, const TfLiteNode* node, const SequenceAttrs& a,
                 SequenceShape* s) {
  const int expected = ExpectedInputs(a);
  if (node->inputs->size != expected || node->outputs->size != lstm::kNumOutputs) {
    ReportOpError(context, kOp, "expected " + std::to_string(expected) + " inputs and " +
                                    std::to_string(lstm::kNumOutputs) + " outputs (per its " +
                                    "mask/initial_state options), got " +
                                    std::to_string(node->inputs->size) + " and " +
                                    std::to_string(node->outputs->size));
    return false;
  }
  if (!CheckSequenceInput(context, kOp, NodeInput(context, node, lstm::kX), a.time_major, s)) {
    return false;
  }
  const int u = a.units, g = 4 * a.units;
  return CheckTensor(context, kOp, "kernel", NodeInput(context, node, lstm::kKernel),
                     abi::kTfLiteFloat32, {s->features, g}, "[F, 4*units]") &&
         CheckTensor(context, kOp, "recurrent_kernel",
                     NodeInput(context, node, lstm::kRecurrentKernel), abi::kTfLiteFloat32,
                     {u, g}, "[units, 4*units]") &&
         CheckTensor(context, kOp, "bias", NodeInput(context, node, lstm::kBias),
                     abi::kTfLiteFloat32, {g}, "[4*units]") &&
         CheckOptionalInputs(context, node, a, *s);
}

LstmWeights WeightsOf(TfLiteContext* context, const TfLiteNode* node) {
  LstmWeights w;
  w.kernel = static_cast<const float*>(NodeInput(context, node, lstm::kKernel).data);
  w.recurrent_kernel = static_cast<const float*>(NodeInput(context, node, lstm::kRecurrentKernel).data);
  w.bias = static_cast<const float*>(NodeInput(context, node, lstm::kBias).data);
  return w;
}

TfLiteStatus ResizeOutputs(TfLiteContext* context, TfLiteNode* node, const SequenceAttrs& a,
                           const SequenceShape& s) {
  std::vector<int> out_dims = {s.batch, a.units};
  if (a.return_sequences) {
    out_dims = a.time_major ? std::vector<int>{s.time, s.batch, a.units}
                            : std::vector<int>{s.batch, s.time, a.units};
  }
  if (ResizeTensor(context, &NodeOutput(context, node, lstm::kOutput), out_dims) != abi::kTfLiteOk ||
      ResizeTensor(context, &NodeOutput(context, node, lstm::kHOut), {s.batch, a.units}) !=
          abi::kTfLiteOk ||
      ResizeTensor(context, &NodeOutput(context, node, lstm::kCOut), {s.batch, a.units}) !=
          abi::kTfLiteOk) {
    ReportOpError(context, kOp, "could not resize the outputs");
    return abi::kTfLiteError;
  }
  return abi::kTfLiteOk;
}

TfLiteStatus Prepare(TfLiteContext* context, TfLiteNode* node) {
  auto* data = static_cast<LstmOpData*>(node->user_data);
  if (!data->init_error.empty()) {
    ReportOpError(context, kOp, data->init_error);
    return abi::kTfLiteError;
  }
  SequenceShape s;
  if (!CheckInputs(context, node, data->attrs, &s)) return abi::kTfLiteError;
  for (int i = 0; i < lstm::kNumOutputs; ++i) {
    if (NodeOutput(context, node, i).type != abi::kTfLiteFloat32) {
      ReportOpError(context, kOp, "output " + std::to_string(i) + " expected float32, got " +
                                      TypeName(NodeOutput(context, node, i).type));
      return abi::kTfLiteError;
    }
  }
  if (ResizeOutputs(context, node, data->attrs, s) != abi::kTfLiteOk) return abi::kTfLiteError;
  if (!data->kernel_ready) {
    data->options.input_size = s.features;
    data->kernel.Init(ActiveIsa(), data->options);
    data->weights_constant = IsConstantTensor(NodeInput(context, node, lstm::kKernel)) &&
                             IsConstantTensor(NodeInput(context, node, lstm::kRecurrentKernel)) &&
                             IsConstantTensor(NodeInput(context, node, lstm::kBias));
    if (data->weights_constant) data->kernel.Pack(WeightsOf(context, node));
    data->kernel_ready = true;
  }
  data->kernel.Reserve(s.batch, s.time);
  return abi::kTfLiteOk;
}

TfLiteStatus Eval(TfLiteContext* context, TfLiteNode* node) {
  auto* data = static_cast<LstmOpData*>(node->user_data);
  const SequenceAttrs& a = data->attrs;
  const TfLiteTensor& x = NodeInput(context, node, lstm::kX);
  // Weights computed by other ops (e.g. a DEQUANTIZE) only exist now; packing reuses the buffers
  // sized in Prepare.
  if (!data->weights_constant) data->kernel.Pack(WeightsOf(context, node));
  LstmIo io;
  io.batch = x.dims->data[a.time_major ? 1 : 0];
  io.time = x.dims->data[a.time_major ? 0 : 1];
  if (io.batch == 0) return abi::kTfLiteOk;
  io.x = static_cast<const float*>(x.data);
  int next = lstm::kNumRequiredInputs;
  if (a.has_mask) io.mask = static_cast<const uint8_t*>(NodeInput(context, node, next++).data);
  if (a.has_initial_state) {
    io.h0 = static_cast<const float*>(NodeInput(context, node, next++).data);
    io.c0 = static_cast<const float*>(NodeInput(context, node, next++).data);
  }
  io.output = static_cast<float*>(NodeOutput(context, node, lstm::kOutput).data);
  io.h_out = static_cast<float*>(NodeOutput(context, node, lstm::kHOut).data);
  io.c_out = static_cast<float*>(NodeOutput(context, node, lstm::kCOut).data);
  data->kernel.Run(io);
  return abi::kTfLiteOk;
}

}  // namespace

const abi::TfLiteRegistration* LstmRegistration() {
  static const abi::TfLiteRegistration registration = [] {
    abi::TfLiteRegistration r{};
    r.init = Init;
    r.free = Free;
    r.prepare = Prepare;
    r.invoke = Eval;
    r.builtin_code = abi::kTfLiteBuiltinCustom;
    r.custom_name = kLstmOpName;
    r.version = 1;
    return r;
  }();
  return &registration;
}

}  // namespace tflite_rnn_ops
