// The op contract shared by the converter (python/tflite_rnn_ops/_contract.py mirrors it, and a
// test checks that the two agree) and the runtime. Documented in docs/ops.md.
#ifndef TFLITE_RNN_OPS_OPS_H_
#define TFLITE_RNN_OPS_OPS_H_

namespace tflite_rnn_ops {

// Every custom_code we own starts with this prefix; the delegate claims exactly these nodes.
inline constexpr char kOpPrefix[] = "TFLiteRnnOps>";
inline constexpr char kLstmOpName[] = "TFLiteRnnOps>LSTM";
inline constexpr char kGruOpName[] = "TFLiteRnnOps>GRU";
inline constexpr char kRnnOpName[] = "TFLiteRnnOps>RNN";

// Highest options version this runtime understands. A model written by a newer converter
// (larger "version" attribute) is rejected with a clear error instead of being misread.
// Version 1: LSTM/GRU/RNN, masks, initial states, directions. Version 2 adds the TF1 LSTM extras
// (peepholes, projection, clipping) and per-example lengths; the converter writes 2 only for
// models that use them, so version-1 models still open on version-1 runtimes. Version 3 adds
// float16 and int8 weight matrices (kernel, recurrent_kernel, projection; int8 with TFLite affine
// quantization: per-column or per-tensor scales, zero_point 0); the converter writes 3 only for
// ops whose weights are not float32, and a version-2 runtime rejects those instead of misreading
// them. Version 4 adds "column_scales": an int8 op's per-column scales as float16 (or float32)
// inputs appended after every other input, 2 or 4 bytes a column where TFLite's affine
// quantization costs 12 (a float32 scale and an int64 zero point), and with them the activation
// rows are centred before they are quantized (a different rounding from v3's); the converter
// writes it for every int8 op, and a version-3 runtime rejects those.
inline constexpr int kContractVersion = 4;

// Attribute keys in the op's flexbuffer options map.
namespace attr {
inline constexpr char kVersion[] = "version";
inline constexpr char kUnits[] = "units";
inline constexpr char kActivation[] = "activation";
inline constexpr char kRecurrentActivation[] = "recurrent_activation";
inline constexpr char kTimeMajor[] = "time_major";
inline constexpr char kGoBackwards[] = "go_backwards";
inline constexpr char kReturnSequences[] = "return_sequences";
inline constexpr char kZeroOutputForMask[] = "zero_output_for_mask";
inline constexpr char kMask[] = "mask";                    // "none" | "steps" | "lengths"
inline constexpr char kInitialState[] = "initial_state";   // bool
inline constexpr char kResetAfter[] = "reset_after";       // bool, GRU only
inline constexpr char kDirection[] = "direction";          // "forward" | "reverse" | "bidirectional"
inline constexpr char kMergeMode[] = "merge_mode";         // "concat" | "sum" | "mul" | "ave" | "none"
inline constexpr char kUsePeepholes[] = "use_peepholes";   // bool, LSTM only (v2)
inline constexpr char kCellClip[] = "cell_clip";           // float, 0 = none, LSTM only (v2)
inline constexpr char kNumProj[] = "num_proj";             // int, 0 = none, LSTM only (v2)
inline constexpr char kProjClip[] = "proj_clip";           // float, 0 = none, LSTM only (v2)
inline constexpr char kStateful[] = "stateful";            // bool (v2): write final states back
                                                           // into the initial-state inputs
inline constexpr char kColumnScales[] = "column_scales";   // bool (v4): int8 scales as inputs
}  // namespace attr

// LSTM tensor order. Optional inputs are present only when their attribute says so, in this order.
namespace lstm {
enum Input : int {
  kX = 0,                // float32 [B, T, F] or [T, B, F] (time_major)
  kKernel = 1,           // float32 | float16 | int8 (v3) [F, 4U], Keras layout, gates i|f|c|o
  kRecurrentKernel = 2,  // [U, 4U], the kernel's type
  kBias = 3,             // float32 [4U], whatever the kernel's type
  kNumRequiredInputs = 4,
  // then: mask  bool [B, T] (or [T, B])   if mask == "steps"
  // then: h0, c0 float32 [B, U]           if initial_state
  // then: kernel_scales, recurrent_kernel_scales float16 | float32 [4U]   if column_scales
};
enum Output : int {
  kOutput = 0,  // [B, T, U] (or [T, B, U]) if return_sequences, else [B, U]
  kHOut = 1,    // [B, U] final h
  kCOut = 2,    // [B, U] final c
  kNumOutputs = 3,
};
}  // namespace lstm

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_OPS_H_
