// The stable TFLite C API route (tflite_rnn_ops/c_api.h): each op becomes a TfLiteOperator whose
// callbacks run our registration on a MirrorNode, reached only through the opaque accessors.
#include "tflite_rnn_ops/c_api.h"

#include <cstdint>

#include "cc/tflite/mirror_node.h"
#include "cc/tflite/op_registry.h"
#include "cc/tflite/tflite_c_api_decls.h"

namespace tflite_rnn_ops {
namespace {

class OpaqueNode final : public MirrorNode::Host {
 public:
  OpaqueNode(const abi::TfLiteRegistration* registration, const char* buffer, size_t length)
      : mirror_(registration, buffer, length) {
    mirror_.set_host(this);
  }

  // Prepare: size the mirror for this node. Invoke: only refresh shapes and data pointers (the
  // arena places tensors after Prepare).
  bool Mirror(TfLiteOpaqueContext* context, TfLiteOpaqueNode* node, bool resize) {
    context_ = context;
    node_ = node;
    const int inputs = TfLiteOpaqueNodeNumberOfInputs(node);
    const int outputs = TfLiteOpaqueNodeNumberOfOutputs(node);
    if (resize) mirror_.Resize(inputs, outputs);
    for (int i = 0; i < inputs + outputs; ++i) {
      const TfLiteOpaqueTensor* t = i < inputs ? TfLiteOpaqueNodeGetInput(context, node, i)
                                               : TfLiteOpaqueNodeGetOutput(context, node, i - inputs);
      if (t == nullptr) {
        ReportError("tflite_rnn_ops: optional (absent) tensors are not part of our ops' contract");
        return false;
      }
      int32_t dims[MirrorNode::kMaxRank];
      const int32_t rank = TfLiteOpaqueTensorNumDims(t);
      for (int32_t d = 0; d < rank && d < MirrorNode::kMaxRank; ++d) {
        dims[d] = TfLiteOpaqueTensorDim(t, d);
      }
      const TfLiteAllocationType allocation = TfLiteOpaqueTensorGetAllocationType(t);
      const bool constant =
          allocation == abi::kTfLiteMmapRo || allocation == abi::kTfLitePersistentRo;
      if (!mirror_.SetTensor(i, TfLiteOpaqueTensorType(t), dims, rank, TfLiteOpaqueTensorData(t),
                             TfLiteOpaqueTensorByteSize(t), constant)) {
        return false;
      }
      // int8 weights carry their scales here (docs/ops.md, contract version 3).
      mirror_.SetQuantization(i, TfLiteOpaqueTensorGetQuantization(t));
    }
    return true;
  }

  MirrorNode& mirror() { return mirror_; }

  abi::TfLiteStatus ResizeOutput(int output, const int* dims, int rank) override {
    TfLiteIntArray* array = TfLiteIntArrayCreate(rank);
    if (array == nullptr) return abi::kTfLiteError;
    for (int d = 0; d < rank; ++d) array->data[d] = dims[d];
    return TfLiteOpaqueContextResizeTensor(context_, TfLiteOpaqueNodeGetOutput(context_, node_, output),
                                           array);
  }

  void ReportError(const char* message) override {
    if (context_ == nullptr) return mirror_.ReportError(message);
    TfLiteOpaqueContextReportError(context_, "%s", message);
  }

 private:
  MirrorNode mirror_;
  TfLiteOpaqueContext* context_ = nullptr;
  TfLiteOpaqueNode* node_ = nullptr;
};

OpaqueNode* NodeOf(TfLiteOpaqueNode* node) {
  return static_cast<OpaqueNode*>(TfLiteOpaqueNodeGetUserData(node));
}

void* Init(void* user_data, TfLiteOpaqueContext*, const char* buffer, size_t length) {
  return new OpaqueNode(static_cast<const abi::TfLiteRegistration*>(user_data), buffer, length);
}

void Free(void*, TfLiteOpaqueContext*, void* data) { delete static_cast<OpaqueNode*>(data); }

TfLiteStatus Prepare(void*, TfLiteOpaqueContext* context, TfLiteOpaqueNode* node) {
  OpaqueNode* n = NodeOf(node);
  return n->Mirror(context, node, /*resize=*/true) ? n->mirror().Prepare() : abi::kTfLiteError;
}

TfLiteStatus Invoke(void*, TfLiteOpaqueContext* context, TfLiteOpaqueNode* node) {
  OpaqueNode* n = NodeOf(node);
  return n->Mirror(context, node, /*resize=*/false) ? n->mirror().Invoke() : abi::kTfLiteError;
}

TfLiteOperator* CreateOperator(const abi::TfLiteRegistration* registration) {
  // The registration is the operator's user data: Init builds each node's mirror from it.
  TfLiteOperator* op = TfLiteOperatorCreate(abi::kTfLiteBuiltinCustom, registration->custom_name,
                                            registration->version,
                                            const_cast<abi::TfLiteRegistration*>(registration));
  TfLiteOperatorSetInitWithData(op, Init);
  TfLiteOperatorSetFreeWithData(op, Free);
  TfLiteOperatorSetPrepareWithData(op, Prepare);
  TfLiteOperatorSetInvokeWithData(op, Invoke);
  return op;
}

}  // namespace
}  // namespace tflite_rnn_ops

int TfLiteRnnOpsAddToInterpreterOptions(TfLiteInterpreterOptions* options) {
  using namespace tflite_rnn_ops;
  static TfLiteOperator* const operators[3] = {CreateOperator(LstmRegistration()),
                                               CreateOperator(GruRegistration()),
                                               CreateOperator(RnnRegistration())};
  for (TfLiteOperator* op : operators) TfLiteInterpreterOptionsAddOperator(options, op);
  return 0;
}
