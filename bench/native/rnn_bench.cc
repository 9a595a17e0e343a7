// rnn_bench: times the kernel classes our ops run (cc/kernels/{lstm,gru,rnn}.h, and
// RunBidirectional) on random weights, without an interpreter, on --threads threads the way the
// op uses the interpreter's num_threads. For devices (adb push, see docs/android.md) and this
// machine alike.
//
//   rnn_bench --cell lstm --direction forward --units 128 --input 64 --time 50 --batch 1
//
// Reports the ISA path, microseconds per sequence and per step (median, min, max over --reps
// timed runs after --warmup untimed ones), GFLOP/s of the two matrix products (input
// projection and recurrent step; elementwise gate math not counted) at the median, and the
// recurrent weight bytes each step streams. Init/Pack/Reserve happen before timing, as in an
// op's Prepare; only Run (an op's Eval) is timed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench/native/bench_flags.h"
#include "cc/kernels/bidirectional.h"
#include "cc/kernels/dispatch.h"
#include "cc/kernels/gru.h"
#include "cc/kernels/lstm.h"
#include "cc/kernels/rnn.h"
#include "cc/kernels/thread_pool.h"
#include "cc/kernels/weight_conversion.h"

namespace tflite_rnn_ops {
namespace bench {
namespace {

// Deterministic fill in [-scale, scale); the values do not matter for speed, only that they
// keep activations in their normal range.
std::vector<float> Fill(size_t n, float scale, uint32_t seed) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 1;
  for (float& f : v) {
    s = s * 1664525u + 1013904223u;
    f = scale * (static_cast<float>(s >> 8) / 8388608.0f - 1.0f);
  }
  return v;
}

// One weight matrix in the --weights storage.
struct Stored {
  WeightType type = WeightType::kFloat32;
  std::vector<float> f32, scales;
  std::vector<uint16_t> f16;
  std::vector<int8_t> i8;

  WeightMatrix matrix() const {
    if (type == WeightType::kFloat16) return WeightMatrix::Float16(f16.data());
    if (type == WeightType::kInt8) return WeightMatrix::Int8(i8.data(), scales.data());
    return f32.data();
  }
};

Stored Store(WeightType type, std::vector<float> w, size_t cols) {
  Stored s;
  s.type = type;
  if (type == WeightType::kFloat16) {
    for (float v : w) s.f16.push_back(FloatToHalf(v));
  } else if (type == WeightType::kInt8) {
    QuantizeColumns(w.data(), w.size() / cols, cols, &s.i8, &s.scales);
  }
  s.f32 = std::move(w);
  return s;
}

struct Buffers {
  std::vector<float> x, bias, output, h, c;
  Stored kernel, recurrent;
};

Buffers MakeBuffers(const Flags& f, int gates, uint32_t seed) {
  const size_t cols = static_cast<size_t>(gates) * f.units;
  const float scale = 1.0f / static_cast<float>(f.input + f.units);
  Buffers b;
  b.x = Fill(static_cast<size_t>(f.batch) * f.time * f.input, 1.0f, seed);
  const WeightType type = WeightTypeOf(f);
  b.kernel = Store(type, Fill(static_cast<size_t>(f.input) * cols, scale, seed + 1), cols);
  b.recurrent = Store(type, Fill(static_cast<size_t>(f.units) * cols, scale, seed + 2), cols);
  b.bias = Fill(2 * cols, 0.1f, seed + 3);  // [2, 3U] covers GRU's reset_after bias
  const int width = f.bidirectional ? 2 * f.units : f.units;
  b.output.assign(static_cast<size_t>(f.batch) * f.time * width, 0.0f);
  b.h.assign(static_cast<size_t>(f.batch) * f.units, 0.0f);
  b.c.assign(static_cast<size_t>(f.batch) * f.units, 0.0f);
  return b;
}

template <class Options>
Options CommonOptions(const Flags& f, bool go_backwards) {
  Options o;
  o.input_size = f.input;
  o.units = f.units;
  o.go_backwards = go_backwards;
  o.return_sequences = true;
  o.weight_type = WeightTypeOf(f);
  return o;
}

// Per cell: the kernel, its gate count, and how to build options / weights / io from buffers.
struct Lstm {
  using Kernel = LstmKernel;
  static constexpr int kGates = 4;
  static LstmOptions Options(const Flags& f, bool bw) { return CommonOptions<LstmOptions>(f, bw); }
  static LstmWeights Weights(const Buffers& b) {
    LstmWeights w;
    w.kernel = b.kernel.matrix(), w.recurrent_kernel = b.recurrent.matrix();
    w.bias = b.bias.data();
    return w;
  }
  static LstmIo Io(const Flags& f, Buffers& b, float* out) {
    LstmIo io;
    io.batch = f.batch, io.time = f.time, io.x = b.x.data(), io.output = out;
    io.h_out = b.h.data(), io.c_out = b.c.data();
    return io;
  }
};

struct Gru {
  using Kernel = GruKernel;
  static constexpr int kGates = 3;
  static GruOptions Options(const Flags& f, bool bw) { return CommonOptions<GruOptions>(f, bw); }
  static GruWeights Weights(const Buffers& b) {
    return {b.kernel.matrix(), b.recurrent.matrix(), b.bias.data()};
  }
  static GruIo Io(const Flags& f, Buffers& b, float* out) {
    GruIo io;
    io.batch = f.batch, io.time = f.time, io.x = b.x.data(), io.output = out;
    io.h_out = b.h.data();
    return io;
  }
};

struct Rnn {
  using Kernel = RnnKernel;
  static constexpr int kGates = 1;
  static RnnOptions Options(const Flags& f, bool bw) { return CommonOptions<RnnOptions>(f, bw); }
  static RnnWeights Weights(const Buffers& b) {
    return {b.kernel.matrix(), b.recurrent.matrix(), b.bias.data()};
  }
  static RnnIo Io(const Flags& f, Buffers& b, float* out) {
    RnnIo io;
    io.batch = f.batch, io.time = f.time, io.x = b.x.data(), io.output = out;
    io.h_out = b.h.data();
    return io;
  }
};

template <class F>
std::vector<double> TimeReps(const Flags& f, F&& run) {
  for (int i = 0; i < f.warmup; ++i) run();
  std::vector<double> us(f.reps);
  for (int i = 0; i < f.reps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const auto stop = std::chrono::steady_clock::now();
    us[i] = std::chrono::duration<double, std::micro>(stop - start).count();
  }
  return us;
}

template <class Cell>
void Prepare(Isa isa, const Flags& f, const Buffers& b, bool go_backwards,
             typename Cell::Kernel* k) {
  k->Init(isa, Cell::Options(f, go_backwards));
  k->Pack(Cell::Weights(b));
  k->Reserve(f.batch, f.time);
}

// Threads as the op uses them (cc/tflite/sequence_op.h, PrepareThreads): one direction splits
// its units over the pool, two directions get a thread each.
struct Timing {
  std::vector<double> us;  // one per timed rep
  WeightType packed = WeightType::kFloat32;
};

template <class Cell>
Timing Run(Isa isa, const Flags& f) {
  std::unique_ptr<ThreadPool> pool;
  if (f.threads > 1) pool = std::make_unique<ThreadPool>(f.threads);
  Buffers fb = MakeBuffers(f, Cell::kGates, 1);
  typename Cell::Kernel fk;
  Prepare<Cell>(isa, f, fb, false, &fk);
  Timing t;
  t.packed = fk.packed_type();
  if (!f.bidirectional) {
    fk.SetThreadPool(pool.get());
    const auto io = Cell::Io(f, fb, fb.output.data());
    t.us = TimeReps(f, [&] { fk.Run(io); });
    return t;
  }
  Buffers bb = MakeBuffers(f, Cell::kGates, 7);
  typename Cell::Kernel bk;
  Prepare<Cell>(isa, f, bb, true, &bk);
  OutputPlacement fp, bp;
  fp.row_stride = bp.row_stride = 2 * f.units;
  bp.time_order = true;
  const auto fio = Cell::Io(f, fb, fb.output.data());
  const auto bio = Cell::Io(f, bb, fb.output.data() + f.units);
  t.us = TimeReps(f, [&] { RunBidirectional(fk, fio, fp, bk, bio, bp, pool.get()); });
  return t;
}

int Gates(const std::string& cell) { return cell == "lstm" ? 4 : cell == "gru" ? 3 : 1; }

void Report(const Flags& f, Isa isa, const Timing& t) {
  std::vector<double> us = t.us;
  std::sort(us.begin(), us.end());
  const double median = us.size() % 2 ? us[us.size() / 2]
                                      : 0.5 * (us[us.size() / 2 - 1] + us[us.size() / 2]);
  const double lo = us.front(), hi = us.back();
  const int dirs = f.bidirectional ? 2 : 1;
  const double cols = static_cast<double>(Gates(f.cell)) * f.units;
  // Multiply-adds of x @ kernel and h @ recurrent_kernel, two flops each.
  const double flops = 2.0 * dirs * f.batch * f.time * cols * (f.input + f.units);
  const double gflops = flops / (median * 1e3);
  const double weight_bytes_per_step =
      dirs * cols * f.units * WeightMatrix::ElementBytes(WeightTypeOf(f));
  const char* direction = f.bidirectional ? "bidirectional" : "forward";
  const char* q8_leaf = mk::Q8LeafName(mk::ActiveQ8Leaf(isa));
  if (f.csv) {
    std::printf("cell,direction,units,input,time,batch,threads,isa,reps,"
                "us_per_seq_median,us_per_seq_min,us_per_seq_max,us_per_step_median,"
                "us_per_step_min,us_per_step_max,gflops,weight_bytes_per_step,weights,q8_leaf\n");
    std::printf("%s,%s,%d,%d,%d,%d,%d,%s,%d,%.3f,%.3f,%.3f,%.4f,%.4f,%.4f,%.3f,%.0f,%s,%s\n",
                f.cell.c_str(), direction, f.units, f.input, f.time, f.batch, f.threads,
                IsaName(isa), f.reps, median, lo, hi, median / f.time, lo / f.time,
                hi / f.time, gflops, weight_bytes_per_step, f.weights.c_str(), q8_leaf);
    return;
  }
  std::printf("rnn_bench: %s %s, units %d, input %d, time %d, batch %d\n", f.cell.c_str(),
              direction, f.units, f.input, f.time, f.batch);
  std::printf("isa path:            %s\n", IsaName(isa));
  std::printf("weights:             %s%s\n", f.weights.c_str(),
              WeightTypeOf(f) != t.packed ? " (packed widened to f32: fits float16_widen_bytes)"
                                          : "");
  if (WeightTypeOf(f) == WeightType::kInt8) std::printf("int8 leaf:           %s\n", q8_leaf);
  std::printf("threads:             %d\n", f.threads);
  std::printf("reps:                %d timed after %d warmup\n", f.reps, f.warmup);
  std::printf("us per sequence:     median %.3f  min %.3f  max %.3f\n", median, lo, hi);
  std::printf("us per step:         median %.4f  min %.4f  max %.4f\n", median / f.time,
              lo / f.time, hi / f.time);
  std::printf("GFLOP/s (median):    %.3f\n", gflops);
  std::printf("weight bytes/step:   %.0f (recurrent kernel%s)\n", weight_bytes_per_step,
              f.bidirectional ? "s of both directions" : "");
}

int Main(int argc, char** argv) {
  Flags f;
  std::string error;
  if (!ParseFlags(argc, argv, &f, &error)) {
    std::fprintf(stderr, "rnn_bench: %s\n\n%s", error.c_str(), Usage());
    return 2;
  }
  if (f.help) {
    std::fputs(Usage(), stdout);
    return 0;
  }
  Isa isa = ActiveIsa();
  if (!f.isa.empty() && !ResolveIsa(f.isa, &isa, &error)) {
    std::fprintf(stderr, "rnn_bench: %s\n", error.c_str());
    return 2;
  }
  const Timing t = f.cell == "lstm" ? Run<Lstm>(isa, f)
                   : f.cell == "gru" ? Run<Gru>(isa, f)
                                     : Run<Rnn>(isa, f);
  Report(f, isa, t);
  return 0;
}

}  // namespace
}  // namespace bench
}  // namespace tflite_rnn_ops

int main(int argc, char** argv) { return tflite_rnn_ops::bench::Main(argc, argv); }
