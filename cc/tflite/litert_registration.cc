// The LiteRT 2.x CompiledModel route (tflite_rnn_ops/litert.h): each op becomes a LiteRT custom-op
// kernel whose callbacks run our registration on a MirrorNode.
//
// LiteRT's kernel API differs from TFLite's in ways that shape this adapter (upstream
// litert/runtime/custom_op_dispatcher.cc):
// - one kernel user_data serves every node of that op, and GetOutputLayouts/Run do not say which
//   node they are called for: we run one node per op and refuse a second one;
// - GetOutputLayouts sees layouts without element types: the glue sizes outputs from shapes
//   (kTfLiteNoType inputs) and the first Run after it prepares again with the buffers' real
//   types, before any Eval;
// - weights arrive as buffers with no constness: they are packed on every Run;
// - tensor buffers carry no quantization parameters: int8 weights (which need their scales) are
//   rejected with a clear error; float16 and float32 weights run;
// - the dispatcher ignores the statuses we return, so errors are printed; a failed
//   GetOutputLayouts asks for an impossible output size, which does fail the model, and a failed
//   Run fills its float outputs with NaN rather than leaving stale values.
#include "tflite_rnn_ops/litert.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "cc/tflite/litert_c_api_decls.h"
#include "cc/tflite/mirror_node.h"
#include "tflite_rnn_ops/registration.h"

namespace tflite_rnn_ops {
namespace {

class LiteRtOp final : public MirrorNode::Host {
 public:
  explicit LiteRtOp(const abi::TfLiteRegistration* registration) : registration_(registration) {}

  LiteRtStatus Init(const void* options, size_t size) {
    if (mirror_ != nullptr) {
      ambiguous_ = true;
      ReportError((std::string(registration_->custom_name) +
                   ": this model has more than one such node; LiteRT's custom-op kernel API does "
                   "not tell GetOutputLayouts/Run which node they run, so the CompiledModel route "
                   "runs one node per op (use the delegate, tro.load_delegate(), for this model)")
                      .c_str());
      return kLiteRtStatusErrorInvalidArgument;
    }
    mirror_ = std::make_unique<MirrorNode>(registration_, options, size);
    mirror_->set_host(this);
    return kLiteRtStatusOk;
  }

  LiteRtStatus GetOutputLayouts(size_t num_inputs, const LiteRtLayout* inputs, size_t num_outputs,
                                LiteRtLayout* outputs) {
    const LiteRtStatus status = SizeOutputs(num_inputs, inputs, num_outputs, outputs);
    // The dispatcher ignores this status but not a failed resize: an impossible size makes the
    // interpreter's Prepare, and so the compiled model, fail instead of running on.
    if (status != kLiteRtStatusOk) {
      for (size_t k = 0; k < num_outputs; ++k) {
        outputs[k] = LiteRtLayout{};
        outputs[k].rank = 1;
        outputs[k].dimensions[0] = -1;
      }
    }
    return status;
  }

  LiteRtStatus SizeOutputs(size_t num_inputs, const LiteRtLayout* inputs, size_t num_outputs,
                           LiteRtLayout* outputs) {
    if (!Usable()) return kLiteRtStatusErrorInvalidArgument;
    mirror_->Resize(static_cast<int>(num_inputs), static_cast<int>(num_outputs));
    for (size_t i = 0; i < num_inputs; ++i) {
      size_t elements = 1;
      for (unsigned d = 0; d < inputs[i].rank; ++d) elements *= inputs[i].dimensions[d];
      // Element types are unknown here: the byte count is a placeholder until the typed Prepare.
      if (!mirror_->SetTensor(static_cast<int>(i), abi::kTfLiteNoType, inputs[i].dimensions,
                              inputs[i].rank, nullptr, elements * sizeof(float), false)) {
        return kLiteRtStatusErrorInvalidArgument;
      }
    }
    for (size_t k = 0; k < num_outputs; ++k) {
      mirror_->SetTensor(static_cast<int>(num_inputs + k), abi::kTfLiteNoType, nullptr, 0,
                         nullptr, 0, false);
    }
    output_layouts_ = outputs;
    typed_ = false;
    const abi::TfLiteStatus status = mirror_->Prepare();
    output_layouts_ = nullptr;
    return status == abi::kTfLiteOk ? kLiteRtStatusOk : kLiteRtStatusErrorInvalidArgument;
  }

  LiteRtStatus Run(size_t num_inputs, const LiteRtTensorBuffer* inputs, size_t num_outputs,
                   LiteRtTensorBuffer* outputs) {
    bool ok = Usable() && mirror_->num_inputs() == static_cast<int>(num_inputs) &&
              mirror_->num_outputs() == static_cast<int>(num_outputs);
    auto buffer = [&](size_t i) { return i < num_inputs ? inputs[i] : outputs[i - num_inputs]; };
    size_t locked = 0;
    while (ok && locked < num_inputs + num_outputs) {
      ok = Bind(static_cast<int>(locked), buffer(locked),
                locked < num_inputs ? kLiteRtTensorBufferLockModeRead
                                    : kLiteRtTensorBufferLockModeWrite,
                &locked);
    }
    if (ok && !typed_) typed_ = ok = mirror_->Prepare() == abi::kTfLiteOk;
    if (ok) ok = mirror_->Invoke() == abi::kTfLiteOk;
    for (size_t i = 0; i < locked; ++i) LiteRtUnlockTensorBuffer(buffer(i));
    if (!ok) Poison(num_outputs, outputs);
    return ok ? kLiteRtStatusOk : kLiteRtStatusErrorInvalidArgument;
  }

  void Destroy() {
    mirror_.reset();
    ambiguous_ = false;
  }

  abi::TfLiteStatus ResizeOutput(int output, const int* dims, int rank) override {
    if (output_layouts_ != nullptr) {
      LiteRtLayout& layout = output_layouts_[output];
      layout = LiteRtLayout{};
      layout.rank = static_cast<unsigned>(rank);
      for (int d = 0; d < rank; ++d) layout.dimensions[d] = dims[d];
      return abi::kTfLiteOk;
    }
    // In Run the output buffers already exist: the typed Prepare must agree with their shapes.
    const abi::TfLiteTensor& t = mirror_->tensor(mirror_->num_inputs() + output);
    bool same = t.dims->size == rank;
    for (int d = 0; same && d < rank; ++d) same = t.dims->data[d] == dims[d];
    if (!same) ReportError("tflite_rnn_ops: an output buffer's shape differs from the op's");
    return same ? abi::kTfLiteOk : abi::kTfLiteError;
  }

  void ReportError(const char* message) override { std::fprintf(stderr, "%s\n", message); }

 private:
  bool Usable() const { return mirror_ != nullptr && !ambiguous_; }

  // Locks the buffer (counting it in *locked) and mirrors it as tensor `index`.
  bool Bind(int index, LiteRtTensorBuffer buffer, int lock_mode, size_t* locked) {
    LiteRtRankedTensorType type;
    size_t size = 0;
    void* data = nullptr;
    if (LiteRtGetTensorBufferTensorType(buffer, &type) != kLiteRtStatusOk ||
        LiteRtGetTensorBufferSize(buffer, &size) != kLiteRtStatusOk ||
        LiteRtLockTensorBuffer(buffer, &data, lock_mode) != kLiteRtStatusOk) {
      ReportError("tflite_rnn_ops: could not read a LiteRT tensor buffer");
      return false;
    }
    ++*locked;
    return mirror_->SetTensor(index, static_cast<abi::TfLiteType>(type.element_type),
                              type.layout.dimensions, type.layout.rank, data, size, false);
  }

  // LiteRT ignores Run's status: NaN outputs keep a failed node from passing for a result.
  static void Poison(size_t num_outputs, LiteRtTensorBuffer* outputs) {
    for (size_t k = 0; k < num_outputs; ++k) {
      LiteRtRankedTensorType type;
      size_t size = 0;
      void* data = nullptr;
      if (LiteRtGetTensorBufferTensorType(outputs[k], &type) != kLiteRtStatusOk ||
          type.element_type != abi::kTfLiteFloat32 ||
          LiteRtGetTensorBufferSize(outputs[k], &size) != kLiteRtStatusOk ||
          LiteRtLockTensorBuffer(outputs[k], &data, kLiteRtTensorBufferLockModeWrite) !=
              kLiteRtStatusOk) {
        continue;
      }
      float* out = static_cast<float*>(data);
      for (size_t e = 0; e < size / sizeof(float); ++e) out[e] = std::nanf("");
      LiteRtUnlockTensorBuffer(outputs[k]);
    }
  }

  const abi::TfLiteRegistration* registration_;
  std::unique_ptr<MirrorNode> mirror_;
  bool ambiguous_ = false;
  bool typed_ = false;
  LiteRtLayout* output_layouts_ = nullptr;  // set while GetOutputLayouts runs the glue
};

// Through the public registration functions, so that this adapter also works on top of
// libtflite_rnn_ops.so (whose internals are hidden), as its test does.
const abi::TfLiteRegistration* AsAbi(const TfLiteRegistration* registration) {
  return reinterpret_cast<const abi::TfLiteRegistration*>(registration);
}

LiteRtOp* OpOf(void* user_data) { return static_cast<LiteRtOp*>(user_data); }

constexpr LiteRtCustomOpKernel kKernel = {
    [](void* op, const void* options, size_t size) { return OpOf(op)->Init(options, size); },
    [](void* op, size_t ni, const LiteRtLayout* in, size_t no, LiteRtLayout* out) {
      return OpOf(op)->GetOutputLayouts(ni, in, no, out);
    },
    [](void* op, size_t ni, const LiteRtTensorBuffer* in, size_t no, LiteRtTensorBuffer* out) {
      return OpOf(op)->Run(ni, in, no, out);
    },
    [](void* op) {
      OpOf(op)->Destroy();
      return kLiteRtStatusOk;
    },
};

}  // namespace
}  // namespace tflite_rnn_ops

int TfLiteRnnOpsAddToLiteRtOptions(LiteRtOptions options) {
  using namespace tflite_rnn_ops;
  for (const abi::TfLiteRegistration* r :
       {AsAbi(Register_LSTM()), AsAbi(Register_GRU()), AsAbi(Register_RNN())}) {
    // LiteRT keeps the pointer for the options' lifetime and offers no hook to free it.
    auto* op = new LiteRtOp(r);
    const LiteRtStatus status =
        LiteRtAddCustomOpKernelOption(options, r->custom_name, r->version, &kKernel, op);
    if (status != kLiteRtStatusOk) {
      delete op;
      return status;
    }
  }
  return kLiteRtStatusOk;
}
