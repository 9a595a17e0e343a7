#include "tests/native/support/cases.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>

#include "cc/kernels/bidirectional.h"
#include "cc/kernels/gru.h"
#include "cc/kernels/lstm.h"
#include "cc/kernels/rnn.h"
#include "cc/kernels/weight_conversion.h"
#include "tests/native/support/allocation_counter.h"

namespace tro_test {
namespace tro = tflite_rnn_ops;

namespace {

// SplitMix64: tiny, and identical on every target (std:: distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
  // Zero mean, unit variance (uniform on [-sqrt 3, sqrt 3)).
  float Symmetric(double scale) {
    return static_cast<float>((2.0 * Unit() - 1.0) * std::sqrt(3.0) * scale);
  }
  std::vector<float> Fill(size_t n, double scale) {
    std::vector<float> v(n);
    for (float& f : v) f = Symmetric(scale);
    return v;
  }

 private:
  uint64_t state_;
};

Direction MakeDirection(const CellSpec& s, Rng& rng) {
  const size_t cols = static_cast<size_t>(s.gates()) * s.units;
  const int h = s.out_units();
  const double scale = 1.0 / std::sqrt(static_cast<double>(s.input + h));
  const double gain = s.cell == Cell::kRnn ? 0.8 : 2.0;
  Direction d;
  d.kernel = rng.Fill(static_cast<size_t>(s.input) * cols, 2.0 * scale);
  d.recurrent = rng.Fill(static_cast<size_t>(h) * cols, gain * scale);
  if (s.with_bias) {
    const bool two_rows = s.cell == Cell::kGru && s.reset_after;
    d.bias = rng.Fill((two_rows ? 2 : 1) * cols, 0.5);
  }
  if (s.peepholes) {
    d.w_i_diag = rng.Fill(s.units, 0.7);
    d.w_f_diag = rng.Fill(s.units, 0.7);
    d.w_o_diag = rng.Fill(s.units, 0.7);
  }
  if (s.num_proj > 0) {
    d.projection = rng.Fill(static_cast<size_t>(s.units) * s.num_proj,
                            1.5 / std::sqrt(static_cast<double>(s.units)));
  }
  if (s.with_state) {
    d.h0 = rng.Fill(static_cast<size_t>(s.batch) * h, 0.5);
    if (s.cell == Cell::kLstm) d.c0 = rng.Fill(static_cast<size_t>(s.batch) * s.units, 0.5);
  }
  if (s.weights != WeightType::kFloat32) {
    d.kernel_stored = StoreMatrix(s.weights, d.kernel, static_cast<int>(cols), &d.kernel);
    d.recurrent_stored = StoreMatrix(s.weights, d.recurrent, static_cast<int>(cols), &d.recurrent);
    if (s.num_proj > 0) {
      d.projection_stored = StoreMatrix(s.weights, d.projection, s.num_proj, &d.projection);
    }
  }
  return d;
}

std::vector<uint8_t> MakeMask(const CellSpec& s, Rng& rng) {
  const int b_n = s.batch, t_n = s.time;
  std::vector<uint8_t> bt(static_cast<size_t>(b_n) * t_n);
  for (auto& m : bt) m = rng.Unit() > 0.3;
  for (int t = 0; t < std::max(1, t_n / 3); ++t) bt[t] = 0;  // leading padding, row 0
  if (b_n > 1) {
    for (int t = t_n - std::max(1, t_n / 4); t < t_n; ++t) bt[t_n + t] = 0;  // trailing, row 1
  }
  if (t_n > 2) {
    for (int b = 0; b < b_n; ++b) bt[b * t_n + t_n / 2] = 0;  // a step with every row masked
  }
  if (!s.time_major) return bt;
  std::vector<uint8_t> tb(bt.size());
  for (int b = 0; b < b_n; ++b) {
    for (int t = 0; t < t_n; ++t) tb[t * b_n + b] = bt[b * t_n + t];
  }
  return tb;
}

std::vector<int32_t> MakeLengths(const CellSpec& s, Rng& rng) {
  std::vector<int32_t> lengths(s.batch);
  for (auto& n : lengths) n = static_cast<int32_t>(rng.Next() % (s.time + 1));
  lengths[0] = s.time;
  if (s.batch > 1) lengths[1] = 0;
  if (s.batch > 2) lengths[2] = std::min(1, s.time);
  return lengths;
}

const float* OrNull(const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }

// The kernels' view of one matrix of a case in the case's storage type.
tro::WeightMatrix Matrix(const CellSpec& s, const std::vector<float>& f, const StoredMatrix& m) {
  if (f.empty()) return tro::WeightMatrix();
  switch (s.weights) {
    case WeightType::kFloat16:
      return tro::WeightMatrix::Float16(m.half.data());
    case WeightType::kInt8:
      return tro::WeightMatrix::Int8(m.q.data(), m.scales.data());
    case WeightType::kFloat32:
      break;
  }
  return f.data();
}

// Per-cell translation of a Case into the kernel's Options / Weights / Io.
struct LstmTraits {
  using Kernel = tro::LstmKernel;
  static tro::LstmOptions Options(const CellSpec& s, bool go_backwards) {
    tro::LstmOptions o;
    o.input_size = s.input, o.units = s.units;
    o.activation = s.activation, o.recurrent_activation = s.recurrent_activation;
    o.time_major = s.time_major, o.go_backwards = go_backwards;
    o.return_sequences = s.return_sequences, o.zero_output_for_mask = s.zero_output_for_mask;
    o.use_peepholes = s.peepholes, o.cell_clip = s.cell_clip;
    o.num_proj = s.num_proj, o.proj_clip = s.proj_clip;
    o.weight_type = s.weights;
    o.centre_rows = s.centre_rows;
    if (!s.widen_float16) o.float16_widen_bytes = 0;
    return o;
  }
  static tro::LstmWeights Weights(const CellSpec& s, const Direction& d) {
    tro::LstmWeights w;
    w.kernel = Matrix(s, d.kernel, d.kernel_stored);
    w.recurrent_kernel = Matrix(s, d.recurrent, d.recurrent_stored);
    w.bias = OrNull(d.bias);
    w.w_i_diag = OrNull(d.w_i_diag), w.w_f_diag = OrNull(d.w_f_diag);
    w.w_o_diag = OrNull(d.w_o_diag);
    w.projection = Matrix(s, d.projection, d.projection_stored);
    return w;
  }
  static tro::LstmIo Io(const Case& c, const Direction& d, float* out, Result* r) {
    tro::LstmIo io;
    io.h0 = OrNull(d.h0), io.c0 = OrNull(d.c0);
    io.h_out = r->h.data(), io.c_out = r->c.data();
    return Common(c, out, io);
  }
  template <class Io>
  static Io Common(const Case& c, float* out, Io io) {
    io.batch = c.spec.batch, io.time = c.spec.time, io.x = c.x.data();
    io.mask = c.mask.empty() ? nullptr : c.mask.data();
    io.lengths = c.lengths.empty() ? nullptr : c.lengths.data();
    io.output = out;
    return io;
  }
};

struct GruTraits {
  using Kernel = tro::GruKernel;
  static tro::GruOptions Options(const CellSpec& s, bool go_backwards) {
    tro::GruOptions o;
    o.input_size = s.input, o.units = s.units;
    o.activation = s.activation, o.recurrent_activation = s.recurrent_activation;
    o.reset_after = s.reset_after;
    o.time_major = s.time_major, o.go_backwards = go_backwards;
    o.return_sequences = s.return_sequences, o.zero_output_for_mask = s.zero_output_for_mask;
    o.weight_type = s.weights;
    o.centre_rows = s.centre_rows;
    if (!s.widen_float16) o.float16_widen_bytes = 0;
    return o;
  }
  static tro::GruWeights Weights(const CellSpec& s, const Direction& d) {
    return {Matrix(s, d.kernel, d.kernel_stored), Matrix(s, d.recurrent, d.recurrent_stored),
            OrNull(d.bias)};
  }
  static tro::GruIo Io(const Case& c, const Direction& d, float* out, Result* r) {
    tro::GruIo io;
    io.h0 = OrNull(d.h0), io.h_out = r->h.data();
    return LstmTraits::Common(c, out, io);
  }
};

struct RnnTraits {
  using Kernel = tro::RnnKernel;
  static tro::RnnOptions Options(const CellSpec& s, bool go_backwards) {
    tro::RnnOptions o;
    o.input_size = s.input, o.units = s.units, o.activation = s.activation;
    o.time_major = s.time_major, o.go_backwards = go_backwards;
    o.return_sequences = s.return_sequences, o.zero_output_for_mask = s.zero_output_for_mask;
    o.weight_type = s.weights;
    o.centre_rows = s.centre_rows;
    if (!s.widen_float16) o.float16_widen_bytes = 0;
    return o;
  }
  static tro::RnnWeights Weights(const CellSpec& s, const Direction& d) {
    return {Matrix(s, d.kernel, d.kernel_stored), Matrix(s, d.recurrent, d.recurrent_stored),
            OrNull(d.bias)};
  }
  static tro::RnnIo Io(const Case& c, const Direction& d, float* out, Result* r) {
    tro::RnnIo io;
    io.h0 = OrNull(d.h0), io.h_out = r->h.data();
    return LstmTraits::Common(c, out, io);
  }
};

size_t OutputFloats(const CellSpec& s, int width) {
  return static_cast<size_t>(s.batch) * width * (s.return_sequences ? s.time : 1);
}

Result StatesFor(const CellSpec& s) {
  Result r;
  r.h.assign(static_cast<size_t>(s.batch) * s.out_units(), -7.0f);  // poison: must be written
  if (s.cell == Cell::kLstm) r.c.assign(static_cast<size_t>(s.batch) * s.units, -7.0f);
  return r;
}

template <class T>
void Prepare(Isa isa, const Case& c, const Direction& d, bool go_backwards, int slack,
             typename T::Kernel* k) {
  k->Init(isa, T::Options(c.spec, go_backwards));
  k->Pack(T::Weights(c.spec, d));
  k->Reserve(c.spec.batch + slack, c.spec.time + slack);
}

template <class T>
Result RunOne(Isa isa, const Case& c, int slack, size_t* allocations, tro::ThreadPool* pool) {
  Result r = StatesFor(c.spec);
  r.output.assign(OutputFloats(c.spec, c.spec.out_units()), -7.0f);
  typename T::Kernel k;
  Prepare<T>(isa, c, c.forward, c.spec.go_backwards, slack, &k);
  k.SetThreadPool(pool);
  const auto io = T::Io(c, c.forward, r.output.data(), &r);
  AllocationCounter counter;
  k.Run(io);
  if (allocations != nullptr) *allocations = counter.count();
  return r;
}

template <class T>
BidirectionalResult RunBoth(Isa isa, const Case& c, int threads, size_t* allocations) {
  const int h = c.spec.out_units();
  BidirectionalResult r;
  r.output.assign(OutputFloats(c.spec, 2 * h), -7.0f);
  r.forward = StatesFor(c.spec);
  r.backward = StatesFor(c.spec);
  typename T::Kernel fk, bk;
  Prepare<T>(isa, c, c.forward, false, 0, &fk);
  Prepare<T>(isa, c, c.backward, true, 0, &bk);
  tro::OutputPlacement fp, bp;
  fp.row_stride = bp.row_stride = 2 * h;
  bp.time_order = true;
  const auto fio = T::Io(c, c.forward, r.output.data(), &r.forward);
  const auto bio = T::Io(c, c.backward, r.output.data() + h, &r.backward);
  std::unique_ptr<tro::ThreadPool> pool;
  if (threads > 1) pool = std::make_unique<tro::ThreadPool>(threads);
  AllocationCounter counter;
  tro::RunBidirectional(fk, fio, fp, bk, bio, bp, pool.get());
  if (allocations != nullptr) *allocations = counter.count();
  return r;
}

}  // namespace

StoredMatrix StoreMatrix(WeightType type, const std::vector<float>& w, int cols,
                         std::vector<float>* represented) {
  StoredMatrix m;
  const size_t rows = w.size() / cols;
  represented->resize(w.size());
  if (type == WeightType::kFloat16) {
    m.half.resize(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      m.half[i] = tro::FloatToHalf(w[i]);
      (*represented)[i] = tro::HalfToFloat(m.half[i]);
    }
    return m;
  }
  tro::QuantizeColumns(w.data(), rows, cols, &m.q, &m.scales);
  for (size_t i = 0; i < w.size(); ++i) (*represented)[i] = m.q[i] * m.scales[i % cols];
  return m;
}

Case MakeCase(const CellSpec& spec, uint32_t seed) {
  Rng rng(0x5EEDull * 1000003u + seed);
  Case c;
  c.spec = spec;
  c.x = rng.Fill(static_cast<size_t>(spec.batch) * spec.time * spec.input, 1.0);
  if (spec.steps == Steps::kMask) c.mask = MakeMask(spec, rng);
  if (spec.steps == Steps::kLengths) c.lengths = MakeLengths(spec, rng);
  c.forward = MakeDirection(spec, rng);
  c.backward = MakeDirection(spec, rng);
  return c;
}

Result RunCell(Isa isa, const Case& c, int reserve_slack, size_t* run_allocations,
               tro::ThreadPool* pool) {
  switch (c.spec.cell) {
    case Cell::kLstm:
      return RunOne<LstmTraits>(isa, c, reserve_slack, run_allocations, pool);
    case Cell::kGru:
      return RunOne<GruTraits>(isa, c, reserve_slack, run_allocations, pool);
    case Cell::kRnn:
      break;
  }
  return RunOne<RnnTraits>(isa, c, reserve_slack, run_allocations, pool);
}

BidirectionalResult RunBidirectional(Isa isa, const Case& c, int threads,
                                     size_t* run_allocations) {
  switch (c.spec.cell) {
    case Cell::kLstm:
      return RunBoth<LstmTraits>(isa, c, threads, run_allocations);
    case Cell::kGru:
      return RunBoth<GruTraits>(isa, c, threads, run_allocations);
    case Cell::kRnn:
      break;
  }
  return RunBoth<RnnTraits>(isa, c, threads, run_allocations);
}

std::vector<Isa> AvailableIsas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::kRef, Isa::kAvx2, Isa::kAvx512, Isa::kNeon}) {
    if (tro::IsaAvailable(isa)) out.push_back(isa);
  }
  return out;
}

std::string CellName(Cell cell) {
  return cell == Cell::kLstm ? "lstm" : cell == Cell::kGru ? "gru" : "rnn";
}

}  // namespace tro_test
