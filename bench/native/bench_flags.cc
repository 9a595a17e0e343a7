#include "bench/native/bench_flags.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace tflite_rnn_ops {
namespace bench {
namespace {

constexpr Isa kAllIsas[] = {Isa::kRef, Isa::kAvx2, Isa::kAvx512, Isa::kNeon};

bool ParseInt(const std::string& name, const std::string& text, int min, int* out,
              std::string* error) {
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || v < min || v > INT_MAX) {
    *error = "--" + name + " expects an integer >= " + std::to_string(min) + ", got '" + text +
             "'";
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

bool OneOf(const std::string& name, const std::string& text, const char* const* choices,
           std::string* error) {
  std::string list;
  for (const char* const* c = choices; *c != nullptr; ++c) {
    if (text == *c) return true;
    list += std::string(list.empty() ? "" : "|") + *c;
  }
  *error = "--" + name + " expects " + list + ", got '" + text + "'";
  return false;
}

bool SetFlag(const std::string& name, const std::string& value, Flags* f, std::string* error) {
  static const char* const kCells[] = {"lstm", "gru", "rnn", nullptr};
  static const char* const kDirections[] = {"forward", "bidirectional", nullptr};
  static const char* const kWeights[] = {"f32", "f16", "i8", nullptr};
  if (name == "weights") {
    f->weights = value;
    return OneOf(name, value, kWeights, error);
  }
  if (name == "cell") {
    f->cell = value;
    return OneOf(name, value, kCells, error);
  }
  if (name == "direction") {
    f->bidirectional = value == "bidirectional";
    return OneOf(name, value, kDirections, error);
  }
  if (name == "isa") {
    f->isa = value;
    return true;  // checked against the build and CPU by ResolveIsa
  }
  struct IntFlag {
    const char* name;
    int* field;
    int min;
  } ints[] = {{"units", &f->units, 1}, {"input", &f->input, 1}, {"time", &f->time, 1},
              {"batch", &f->batch, 1}, {"threads", &f->threads, 1}, {"reps", &f->reps, 1},
              {"warmup", &f->warmup, 0}};
  for (const IntFlag& i : ints) {
    if (name == i.name) return ParseInt(name, value, i.min, i.field, error);
  }
  *error = "unknown flag --" + name;
  return false;
}

}  // namespace

const char* Usage() {
  return "usage: rnn_bench [flags]\n"
         "  --cell lstm|gru|rnn                 (default lstm)\n"
         "  --direction forward|bidirectional   (default forward)\n"
         "  --units N      hidden units U       (default 128)\n"
         "  --input N      input features F     (default 64)\n"
         "  --time N       time steps T         (default 50)\n"
         "  --batch N      batch B              (default 1)\n"
         "  --threads N    threads, as the interpreter's num_threads (default 1)\n"
         "  --reps N       timed runs           (default 50)\n"
         "  --warmup N     untimed runs first   (default 5)\n"
         "  --weights f32|f16|i8  weight matrix storage (default f32)\n"
         "  --isa NAME     force a path: ref|avx2|avx512|neon (default: TFLITE_RNN_OPS_ISA, "
         "else the best available)\n"
         "  --csv          one CSV header line and one data line\n"
         "  --help\n";
}

WeightType WeightTypeOf(const Flags& flags) {
  return flags.weights == "f16" ? WeightType::kFloat16
         : flags.weights == "i8" ? WeightType::kInt8
                                 : WeightType::kFloat32;
}

bool ParseFlags(int argc, char** argv, Flags* flags, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      *error = "unexpected argument '" + arg + "' (flags start with --)";
      return false;
    }
    arg = arg.substr(2);
    if (arg == "csv" || arg == "help") {
      (arg == "csv" ? flags->csv : flags->help) = true;
      continue;
    }
    std::string value;
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      *error = "--" + arg + " needs a value";
      return false;
    }
    if (!SetFlag(arg, value, flags, error)) return false;
  }
  return true;
}

bool ResolveIsa(const std::string& name, Isa* isa, std::string* error) {
  std::string available;
  for (Isa i : kAllIsas) {
    if (IsaAvailable(i)) available += std::string(available.empty() ? "" : ", ") + IsaName(i);
  }
  if (!IsaFromName(name.c_str(), isa)) {
    *error = "--isa expects ref|avx2|avx512|neon, got '" + name + "'";
    return false;
  }
  if (!IsaAvailable(*isa)) {
    *error = "--isa " + name + " is not available in this build on this CPU (available: " +
             available + ")";
    return false;
  }
  return true;
}

}  // namespace bench
}  // namespace tflite_rnn_ops
