// tro_parity_dump: runs every cell form (LSTM, LSTM with the TF1 extras, both GRU forms,
// SimpleRNN, bidirectional on one thread and a thread per direction; masks, lengths, go_backwards, time-major) on
// deterministic inputs and prints all outputs and final states, one value per line.
// .ci/compare_arm_x86.sh runs it on x86 (ref path) and under qemu on each ARM target (its
// default path) and compares the files within 1e-5.
//
//   tro_parity_dump [--isa ref|avx2|avx512|neon] > out.txt
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/native/support/cases.h"

namespace tro_test {
namespace {

struct NamedSpec {
  const char* name;
  CellSpec spec;
  int bidirectional;  // 0: unidirectional, else bidirectional on this many threads
};

CellSpec Spec(Cell cell, Steps steps, bool go_backwards = false, bool time_major = false) {
  CellSpec s;
  s.cell = cell;
  s.batch = 4;
  s.time = 11;
  s.input = 7;
  s.units = 13;  // not a multiple of any vector width: exercises the tails
  s.steps = steps;
  s.go_backwards = go_backwards;
  s.time_major = time_major;
  s.with_state = true;
  return s;
}

std::vector<NamedSpec> Specs() {
  CellSpec extras = Spec(Cell::kLstm, Steps::kMask, true);
  extras.peepholes = true;
  extras.cell_clip = 0.6f;
  extras.num_proj = 5;
  extras.proj_clip = 0.5f;
  CellSpec gru_before = Spec(Cell::kGru, Steps::kMask);
  gru_before.reset_after = false;
  CellSpec last_only = Spec(Cell::kRnn, Steps::kMask, true);
  last_only.return_sequences = false;
  return {
      {"lstm", Spec(Cell::kLstm, Steps::kAll), 0},
      {"lstm_mask_backwards", Spec(Cell::kLstm, Steps::kMask, true), 0},
      {"lstm_lengths_time_major", Spec(Cell::kLstm, Steps::kLengths, true, true), 0},
      {"lstm_tf1_extras", extras, 0},
      {"gru_reset_after_mask", Spec(Cell::kGru, Steps::kMask), 0},
      {"gru_reset_before_mask", gru_before, 0},
      {"gru_lengths_backwards", Spec(Cell::kGru, Steps::kLengths, true), 0},
      {"rnn", Spec(Cell::kRnn, Steps::kAll, false, true), 0},
      {"rnn_mask_last_output", last_only, 0},
      {"bi_lstm_mask", Spec(Cell::kLstm, Steps::kMask), 1},
      {"bi_lstm_mask_two_threads", Spec(Cell::kLstm, Steps::kMask), 2},
      {"bi_lstm_extras", extras, 1},
      {"bi_gru_lengths_two_threads", Spec(Cell::kGru, Steps::kLengths), 2},
      {"bi_rnn", Spec(Cell::kRnn, Steps::kAll, false, true), 1},
  };
}

void Print(const char* what, const std::vector<float>& v) {
  std::printf("%s %zu\n", what, v.size());
  for (float f : v) std::printf("%.9g\n", f);
}

}  // namespace
}  // namespace tro_test

int main(int argc, char** argv) {
  using namespace tro_test;
  Isa isa = tflite_rnn_ops::ActiveIsa();
  if (argc == 3 && std::strcmp(argv[1], "--isa") == 0) {
    if (!tflite_rnn_ops::IsaFromName(argv[2], &isa) || !tflite_rnn_ops::IsaAvailable(isa)) {
      std::fprintf(stderr, "tro_parity_dump: --isa %s is not available here\n", argv[2]);
      return 2;
    }
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: tro_parity_dump [--isa ref|avx2|avx512|neon]\n");
    return 2;
  }
  std::printf("isa %s\n", tflite_rnn_ops::IsaName(isa));
  int seed = 0;
  for (const NamedSpec& n : Specs()) {
    const Case c = MakeCase(n.spec, ++seed);
    std::printf("case %s\n", n.name);
    if (n.bidirectional == 0) {
      const Result r = RunCell(isa, c);
      Print("output", r.output), Print("h", r.h), Print("c", r.c);
    } else {
      const BidirectionalResult r = RunBidirectional(isa, c, n.bidirectional);
      Print("output", r.output);
      Print("forward_h", r.forward.h), Print("forward_c", r.forward.c);
      Print("backward_h", r.backward.h), Print("backward_c", r.backward.c);
    }
  }
  return 0;
}
