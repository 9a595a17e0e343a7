// TFLiteRnnOps>LSTM: the LSTM cell's traits for the shared sequence op (sequence_op.h).
#include <cstdint>
#include <string>

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

  static bool ParseOptions(const OpOptions& options, Options* out, std::string* error) {
    int64_t num_proj = 0;
    if (!ParseActivationAttr(options, attr::kActivation, "tanh", &out->activation, error) ||
        !ParseActivationAttr(options, attr::kRecurrentActivation, "sigmoid",
                             &out->recurrent_activation, error) ||
        !options.GetBoolOr(attr::kUsePeepholes, false, &out->use_peepholes, error) ||
        !options.GetFloatOr(attr::kCellClip, 0.0f, &out->cell_clip, error) ||
        !options.GetFloatOr(attr::kProjClip, 0.0f, &out->proj_clip, error) ||
        !options.GetIntOr(attr::kNumProj, 0, &num_proj, error)) {
      return false;
    }
    // Written so that NaN clips fail too (every comparison with NaN is false).
    if (num_proj < 0 || num_proj > (1 << 20) || !(out->cell_clip >= 0) || !(out->proj_clip >= 0)) {
      *error = "options 'num_proj', 'cell_clip' and 'proj_clip' expected >= 0 (0 = none)";
      return false;
    }
    out->num_proj = static_cast<int>(num_proj);
    return true;
  }
  // Order of the extras per direction: w_i_diag, w_f_diag, w_o_diag (peepholes), projection.
  static int NumWeights(const Options& o) {
    return 3 + (o.use_peepholes ? 3 : 0) + (o.num_proj > 0 ? 1 : 0);
  }
  // h (and the output) is P wide with a projection; c stays U wide.
  static int StateUnits(const Options& o, int k) { return k == 0 ? o.output_units() : o.units; }
  static const char* StateLayout(const Options& o, int k) {
    return k == 0 && o.num_proj > 0 ? "[B, num_proj]" : "[B, units]";
  }
  static const char* RecurrentLayout(const Options& o) {
    return o.num_proj > 0 ? "[num_proj, 4*units]" : "[units, 4*units]";
  }
  static ExtraWeightSpec ExtraWeight(const Options& o, int i) {
    static const char* const kDiagonals[] = {"w_i_diag", "w_f_diag", "w_o_diag"};
    if (o.use_peepholes && i < 3) return {kDiagonals[i], {o.units}, "[units]"};
    return {"projection", {o.units, o.num_proj}, "[units, num_proj]"};
  }
  // kernel, recurrent_kernel and the projection take the op's weight type; bias and peephole
  // diagonals stay float32.
  static bool IsMatrix(const Options& o, int k) {
    return k < 2 || (o.num_proj > 0 && k == NumWeights(o) - 1);
  }
  static Weights MakeWeights(const Options& o, const WeightMatrix* w) {
    Weights weights;
    weights.kernel = w[0];
    weights.recurrent_kernel = w[1];
    weights.bias = w[2].f32();
    int next = 3;
    if (o.use_peepholes) {
      weights.w_i_diag = w[next++].f32();
      weights.w_f_diag = w[next++].f32();
      weights.w_o_diag = w[next++].f32();
    }
    if (o.num_proj > 0) weights.projection = w[next];
    return weights;
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
