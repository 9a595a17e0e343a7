// Deterministic test data for the sequence drivers (cc/kernels/{lstm,gru,rnn}.h) and runners
// that call them exactly as the op glue does: Init, Pack, Reserve, then Run or, for
// bidirectional, RunBidirectional. Shared by the GoogleTest files and tro_parity_dump.
//
// The data mirrors tests/python/kernel_oracles.py make_case: weights scaled by 1/sqrt(fan-in) so
// pre-activations stay O(1), a contractive SimpleRNN (gain 0.8: float32 rounding would grow
// exponentially in a chaotic one), masks with leading and trailing padding and one step where
// every row is masked, lengths covering T, 0 and 1. The generator is our own, so the same seed
// gives the same bits on every compiler and target.
#ifndef TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_CASES_H_
#define TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_CASES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cc/kernels/activation.h"
#include "cc/kernels/dispatch.h"
#include "cc/kernels/isa/types.h"
#include "cc/kernels/thread_pool.h"

namespace tro_test {

using tflite_rnn_ops::Activation;
using tflite_rnn_ops::Isa;
using tflite_rnn_ops::WeightType;

enum class Cell { kLstm, kGru, kRnn };
// How the valid steps of each row are given: all valid, a Keras mask, TF1 lengths.
enum class Steps { kAll, kMask, kLengths };

struct CellSpec {
  Cell cell = Cell::kLstm;
  int batch = 3;
  int time = 7;
  int input = 5;  // F
  int units = 6;  // U
  Activation activation = Activation::kTanh;
  Activation recurrent_activation = Activation::kSigmoid;
  bool reset_after = true;  // GRU only
  bool with_bias = true;
  bool with_state = false;  // nonzero initial states
  Steps steps = Steps::kAll;
  bool time_major = false;
  bool go_backwards = false;  // unidirectional runs only; bidirectional sets it per direction
  bool return_sequences = true;
  bool zero_output_for_mask = false;
  // TF1 LSTMCell extras (LSTM only).
  bool peepholes = false;
  float cell_clip = 0.0f;
  int num_proj = 0;
  float proj_clip = 0.0f;
  // Storage of kernel, recurrent kernel and projection (the kernels' weight_type).
  WeightType weights = WeightType::kFloat32;
  // int8: centre the activation rows (the kernels' centre_rows, contract v4).
  bool centre_rows = false;
  // float16: let small recurrent weights be widened to float32 in Pack (the kernels'
  // float16_widen_bytes at its default); false keeps the float16 path at every size.
  bool widen_float16 = true;

  int gates() const { return cell == Cell::kLstm ? 4 : cell == Cell::kGru ? 3 : 1; }
  int out_units() const { return num_proj > 0 ? num_proj : units; }  // H
  int num_states() const { return cell == Cell::kLstm ? 2 : 1; }
};

// A weight matrix stored as int8 or float16 (empty for float32): int8 values with symmetric
// per-column scales (max |w| / 127, round half to even), or binary16 bits (round to nearest
// even).
struct StoredMatrix {
  std::vector<int8_t> q;
  std::vector<float> scales;
  std::vector<uint16_t> half;
};

// One direction's weights and initial states, Keras layout (see the kernel headers). With
// int8 / float16 weights, kernel, recurrent and projection hold the values the stored matrices
// represent (float16 widened exactly; int8 q * scale rounded to float32).
struct Direction {
  std::vector<float> kernel, recurrent, bias;  // bias empty = none
  std::vector<float> w_i_diag, w_f_diag, w_o_diag, projection;
  std::vector<float> h0, c0;  // empty = zeros
  StoredMatrix kernel_stored, recurrent_stored, projection_stored;
};

// The storage conversion MakeCase applies (cc/kernels/weight_conversion.h).
StoredMatrix StoreMatrix(WeightType type, const std::vector<float>& w, int cols,
                         std::vector<float>* represented);

struct Case {
  CellSpec spec;
  std::vector<float> x;  // [B, T, F] or [T, B, F]
  std::vector<uint8_t> mask;     // Steps::kMask: [B, T] or [T, B]
  std::vector<int32_t> lengths;  // Steps::kLengths: [B]
  Direction forward, backward;  // backward: the second direction of a bidirectional layer
};

Case MakeCase(const CellSpec& spec, uint32_t seed);

// Outputs of one run. output: [B, T, W] or [T, B, W] with return_sequences, else [B, W]
// (W = H, or 2H for bidirectional). c is empty for GRU and SimpleRNN.
struct Result {
  std::vector<float> output, h, c;
};
struct BidirectionalResult {
  std::vector<float> output;
  Result forward, backward;  // final states only
};

// Runs the whole sequence on `isa` (must be available). reserve_slack > 0 reserves scratch for
// a larger batch and time than the run uses, as an op does after a shrinking resize. With
// run_allocations, stores the number of heap allocations made after Init/Pack/Reserve, i.e. by
// what an op's Eval calls.
// pool: threads for the run (null = the calling thread only).
Result RunCell(Isa isa, const Case& c, int reserve_slack = 0, size_t* run_allocations = nullptr,
               tflite_rnn_ops::ThreadPool* pool = nullptr);
// Keras Bidirectional(merge_mode="concat"): forward | backward-in-time-order. threads > 1 runs
// each direction on its own thread of a pool, as the op does.
BidirectionalResult RunBidirectional(Isa isa, const Case& c, int threads,
                                     size_t* run_allocations = nullptr);

// "ref" first, then every SIMD path this build and CPU have.
std::vector<Isa> AvailableIsas();
std::string CellName(Cell cell);

}  // namespace tro_test

#endif  // TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_CASES_H_
