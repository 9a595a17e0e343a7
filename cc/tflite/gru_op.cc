// TFLiteRnnOps>GRU: the GRU cell's traits for the shared sequence op (sequence_op.h).
#include "cc/kernels/gru.h"
#include "cc/tflite/op_registry.h"
#include "cc/tflite/sequence_op.h"
#include "tflite_rnn_ops/ops.h"

namespace tflite_rnn_ops {
namespace {

struct GruCell {
  using Kernel = GruKernel;
  using Options = GruOptions;
  using Weights = GruWeights;
  using Io = GruIo;
  static constexpr const char* kName = kGruOpName;
  static constexpr int kGates = 3;
  static constexpr int kNumStates = 1;
  static constexpr const char* kStateNames[1] = {"h"};
  static constexpr const char* kKernelLayout = "[F, 3*units]";
  static const char* RecurrentLayout(const Options&) { return "[units, 3*units]"; }
  static int NumWeights(const Options&) { return 3; }
  static int StateUnits(const Options& o, int) { return o.units; }
  static const char* StateLayout(const Options&, int) { return "[B, units]"; }
  static ExtraWeightSpec ExtraWeight(const Options&, int) { return {}; }
  // kernel and recurrent_kernel take the op's weight type; the bias stays float32.
  static bool IsMatrix(const Options&, int k) { return k < 2; }
  static Weights MakeWeights(const Options&, const WeightMatrix* w) {
    Weights weights;
    weights.kernel = w[0];
    weights.recurrent_kernel = w[1];
    weights.bias = w[2].f32();
    return weights;
  }

  static bool ParseOptions(const OpOptions& options, Options* out, std::string* error) {
    return ParseActivationAttr(options, attr::kActivation, "tanh", &out->activation, error) &&
           ParseActivationAttr(options, attr::kRecurrentActivation, "sigmoid",
                               &out->recurrent_activation, error) &&
           options.GetBoolOr(attr::kResetAfter, true, &out->reset_after, error);
  }
  // reset_after keeps separate input and recurrent biases (Keras's (2, 3U) bias).
  static std::vector<int> BiasShape(const Options& o, int units) {
    return o.reset_after ? std::vector<int>{2, 3 * units} : std::vector<int>{3 * units};
  }
  static const char* BiasLayout(const Options& o) {
    return o.reset_after ? "[2, 3*units]" : "[3*units]";
  }
  static void BindStates(const float* const initial[2], float* const final_states[2], Io* io) {
    io->h0 = initial[0];
    io->h_out = final_states[0];
  }
};

}  // namespace

const abi::TfLiteRegistration* GruRegistration() { return SequenceOp<GruCell>::Registration(); }

}  // namespace tflite_rnn_ops
