// Every SIMD microkernel (GEMM, LSTM plain and TF1 extras, GRU both reset_after forms,
// SimpleRNN, activations) of every ISA that is built AND supported by this CPU, against the
// ref microkernels on the same seeded random data. Each ISA is fed its own packed layout
// (kVec differs: 8 for AVX2 / aarch64 NEON, 16 for AVX-512, 4 for armv7 NEON) and compared on
// the logical values, so the tests also pin the packed layouts the drivers rely on.
//
// Tolerances, |simd - ref| <= atol + rtol * |ref| (stated per kernel below):
//  * GEMM: 1e-6 relative to sum_k |a_k w_k| + |bias|. Both sums round k times; the SIMD one
//    fuses each multiply-add, so they differ by a few ulps of the magnitude summed, not of the
//    (possibly cancelled) result.
//  * Cells: 2e-6 absolute + 2e-6 relative on outputs of size O(1) (weights scaled by 1/sqrt(k)),
//    five times tighter than the 1e-5 parity bound: the GEMM difference above plus the
//    vectorised activations' error (<= 3e-7 relative, vec_math.h).
//  * Activations: twice the per-function bound against the exact function that
//    tests/python/test_kernels_activations.py asserts for every path (both ref and SIMD are
//    within it of the exact value, so within twice of each other).
//  * armv7 only: NEON arithmetic always flushes subnormals to zero (vec_neon.h), so results
//    below FLT_MIN in magnitude may be 0 where ref keeps a subnormal: an absolute floor of
//    FLT_MIN (1.2e-38) is added there, nowhere else.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "cc/kernels/activation.h"
#include "cc/kernels/dispatch.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/pack.h"

#if defined(__arm__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace tflite_rnn_ops {

// Readable parameters in GoogleTest's messages ("neon", not "4-byte object <03-00 00-00>").
// In Isa's namespace for ADL; static, since other tests in the same binary may print Isa too.
static void PrintTo(Isa isa, std::ostream* os) { *os << IsaName(isa); }

namespace {

constexpr Isa kSimdIsas[] = {Isa::kAvx2, Isa::kAvx512, Isa::kNeon};
constexpr int kNumActivations = static_cast<int>(Activation::kSparseSigmoid) + 1;

#if defined(__arm__)
constexpr double kFlushFloor = FLT_MIN;  // armv7 NEON flush-to-zero, see the header comment
#else
constexpr double kFlushFloor = 0.0;
#endif

// The CPU's features found independently of dispatch.cc, so a wrong detection there fails.
bool CpuHas(Isa isa) {
  switch (isa) {
    case Isa::kRef:
      return true;
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    case Isa::kAvx2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::kAvx512:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f") && CpuHas(Isa::kAvx2);
#endif
#if defined(__aarch64__)
    case Isa::kNeon:
      return true;
#elif defined(__arm__) && defined(__linux__)
    case Isa::kNeon:
      return (getauxval(AT_HWCAP) & HWCAP_NEON) && (getauxval(AT_HWCAP) & HWCAP_VFPv4);
#endif
    default:
      return false;
  }
}

std::string IsaList(bool (*pred)(Isa)) {
  std::string out;
  for (Isa isa : {Isa::kRef, Isa::kAvx2, Isa::kAvx512, Isa::kNeon}) {
    if (pred(isa)) out += std::string(out.empty() ? "" : " ") + IsaName(isa);
  }
  return out.empty() ? "none" : out;
}

class IsaReport : public ::testing::Environment {
 public:
  void SetUp() override {
    std::printf("[ ISA      ] built and supported: %s\n", IsaList(IsaAvailable).c_str());
    std::printf("[ ISA      ] CPU supports: %s\n", IsaList(CpuHas).c_str());
    std::printf("[ ISA      ] SIMD ISAs tested against ref: %s\n",
                IsaList([](Isa isa) { return isa != Isa::kRef && IsaAvailable(isa); }).c_str());
  }
};
const auto* const kIsaReport = ::testing::AddGlobalTestEnvironment(new IsaReport);

TEST(IsaCoverage, EveryIsaTheCpuSupportsIsBuiltAndViceVersa) {
  EXPECT_TRUE(IsaAvailable(Isa::kRef));
  for (Isa isa : kSimdIsas) {
    EXPECT_EQ(IsaAvailable(isa), CpuHas(isa))
        << IsaName(isa) << ": the CPU " << (CpuHas(isa) ? "supports" : "lacks") << " it but "
        << "IsaAvailable says " << IsaAvailable(isa)
        << (CpuHas(isa) ? " (this build does not contain its kernels)" : "");
  }
}

TEST(IsaCoverage, ActiveIsaIsTheForcedOneOrTheBest) {
  const char* forced = std::getenv("TFLITE_RNN_OPS_ISA");
  Isa want = Isa::kRef;
  if (forced != nullptr && IsaFromName(forced, &want) && IsaAvailable(want)) {
    EXPECT_EQ(ActiveIsa(), want) << "TFLITE_RNN_OPS_ISA=" << forced;
    return;
  }
  for (Isa isa : {Isa::kAvx512, Isa::kAvx2, Isa::kNeon, Isa::kRef}) {
    if (IsaAvailable(isa)) {
      want = isa;
      break;
    }
  }
  EXPECT_EQ(ActiveIsa(), want) << "got " << IsaName(ActiveIsa());
}

// ---------------------------------------------------------------------------------------------
// Data and layouts

std::vector<float> Uniform(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

size_t Panels(int units, int vec) { return static_cast<size_t>(PadUnits(units, vec) / vec); }

// Rows of [gates*units] logical values in the gate-interleaved row layout the GEMM writes and
// the cells read ([panel][gate][lane] per row, as PackGateBias), zero padded, at `stride`.
std::vector<float> InterleaveRows(const std::vector<float>& src, int rows, int gates, int units,
                                  int vec, size_t stride) {
  std::vector<float> dst(rows * stride, 0.0f);
  for (int r = 0; r < rows; ++r) {
    PackGateBias(src.data() + static_cast<size_t>(r) * gates * units, gates, units, vec,
                 dst.data() + r * stride);
  }
  return dst;
}

std::vector<float> DeinterleaveRows(const std::vector<float>& src, int rows, int gates,
                                    int units, int vec, size_t stride) {
  std::vector<float> dst(static_cast<size_t>(rows) * gates * units);
  for (int r = 0; r < rows; ++r) {
    for (int g = 0; g < gates; ++g) {
      for (int u = 0; u < units; ++u) {
        const size_t at = r * stride + (u / vec) * gates * vec + g * vec + u % vec;
        dst[(static_cast<size_t>(r) * gates + g) * units + u] = src[at];
      }
    }
  }
  return dst;
}

// Plain per-unit rows (states): `n` values per row at `stride`; the rest is `pad`.
std::vector<float> StridedRows(const std::vector<float>& src, int rows, int n, size_t stride,
                               float pad = 0.0f) {
  std::vector<float> dst(rows * stride, pad);
  for (int r = 0; r < rows; ++r) std::copy_n(src.data() + r * n, n, dst.data() + r * stride);
  return dst;
}

std::vector<float> UnstrideRows(const std::vector<float>& src, int rows, int n, size_t stride) {
  std::vector<float> dst(static_cast<size_t>(rows) * n);
  for (int r = 0; r < rows; ++r) std::copy_n(src.data() + r * stride, n, dst.data() + r * n);
  return dst;
}

std::vector<float> Pack(const std::vector<float>& w, size_t stride, int k, int gates, int units,
                        int vec) {
  std::vector<float> out(PackedGateSize(k, gates, units, vec));
  PackGateInterleaved(w.data(), stride, k, gates, units, vec, out.data());
  return out;
}

std::vector<float> PackBias(const float* b, int gates, int units, int vec) {
  std::vector<float> out(PackedGateSize(1, gates, units, vec));
  PackGateBias(b, gates, units, vec, out.data());
  return out;
}

// The kernels write every lane of a row up to panels*vec (padding unspecified but finite).
::testing::AssertionResult RowsFinite(const std::vector<float>& buf, int rows, size_t lanes,
                                      size_t stride) {
  for (int r = 0; r < rows; ++r) {
    for (size_t i = 0; i < lanes; ++i) {
      if (!std::isfinite(buf[r * stride + i])) {
        return ::testing::AssertionFailure()
               << "row " << r << " lane " << i << " of " << lanes << " is " << buf[r * stride + i];
      }
    }
  }
  return ::testing::AssertionSuccess();
}

constexpr float kUnset = std::numeric_limits<float>::quiet_NaN();

// ---------------------------------------------------------------------------------------------
// Comparison with a stated bound, tracking the worst case for the log.

struct Bound {
  double atol = 0.0;
  double rtol = 0.0;
};

struct WorstCase {
  double err = 0.0;    // max |simd - ref|
  double ratio = 0.0;  // max |simd - ref| / bound
  int cases = 0;
};

// |got[i] - want[i]| <= atol + rtol * scale[i] (+ the flush floor); scale = |want| by default.
::testing::AssertionResult Close(const std::vector<float>& got, const std::vector<float>& want,
                                 Bound bound, WorstCase* worst,
                                 const std::vector<double>* scale = nullptr) {
  if (got.size() != want.size()) return ::testing::AssertionFailure() << "size mismatch";
  ++worst->cases;
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want[i];
    if (std::isinf(w) || std::isinf(g)) {
      if (g == w) continue;
      return ::testing::AssertionFailure() << "index " << i << ": got " << g << ", ref " << w;
    }
    const double err = std::fabs(g - w);
    const double s = scale != nullptr ? (*scale)[i] : std::fabs(w);
    const double tol = bound.atol + bound.rtol * s + kFlushFloor;
    if (!(err <= tol)) {
      return ::testing::AssertionFailure()
             << "index " << i << ": got " << g << ", ref " << w << ", |err| " << err
             << " > bound " << tol;
    }
    worst->err = std::max(worst->err, err);
    if (tol > 0.0) worst->ratio = std::max(worst->ratio, err / tol);
  }
  return ::testing::AssertionSuccess();
}

// Units and k: below, at and above the vector width up to 3 vectors, then odd and large sizes.
std::vector<int> Sizes(int vec) {
  std::vector<int> sizes;
  for (int n = 1; n <= 3 * vec; ++n) sizes.push_back(n);
  for (int n : {17, 64, 130}) {
    if (n > 3 * vec) sizes.push_back(n);
  }
  return sizes;
}

// Fewer k values for the GEMM, whose cost grows with units * k * rows.
std::vector<int> GemmKs(int vec) {
  std::vector<int> ks = {1, 2, vec - 1, vec, vec + 1, 17, 64, 130};
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  ks.erase(std::remove_if(ks.begin(), ks.end(), [](int k) { return k < 1; }), ks.end());
  return ks;
}

// Instantiated for the SIMD ISAs that are built and supported (IsaCoverage checks that this
// is every one the CPU has), so an ISA is either tested here or named as absent in the log.
class Microkernel : public ::testing::TestWithParam<Isa> {
 protected:
  void TearDown() override {
    if (worst_.cases > 0) {
      std::printf("[ WORST    ] %s: %d comparisons, max |simd - ref| = %.3g, "
                  "max |simd - ref| / bound = %.3f\n",
                  IsaName(GetParam()), worst_.cases, worst_.err, worst_.ratio);
    }
  }
  const mk::Microkernels& simd() const { return mk::MicrokernelsFor(GetParam()); }
  static const mk::Microkernels& ref() { return mk::MicrokernelsFor(Isa::kRef); }

  WorstCase worst_;
};

// ---------------------------------------------------------------------------------------------
// GEMM

std::vector<float> RunGemm(const mk::Microkernels& m, const std::vector<float>& a, int rows,
                           int k, const std::vector<float>& w, const std::vector<float>& bias,
                           int gates, int units) {
  const int vec = m.vec;
  const size_t a_stride = k + 3;
  const size_t out_stride = Panels(units, vec) * gates * vec + 5;
  std::vector<float> a_rows = StridedRows(a, rows, k, a_stride, kUnset);
  std::vector<float> packed_w = Pack(w, static_cast<size_t>(gates) * units, k, gates, units, vec);
  std::vector<float> packed_b = PackBias(bias.data(), gates, units, vec);
  std::vector<float> out(rows * out_stride, kUnset);
  mk::GemmArgs g;
  g.rows = rows;
  g.k = k;
  g.panels = static_cast<int>(Panels(units, vec));
  g.gates = gates;
  g.a = a_rows.data();
  g.a_stride = a_stride;
  g.w = packed_w.data();
  g.bias = packed_b.data();
  g.out = out.data();
  g.out_stride = out_stride;
  m.gemm(g);
  EXPECT_TRUE(RowsFinite(out, rows, Panels(units, vec) * gates * vec, out_stride));
  return DeinterleaveRows(out, rows, gates, units, vec, out_stride);
}

TEST_P(Microkernel, Gemm) {
  std::mt19937 rng(11);
  const int vec = std::max(simd().vec, ref().vec);
  for (int gates : {1, 3, 4}) {
    for (int units : Sizes(vec)) {
      for (int k : GemmKs(vec)) {
        const int n = gates * units;
        const std::vector<float> w = Uniform(rng, static_cast<size_t>(k) * n, -1.0f, 1.0f);
        const std::vector<float> bias = Uniform(rng, n, -1.0f, 1.0f);
        // Up to 9 rows covers every tail; 15 to 17 whole row tiles (8 rows for one gate, whose
        // tiles take two panels, 15 for its odd last panel) and a 16-step chunk.
        for (int rows : {1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17}) {
          const std::vector<float> a = Uniform(rng, static_cast<size_t>(rows) * k, -1.0f, 1.0f);
          std::vector<double> magnitude(static_cast<size_t>(rows) * n);
          for (int r = 0; r < rows; ++r) {
            for (int c = 0; c < n; ++c) {
              double s = std::fabs(bias[c]);
              for (int kk = 0; kk < k; ++kk) s += std::fabs(a[r * k + kk] * w[kk * n + c]);
              magnitude[r * n + c] = s;
            }
          }
          const auto got = RunGemm(simd(), a, rows, k, w, bias, gates, units);
          const auto want = RunGemm(ref(), a, rows, k, w, bias, gates, units);
          ASSERT_TRUE(Close(got, want, {0.0, 1e-6}, &worst_, &magnitude))
              << "gates " << gates << " units " << units << " k " << k << " rows " << rows;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// LSTM (plain and TF1 extras)

constexpr Bound kCellBound = {2e-6, 2e-6};

struct LstmCase {
  int rows = 0, units = 0, k = 0;
  std::vector<float> w, gx, h, c;  // logical: w [k][4u], gx [rows][4u], h [rows][k], c [rows][u]
  std::vector<float> peephole;      // [3][u]; empty = plain cell
  float clip = std::numeric_limits<float>::infinity();
  Activation act = Activation::kTanh, rec_act = Activation::kSigmoid;
};

LstmCase MakeLstm(std::mt19937& rng, int rows, int units, int k) {
  LstmCase c;
  c.rows = rows;
  c.units = units;
  c.k = k;
  const float s = 1.0f / std::sqrt(static_cast<float>(k));
  c.w = Uniform(rng, static_cast<size_t>(k) * 4 * units, -s, s);
  c.gx = Uniform(rng, static_cast<size_t>(rows) * 4 * units, -1.5f, 1.5f);
  c.h = Uniform(rng, static_cast<size_t>(rows) * k, -1.0f, 1.0f);
  c.c = Uniform(rng, static_cast<size_t>(rows) * units, -2.0f, 2.0f);
  return c;
}

// Returns h_next then c_next (logical, concatenated).
std::vector<float> RunLstm(const mk::Microkernels& m, const LstmCase& c, bool extras,
                           bool backward = false) {
  const int vec = m.vec;
  const size_t padded = Panels(c.units, vec) * vec;
  const size_t state_stride = padded + 3;
  const size_t gx_stride = padded * 4 + 7;
  const size_t h_stride = c.k + 2;
  const std::vector<float> w = Pack(c.w, 4 * static_cast<size_t>(c.units), c.k, 4, c.units, vec);
  const std::vector<float> gx = InterleaveRows(c.gx, c.rows, 4, c.units, vec, gx_stride);
  const std::vector<float> h = StridedRows(c.h, c.rows, c.k, h_stride, kUnset);
  const std::vector<float> cp = StridedRows(c.c, c.rows, c.units, state_stride);
  std::vector<float> peep(3 * padded, 0.0f);
  for (int g = 0; g < 3 && !c.peephole.empty(); ++g) {
    PackGateBias(c.peephole.data() + g * c.units, 1, c.units, vec, peep.data() + g * padded);
  }
  std::vector<float> h_next(c.rows * state_stride, kUnset), c_next(c.rows * state_stride, kUnset);
  mk::LstmCellArgs a;
  a.rows = c.rows;
  a.units = c.units;
  a.panels = static_cast<int>(Panels(c.units, vec));
  a.backward = backward;
  a.w = w.data();
  a.gx = gx.data();
  a.gx_stride = gx_stride;
  a.recurrent_size = c.k;
  a.h_prev = h.data();
  a.h_prev_stride = h_stride;
  a.c_prev = cp.data();
  a.h_next = h_next.data();
  a.c_next = c_next.data();
  a.state_stride = state_stride;
  a.activation = c.act;
  a.recurrent_activation = c.rec_act;
  a.peephole = peep.data();
  a.cell_clip = c.clip;
  (extras ? m.lstm_cell_extras : m.lstm_cell)(a);
  EXPECT_TRUE(RowsFinite(h_next, c.rows, padded, state_stride));
  EXPECT_TRUE(RowsFinite(c_next, c.rows, padded, state_stride));
  std::vector<float> out = UnstrideRows(h_next, c.rows, c.units, state_stride);
  const std::vector<float> cn = UnstrideRows(c_next, c.rows, c.units, state_stride);
  out.insert(out.end(), cn.begin(), cn.end());
  return out;
}

TEST_P(Microkernel, LstmCell) {
  std::mt19937 rng(21);
  const int vec = std::max(simd().vec, ref().vec);
  for (int units : Sizes(vec)) {
    // k = units (no projection), then projected sizes below and above units.
    for (int k : {units, std::max(1, units / 3), units + vec + 1}) {
      for (int rows = 1; rows <= 9; ++rows) {
        const LstmCase c = MakeLstm(rng, rows, units, k);
        ASSERT_TRUE(Close(RunLstm(simd(), c, false), RunLstm(ref(), c, false), kCellBound,
                          &worst_))
            << "units " << units << " k " << k << " rows " << rows;
      }
    }
  }
}

TEST_P(Microkernel, LstmCellExtrasPeepholesAndClip) {
  std::mt19937 rng(22);
  const int vec = std::max(simd().vec, ref().vec);
  for (int units : Sizes(vec)) {
    for (int rows = 1; rows <= 9; ++rows) {
      LstmCase c = MakeLstm(rng, rows, units, units + rows % 3);
      c.peephole = Uniform(rng, 3 * static_cast<size_t>(units), -1.0f, 1.0f);
      for (float clip : {std::numeric_limits<float>::infinity(), 0.75f, 0.0f}) {
        c.clip = clip;
        const auto got = RunLstm(simd(), c, true);
        const auto want = RunLstm(ref(), c, true);
        ASSERT_TRUE(Close(got, want, kCellBound, &worst_))
            << "units " << units << " rows " << rows << " clip " << clip;
        if (clip < 1.0f) {
          const float max_c = *std::max_element(got.begin() + rows * units, got.end(),
                                                [](float a, float b) { return std::fabs(a) <
                                                                              std::fabs(b); });
          EXPECT_LE(std::fabs(max_c), clip) << "cell state escapes the clip";
        }
      }
    }
  }
}

TEST_P(Microkernel, LstmCellExtrasWithoutExtrasIsThePlainCell) {
  std::mt19937 rng(23);
  for (int units : {1, simd().vec, 2 * simd().vec + 3, 64}) {
    for (int rows : {1, 2, 5}) {
      LstmCase c = MakeLstm(rng, rows, units, units);
      c.peephole.assign(3 * static_cast<size_t>(units), 0.0f);
      EXPECT_EQ(RunLstm(simd(), c, true), RunLstm(simd(), c, false))
          << "units " << units << " rows " << rows;
    }
  }
}

TEST_P(Microkernel, LstmCellEveryActivation) {
  std::mt19937 rng(24);
  const int vec = simd().vec;
  for (int a = 0; a < kNumActivations; ++a) {
    for (int units : {vec - 1, 2 * vec + 1}) {
      for (int rows : {1, 3}) {
        LstmCase c = MakeLstm(rng, rows, std::max(units, 1), std::max(units, 1));
        c.act = static_cast<Activation>(a);
        c.rec_act = static_cast<Activation>((a + 1) % kNumActivations);
        ASSERT_TRUE(Close(RunLstm(simd(), c, false), RunLstm(ref(), c, false), kCellBound,
                          &worst_))
            << ActivationName(c.act) << " / " << ActivationName(c.rec_act) << " units "
            << units << " rows " << rows;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GRU (reset_after true and false)

struct GruCase {
  int rows = 0, units = 0;
  bool reset_after = true;
  std::vector<float> w, rb, gx, h;  // w [u][3u], rb [3u], gx [rows][3u], h [rows][u]
  Activation act = Activation::kTanh, rec_act = Activation::kSigmoid;
};

GruCase MakeGru(std::mt19937& rng, int rows, int units, bool reset_after) {
  GruCase c;
  c.rows = rows;
  c.units = units;
  c.reset_after = reset_after;
  const float s = 1.0f / std::sqrt(static_cast<float>(units));
  c.w = Uniform(rng, static_cast<size_t>(units) * 3 * units, -s, s);
  c.rb = Uniform(rng, 3 * static_cast<size_t>(units), -0.5f, 0.5f);
  c.gx = Uniform(rng, static_cast<size_t>(rows) * 3 * units, -1.5f, 1.5f);
  c.h = Uniform(rng, static_cast<size_t>(rows) * units, -1.0f, 1.0f);
  return c;
}

std::vector<float> RunGru(const mk::Microkernels& m, const GruCase& c, bool backward = false) {
  const int vec = m.vec;
  const int u = c.units;
  const size_t padded = Panels(u, vec) * vec;
  const size_t state_stride = padded + 5;
  const size_t gx_stride = padded * 3 + 1;
  const size_t cols = 3 * static_cast<size_t>(u);
  std::vector<float> w, w_h;
  if (c.reset_after) {
    w = Pack(c.w, cols, u, 3, u, vec);
  } else {
    w = Pack(c.w, cols, u, 2, u, vec);  // z | r columns
    std::vector<float> h_cols(c.w.begin() + 2 * u, c.w.end());
    w_h = Pack(h_cols, cols, u, 1, u, vec);
  }
  const std::vector<float> rb = PackBias(c.rb.data(), 3, u, vec);
  const std::vector<float> gx = InterleaveRows(c.gx, c.rows, 3, u, vec, gx_stride);
  const std::vector<float> h = StridedRows(c.h, c.rows, u, state_stride);
  std::vector<float> h_next(c.rows * state_stride, kUnset);
  std::vector<float> z_buf(c.rows * state_stride, kUnset), rh_buf(c.rows * state_stride, kUnset);
  mk::GruCellArgs a;
  a.rows = c.rows;
  a.units = u;
  a.panels = static_cast<int>(Panels(u, vec));
  a.backward = backward;
  a.reset_after = c.reset_after;
  a.w = w.data();
  a.w_h = c.reset_after ? nullptr : w_h.data();
  a.recurrent_bias = rb.data();
  a.gx = gx.data();
  a.gx_stride = gx_stride;
  a.h_prev = h.data();
  a.h_next = h_next.data();
  a.state_stride = state_stride;
  a.z_buf = z_buf.data();
  a.rh_buf = rh_buf.data();
  a.activation = c.act;
  a.recurrent_activation = c.rec_act;
  m.gru_cell(a);
  EXPECT_TRUE(RowsFinite(h_next, c.rows, padded, state_stride));
  return UnstrideRows(h_next, c.rows, u, state_stride);
}

TEST_P(Microkernel, GruCellBothResetAfterForms) {
  std::mt19937 rng(31);
  const int vec = std::max(simd().vec, ref().vec);
  for (bool reset_after : {true, false}) {
    for (int units : Sizes(vec)) {
      for (int rows = 1; rows <= 9; ++rows) {
        const GruCase c = MakeGru(rng, rows, units, reset_after);
        ASSERT_TRUE(Close(RunGru(simd(), c), RunGru(ref(), c), kCellBound, &worst_))
            << "reset_after " << reset_after << " units " << units << " rows " << rows;
      }
    }
  }
}

TEST_P(Microkernel, GruCellEveryActivation) {
  std::mt19937 rng(32);
  const int vec = simd().vec;
  for (int a = 0; a < kNumActivations; ++a) {
    for (bool reset_after : {true, false}) {
      for (int units : {vec + 1, 2 * vec - 1}) {
        GruCase c = MakeGru(rng, 3, units, reset_after);
        c.act = static_cast<Activation>(a);
        c.rec_act = static_cast<Activation>((a + 3) % kNumActivations);
        ASSERT_TRUE(Close(RunGru(simd(), c), RunGru(ref(), c), kCellBound, &worst_))
            << ActivationName(c.act) << " / " << ActivationName(c.rec_act)
            << " reset_after " << reset_after << " units " << units;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// SimpleRNN

std::vector<float> RunRnn(const mk::Microkernels& m, const std::vector<float>& w_logical,
                          const std::vector<float>& gx_logical, const std::vector<float>& h_logical,
                          int rows, int units, Activation act, bool backward = false) {
  const int vec = m.vec;
  const size_t padded = Panels(units, vec) * vec;
  const size_t state_stride = padded + 2;
  const size_t gx_stride = padded + 3;
  const std::vector<float> w = Pack(w_logical, units, units, 1, units, vec);
  const std::vector<float> gx = InterleaveRows(gx_logical, rows, 1, units, vec, gx_stride);
  const std::vector<float> h = StridedRows(h_logical, rows, units, state_stride);
  std::vector<float> h_next(rows * state_stride, kUnset);
  mk::RnnCellArgs a;
  a.rows = rows;
  a.units = units;
  a.panels = static_cast<int>(Panels(units, vec));
  a.backward = backward;
  a.w = w.data();
  a.gx = gx.data();
  a.gx_stride = gx_stride;
  a.h_prev = h.data();
  a.h_next = h_next.data();
  a.state_stride = state_stride;
  a.activation = act;
  m.rnn_cell(a);
  EXPECT_TRUE(RowsFinite(h_next, rows, padded, state_stride));
  return UnstrideRows(h_next, rows, units, state_stride);
}

TEST_P(Microkernel, RnnCellEverySizeAndActivation) {
  std::mt19937 rng(41);
  const int vec = std::max(simd().vec, ref().vec);
  for (int units : Sizes(vec)) {
    for (int rows = 1; rows <= 9; ++rows) {
      const float s = 1.0f / std::sqrt(static_cast<float>(units));
      const auto w = Uniform(rng, static_cast<size_t>(units) * units, -s, s);
      const auto gx = Uniform(rng, static_cast<size_t>(rows) * units, -1.5f, 1.5f);
      const auto h = Uniform(rng, static_cast<size_t>(rows) * units, -1.0f, 1.0f);
      // Every activation on a rotating subset of shapes, tanh (the default) on all of them.
      const Activation act = static_cast<Activation>((units * 9 + rows) % kNumActivations);
      for (Activation a : {Activation::kTanh, act}) {
        ASSERT_TRUE(Close(RunRnn(simd(), w, gx, h, rows, units, a),
                          RunRnn(ref(), w, gx, h, rows, units, a), kCellBound, &worst_))
            << ActivationName(a) << " units " << units << " rows " << rows;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Panel order: the drivers flip `backward` every step (microkernels.h), so a cell must give the
// same bits whichever end it starts from, on every ISA and for every row tiling.

TEST_P(Microkernel, BackwardPanelOrderGivesTheSameBits) {
  std::mt19937 rng(51);
  const int units = 3 * simd().vec + 5;  // four unit blocks on every ISA, the last one partial
  for (const mk::Microkernels* m : {&simd(), &ref()}) {
    SCOPED_TRACE(IsaName(m->isa));
    for (int rows : {1, 2, 5}) {
      LstmCase lstm = MakeLstm(rng, rows, units, units + 2);
      EXPECT_EQ(RunLstm(*m, lstm, false, true), RunLstm(*m, lstm, false)) << "LSTM rows " << rows;
      lstm.peephole = Uniform(rng, 3 * static_cast<size_t>(units), -1.0f, 1.0f);
      lstm.clip = 0.75f;
      EXPECT_EQ(RunLstm(*m, lstm, true, true), RunLstm(*m, lstm, true))
          << "LSTM extras rows " << rows;
      for (bool reset_after : {true, false}) {
        const GruCase gru = MakeGru(rng, rows, units, reset_after);
        EXPECT_EQ(RunGru(*m, gru, true), RunGru(*m, gru))
            << "GRU reset_after " << reset_after << " rows " << rows;
      }
      const auto w = Uniform(rng, static_cast<size_t>(units) * units, -0.2f, 0.2f);
      const auto gx = Uniform(rng, static_cast<size_t>(rows) * units, -1.5f, 1.5f);
      const auto h = Uniform(rng, static_cast<size_t>(rows) * units, -1.0f, 1.0f);
      EXPECT_EQ(RunRnn(*m, w, gx, h, rows, units, Activation::kTanh, true),
                RunRnn(*m, w, gx, h, rows, units, Activation::kTanh))
          << "SimpleRNN rows " << rows;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Activations

// (atol, rtol) against the exact function, as tests/python/test_kernels_activations.py.
Bound ExactBound(Activation act) {
  switch (act) {
    case Activation::kTanh:
    case Activation::kSigmoid: return {2e-7, 0.0};
    case Activation::kHardSigmoid: return {1e-7, 0.0};
    case Activation::kRelu:
    case Activation::kLinear:
    case Activation::kRelu6:
    case Activation::kHardTanh:
    case Activation::kHardShrink: return {0.0, 0.0};
    case Activation::kLeakyRelu:
    case Activation::kSoftShrink: return {0.0, 1e-7};
    case Activation::kSparseSigmoid: return {6e-8, 0.0};
    case Activation::kSparsePlus: return {1e-7, 1e-7};
    case Activation::kElu:
    case Activation::kCelu:
    case Activation::kSoftplus:
    case Activation::kLogSigmoid:
    case Activation::kSoftsign:
    case Activation::kSilu:
    case Activation::kHardSilu:
    case Activation::kSquareplus: return {1e-7, 2e-7};
    case Activation::kSelu: return {2e-7, 2e-7};
    case Activation::kGelu:
    case Activation::kMish: return {1e-7, 3e-7};
    case Activation::kTanhShrink: return {2e-7, 2e-7};
    case Activation::kExponential: return {1.5e-45, 3e-7};
  }
  ADD_FAILURE() << "no tolerance for activation " << static_cast<int>(act);
  return {};
}

Bound SimdVsRefBound(Activation act) {
  const Bound exact = ExactBound(act);
  return {2 * exact.atol, 2 * exact.rtol};
}

std::vector<float> ActivationSweep() {
  std::vector<float> x;
  for (int i = -50000; i <= 50000; ++i) x.push_back(static_cast<float>(i * 2e-3));  // [-100, 100]
  for (int i = -10000; i <= 10000; ++i) x.push_back(static_cast<float>(i * 1e-4));  // [-1, 1]
  for (float s : {0.0f, 1e-30f, 1e-7f, 0.6249999f, 0.625f, 0.5f, 1.0f, 3.0f, 6.0f, 14.1f,
                  14.2f, 87.0f, 88.0f, 88.72283f, 88.72284f, 88.8f, 89.0f, 103.9f, 104.0f,
                  1e4f, 1.1e4f, 1e19f, 3.4e38f, FLT_MAX, FLT_MIN, 1e-40f}) {
    x.push_back(s);
    x.push_back(-s);
  }
  return x;
}

TEST_P(Microkernel, ActivationEveryKindOnASweep) {
  const std::vector<float> x = ActivationSweep();
  for (int a = 0; a < kNumActivations; ++a) {
    const Activation act = static_cast<Activation>(a);
    std::vector<float> got(x.size(), kUnset), want(x.size(), kUnset);
    simd().activation(act, x.data(), got.data(), x.size());
    ref().activation(act, x.data(), want.data(), x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_FALSE(std::isnan(got[i])) << ActivationName(act) << " at x = " << x[i];
    }
    WorstCase worst;
    EXPECT_TRUE(Close(got, want, SimdVsRefBound(act), &worst)) << ActivationName(act);
    std::printf("[ WORST    ] %s %s: max |simd - ref| / bound = %.3f\n", IsaName(GetParam()),
                ActivationName(act), worst.ratio);
  }
}

TEST_P(Microkernel, ActivationTailsOffsetsAndInPlace) {
  std::mt19937 rng(51);
  const int vec = simd().vec;
  for (int a = 0; a < kNumActivations; ++a) {
    const Activation act = static_cast<Activation>(a);
    for (int n = 0; n <= 3 * vec + 1; ++n) {
      for (int offset : {0, 1, 3}) {  // unaligned starts
        std::vector<float> x = Uniform(rng, n + offset, -6.0f, 6.0f);
        std::vector<float> got(n + offset, kUnset), want(n, kUnset);
        simd().activation(act, x.data() + offset, got.data() + offset, n);
        ref().activation(act, x.data() + offset, want.data(), n);
        for (int i = 0; i < offset; ++i) EXPECT_TRUE(std::isnan(got[i])) << "wrote before y";
        const std::vector<float> body(got.begin() + offset, got.end());
        EXPECT_TRUE(Close(body, want, SimdVsRefBound(act), &worst_))
            << ActivationName(act) << " n " << n << " offset " << offset;
        // In place (x == y) gives the same values as out of place.
        simd().activation(act, x.data() + offset, x.data() + offset, n);
        EXPECT_EQ(std::vector<float>(x.begin() + offset, x.end()), body)
            << ActivationName(act) << " in place, n " << n;
      }
    }
  }
}

std::string IsaParamName(const ::testing::TestParamInfo<Isa>& info) {
  return IsaName(info.param);
}

std::vector<Isa> TestedSimdIsas() {
  std::vector<Isa> isas;
  for (Isa isa : kSimdIsas) {
    if (IsaAvailable(isa)) isas.push_back(isa);
  }
  return isas;
}

INSTANTIATE_TEST_SUITE_P(Simd, Microkernel, ::testing::ValuesIn(TestedSimdIsas()), IsaParamName);
// A ref-only build or CPU (armv7 without NEON) has nothing to compare; IsaCoverage still runs.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Microkernel);

}  // namespace
}  // namespace tflite_rnn_ops
