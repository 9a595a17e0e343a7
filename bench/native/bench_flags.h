// Command line of rnn_bench: --name value or --name=value; every bad flag is an error naming it.
#ifndef TFLITE_RNN_OPS_BENCH_NATIVE_BENCH_FLAGS_H_
#define TFLITE_RNN_OPS_BENCH_NATIVE_BENCH_FLAGS_H_

#include <string>

#include "cc/kernels/dispatch.h"
#include "cc/kernels/isa/types.h"

namespace tflite_rnn_ops {
namespace bench {

struct Flags {
  std::string cell = "lstm";  // lstm | gru | rnn
  bool bidirectional = false;
  int units = 128;
  int input = 64;
  int time = 50;
  int batch = 1;
  int threads = 1;
  int reps = 50;
  int warmup = 5;
  std::string weights = "f32";  // f32 | f16 | i8: storage of the weight matrices
  std::string isa;  // empty: the default path (TFLITE_RNN_OPS_ISA, else the best available)
  bool csv = false;
  bool help = false;
};

const char* Usage();
WeightType WeightTypeOf(const Flags& flags);
// Returns false with *error set for an unknown flag, a missing or malformed value, or a value
// out of range.
bool ParseFlags(int argc, char** argv, Flags* flags, std::string* error);
// The path named `name` if this build has it and the CPU supports it; else false with *error
// naming what is available.
bool ResolveIsa(const std::string& name, Isa* isa, std::string* error);

}  // namespace bench
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_BENCH_NATIVE_BENCH_FLAGS_H_
