// TFLiteRnnOps>LSTM: the LSTM cell's traits for the shared sequence op (sequence_op.h).
#include "cc/kernels/lstm.h"
#include "cc/tflite/op_registry.h"
#include "cc/tflite/sequence_op.h"
#include "tflite_rnn_ops/ops.h"

namespace tflite_rnn_ops {
namespace {

struct LstmCell {
  using Kernel = LstmKernel;
  using Options = LstmOptions;
  using Weights = LstmWeights;
  using Io = LstmIo;
  static constexpr const char* kName = kLstmOpName;
  static constexpr int kGates = 4;
  static constexpr int kNumStates = 2;
  static constexpr const char* kStateNames[2] = {"h", "c"};
  static constexpr const char* kKernelLayout = "[F, 4*units]";
  static constexpr const char* kRecurrentLayout = "[units, 4*units]";

  static bool ParseOptions(const OpOptions& options, Options* out, std::string* error) {
    for (const char* key : {attr::kUsePeepholes, attr::kCellClip, attr::kNumProj, attr::kProjClip}) {
      if (options.Has(key)) {
        *error = std::string("option '") + key + "' is not implemented by this runtime yet";
        return false;
      }
    }
    return ParseActivationAttr(options, attr::kActivation, "tanh", &out->activation, error) &&
           ParseActivationAttr(options, attr::kRecurrentActivation, "sigmoid",
                               &out->recurrent_activation, error);
  }
  static std::vector<int> BiasShape(const Options&, int units) { return {4 * units}; }
  static const char* BiasLayout(const Options&) { return "[4*units]"; }
  static void BindStates(const float* const initial[2], float* const final_states[2], Io* io) {
    io->h0 = initial[0];
    io->c0 = initial[1];
    io->h_out = final_states[0];
    io->c_out = final_states[1];
  }
};

}  // namespace

const abi::TfLiteRegistration* LstmRegistration() { return SequenceOp<LstmCell>::Registration(); }

}  // namespace tflite_rnn_ops
