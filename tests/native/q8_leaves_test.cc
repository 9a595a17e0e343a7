// The int8 leaves that share an ISA's table entry (dispatch.h, Q8Leaf): the dispatcher picks
// exactly the best one the CPU has (features read here independently of dispatch.cc), and every
// leaf this CPU runs gives ref's bits for quantize_rows and q8_gemm, whichever one the table
// chose (quantized_kernels_test.cc covers the chosen one and the drivers on top of it).
//
// Leaves the CPU lacks are skipped, by name: on an AVX2-only CPU (AMD Zen 3) the avx512,
// avx512vnni and avxvnni leaves are compiled but never run; a Sapphire Rapids runs all seven;
// under qemu-aarch64 -cpu max both neon and neondot run, under -cpu cortex-a53 only neon.
//
// Tolerance: exact. The int32 sums do not depend on the instruction or the order, the rounding
// of the activations is the scheme's, and the epilogue is built without FP contraction.
#include <gtest/gtest.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cc/kernels/dispatch.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/pack.h"

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1UL << 20)
#endif
#endif

namespace tflite_rnn_ops {
namespace {

using mk::Q8Leaf;

struct IsaLeaf {
  Isa isa;
  Q8Leaf leaf;
};

// Every leaf a SIMD entry of this architecture can take, best first per ISA (the order
// dispatch.h documents).
const std::vector<IsaLeaf>& AllPairs() {
  static const std::vector<IsaLeaf> pairs = {
#if defined(__x86_64__)
      {Isa::kAvx2, Q8Leaf::kAvxVnni},     {Isa::kAvx2, Q8Leaf::kAvx2Sign},
      {Isa::kAvx2, Q8Leaf::kAvx2},        {Isa::kAvx512, Q8Leaf::kAvx512Vnni},
      {Isa::kAvx512, Q8Leaf::kAvx512},    {Isa::kAvx512, Q8Leaf::kAvx2Sign},
      {Isa::kAvx512, Q8Leaf::kAvx2},
#elif defined(__aarch64__)
      {Isa::kNeon, Q8Leaf::kNeonDot},     {Isa::kNeon, Q8Leaf::kNeon},
#elif defined(__arm__)
      {Isa::kNeon, Q8Leaf::kNeon},
#endif
  };
  return pairs;
}

// The CPU's dot-product features, found independently of dispatch.cc.
bool CpuRuns(Q8Leaf leaf) {
  switch (leaf) {
    case Q8Leaf::kRef:
      return true;
#if defined(__x86_64__) && defined(__GNUC__)
    case Q8Leaf::kAvx2:
    case Q8Leaf::kAvx2Sign:
      return IsaAvailable(Isa::kAvx2);
    case Q8Leaf::kAvxVnni: {
      // CPUID.(7,1):EAX bit 4; clang 14's __builtin_cpu_supports has no "avxvnni".
      unsigned a = 0, b = 0, c = 0, d = 0;
      if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || a < 1) return false;
      __cpuid_count(7, 1, a, b, c, d);
      return IsaAvailable(Isa::kAvx2) && ((a >> 4) & 1) != 0;
    }
    case Q8Leaf::kAvx512:
      __builtin_cpu_init();
      return IsaAvailable(Isa::kAvx512) && __builtin_cpu_supports("avx512bw");
    case Q8Leaf::kAvx512Vnni:
      __builtin_cpu_init();
      return CpuRuns(Q8Leaf::kAvx512) && __builtin_cpu_supports("avx512vnni");
#endif
    case Q8Leaf::kNeon:
      return IsaAvailable(Isa::kNeon);
#if defined(__aarch64__) && defined(__linux__)
    case Q8Leaf::kNeonDot:
      return IsaAvailable(Isa::kNeon) && (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
    default:
      return false;
  }
}

std::string PairName(const IsaLeaf& p) {
  return std::string(IsaName(p.isa)) + "_" + mk::Q8LeafName(p.leaf);
}

bool Listed(const std::vector<Q8Leaf>& leaves, Q8Leaf leaf) {
  return std::find(leaves.begin(), leaves.end(), leaf) != leaves.end();
}

class LeafReport : public ::testing::Environment {
 public:
  void SetUp() override {
    std::string line;
    for (Isa isa : {Isa::kRef, Isa::kAvx2, Isa::kAvx512, Isa::kNeon}) {
      if (!IsaAvailable(isa)) continue;
      line += std::string(line.empty() ? "" : ", ") + IsaName(isa) + " -> " +
              mk::Q8LeafName(mk::ActiveQ8Leaf(isa));
    }
    std::printf("[ Q8 LEAF  ] int8 leaf per available ISA: %s\n", line.c_str());
  }
};
const auto* const kLeafReport = ::testing::AddGlobalTestEnvironment(new LeafReport);

TEST(Q8LeafDispatch, EachEntryUsesTheBestLeafTheCpuHas) {
  EXPECT_EQ(mk::Q8LeavesFor(Isa::kRef), std::vector<Q8Leaf>{Q8Leaf::kRef});
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512, Isa::kNeon}) {
    SCOPED_TRACE(IsaName(isa));
    const std::vector<Q8Leaf> leaves = mk::Q8LeavesFor(isa);
    if (!IsaAvailable(isa)) {
      EXPECT_TRUE(leaves.empty());
      continue;
    }
    Q8Leaf want = Q8Leaf::kRef;
    bool found = false;
    for (const IsaLeaf& p : AllPairs()) {
      if (p.isa != isa) continue;
      EXPECT_EQ(Listed(leaves, p.leaf), CpuRuns(p.leaf))
          << mk::Q8LeafName(p.leaf) << ": the CPU " << (CpuRuns(p.leaf) ? "has" : "lacks")
          << " it" << (CpuRuns(p.leaf) ? " (is it missing from this build?)" : "");
      if (!found && CpuRuns(p.leaf)) want = p.leaf, found = true;
    }
    ASSERT_TRUE(found);
    EXPECT_EQ(mk::Q8LeafName(mk::ActiveQ8Leaf(isa)), std::string(mk::Q8LeafName(want)));
    const mk::Microkernels& table = mk::MicrokernelsFor(isa);
    const mk::Microkernels chosen = mk::MicrokernelsWithQ8Leaf(isa, want);
    EXPECT_EQ(table.q8_gemm, chosen.q8_gemm);
    EXPECT_EQ(table.quantize_rows, chosen.quantize_rows);
    EXPECT_EQ(table.q8_k_group, chosen.q8_k_group);
    EXPECT_EQ(table.q8_act_bytes, chosen.q8_act_bytes);
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
// Without AVX-VNNI the avx2 entry takes the vpsignb leaf: k group 4 and int8 activation rows.
TEST(Q8LeafDispatch, Avx2TakesSignLeafWithoutAvxVnni) {
  if (!IsaAvailable(Isa::kAvx2)) GTEST_SKIP() << "no AVX2";
  if (CpuRuns(Q8Leaf::kAvxVnni)) GTEST_SKIP() << "AVX-VNNI: its leaf comes first";
  EXPECT_EQ(mk::ActiveQ8Leaf(Isa::kAvx2), Q8Leaf::kAvx2Sign);
  EXPECT_EQ(mk::MicrokernelsFor(Isa::kAvx2).q8_k_group, 4);
  EXPECT_EQ(mk::MicrokernelsFor(Isa::kAvx2).q8_act_bytes, 1);
  const mk::Microkernels plain = mk::MicrokernelsWithQ8Leaf(Isa::kAvx2, Q8Leaf::kAvx2);
  EXPECT_EQ(plain.q8_k_group, 2);
  EXPECT_EQ(plain.q8_act_bytes, 2);
}
#endif

#if defined(__aarch64__) && defined(__linux__)
// The sdot leaf reads a k group of 4 with int8 activations; the plain NEON one pairs (2).
TEST(Q8LeafDispatch, NeonTakesSdotExactlyWhenHwcapHasAsimddp) {
  const bool dotprod = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
  std::printf("[ Q8 LEAF  ] HWCAP_ASIMDDP %s\n", dotprod ? "set" : "clear");
  ASSERT_TRUE(IsaAvailable(Isa::kNeon));
  EXPECT_EQ(mk::ActiveQ8Leaf(Isa::kNeon), dotprod ? Q8Leaf::kNeonDot : Q8Leaf::kNeon);
  EXPECT_EQ(mk::MicrokernelsFor(Isa::kNeon).q8_k_group, dotprod ? 4 : 2);
  EXPECT_EQ(mk::MicrokernelsFor(Isa::kNeon).q8_act_bytes, 1);
}
#endif

// ---------------------------------------------------------------------------------------------
// Every runnable leaf against ref.

class Q8LeafVsRef : public ::testing::TestWithParam<IsaLeaf> {
 protected:
  void SetUp() override {
    if (!Listed(mk::Q8LeavesFor(GetParam().isa), GetParam().leaf)) {
      GTEST_SKIP() << PairName(GetParam()) << ": not in this build or not run by this CPU";
    }
  }
  mk::Microkernels leaf() const { return mk::MicrokernelsWithQ8Leaf(GetParam().isa, GetParam().leaf); }
  static const mk::Microkernels& ref() { return mk::MicrokernelsFor(Isa::kRef); }
};

size_t PaddedDepth(const mk::Microkernels& k, int depth) {
  return static_cast<size_t>(depth + k.q8_k_group - 1) / k.q8_k_group * k.q8_k_group;
}

// Quantized rows widened to int (row-major, `depth` per row, padding checked to be zero), and
// their scales as bit patterns (NaN rows compare too).
struct Rows {
  std::vector<int> q;
  std::vector<uint32_t> scale_bits;
  bool padding_zero = true;
};

Rows QuantizeWith(const mk::Microkernels& k, const std::vector<float>& x, int rows, int depth,
                  std::vector<int16_t>* raw = nullptr, std::vector<float>* scales = nullptr) {
  const size_t stride = PaddedDepth(k, depth);
  std::vector<int16_t> buffer(rows * stride + 8, 0x5a5a);  // int16 covers both element widths
  std::vector<float> s(rows, -1.0f);
  mk::QuantizeRowsArgs a;
  a.rows = rows, a.k = depth, a.x = x.data(), a.x_stride = depth;
  a.q = buffer.data(), a.q_stride = stride, a.scales = s.data();
  k.quantize_rows(a);
  Rows out;
  for (int r = 0; r < rows; ++r) {
    for (size_t i = 0; i < stride; ++i) {
      const size_t at = r * stride + i;
      const int v = k.q8_act_bytes == 1 ? reinterpret_cast<const int8_t*>(buffer.data())[at]
                                        : buffer[at];
      if (i < static_cast<size_t>(depth)) {
        out.q.push_back(v);
      } else if (v != 0) {
        out.padding_zero = false;
      }
    }
    uint32_t bits;
    std::memcpy(&bits, &s[r], sizeof(bits));
    out.scale_bits.push_back(bits);
  }
  if (raw != nullptr) *raw = std::move(buffer);
  if (scales != nullptr) *scales = std::move(s);
  return out;
}

TEST_P(Q8LeafVsRef, QuantizeRowsEqualsRef) {
  std::mt19937 rng(21);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (int depth : {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 64, 67, 100}) {
    for (int rows = 1; rows <= 6; ++rows) {
      SCOPED_TRACE("depth " + std::to_string(depth) + " rows " + std::to_string(rows));
      std::vector<float> x(rows * depth);
      for (float& v : x) v = dist(rng) * (rows % 2 ? 1.0f : 300.0f);
      if (rows >= 3) x[2 * depth + depth / 2] = std::numeric_limits<float>::quiet_NaN();
      if (rows >= 4) std::fill(x.begin() + 3 * depth, x.begin() + 4 * depth, 0.0f);
      if (rows >= 5) x[4 * depth] = -std::numeric_limits<float>::infinity();
      const Rows want = QuantizeWith(ref(), x, rows, depth);
      const Rows got = QuantizeWith(leaf(), x, rows, depth);
      EXPECT_TRUE(got.padding_zero);
      EXPECT_EQ(got.scale_bits, want.scale_bits);
      ASSERT_EQ(got.q, want.q);
    }
  }
}

struct Shape {
  int rows, k, gates, units;
};

// Logical [rows][gates*units] outputs of q8_gemm through table k, as bit patterns.
std::vector<uint32_t> GemmWith(const mk::Microkernels& k, const Shape& s,
                               const std::vector<float>& x, const std::vector<int8_t>& w,
                               const std::vector<float>& col_scales,
                               const std::vector<float>& bias, bool with_bias,
                               bool backward = false) {
  const int cols = s.gates * s.units;
  const int up = PadUnits(s.units, k.vec);
  std::vector<int8_t> packed(PackedInt8Size(s.k, s.gates, s.units, k.vec, k.q8_k_group), 77);
  std::vector<float> packed_scales(PackedGateSize(1, s.gates, s.units, k.vec));
  PackInt8Panels(w.data(), col_scales.data(), cols, s.k, s.gates, s.units, k.vec, k.q8_k_group,
                 packed.data(), packed_scales.data());
  std::vector<float> packed_bias(packed_scales.size());
  PackGateBias(bias.data(), s.gates, s.units, k.vec, packed_bias.data());
  std::vector<int16_t> q;
  std::vector<float> row_scales;
  QuantizeWith(k, x, s.rows, s.k, &q, &row_scales);
  std::vector<float> out(s.rows * s.gates * up, -3.0f);
  mk::Q8GemmArgs g;
  g.rows = s.rows, g.k = s.k, g.panels = up / k.vec, g.panel_cols = s.gates * k.vec;
  g.backward = backward;
  g.a = q.data(), g.a_stride = PaddedDepth(k, s.k), g.a_scales = row_scales.data();
  g.w = packed.data(), g.w_scales = packed_scales.data();
  g.bias = with_bias ? packed_bias.data() : nullptr;
  g.out = out.data(), g.out_stride = s.gates * up;
  k.q8_gemm(g);
  std::vector<uint32_t> logical;
  for (int r = 0; r < s.rows; ++r) {
    for (int gate = 0; gate < s.gates; ++gate) {
      for (int u = 0; u < s.units; ++u) {
        const float v = out[r * s.gates * up + (u / k.vec) * s.gates * k.vec + gate * k.vec +
                            u % k.vec];
        uint32_t bits;
        std::memcpy(&bits, &v, sizeof(bits));
        logical.push_back(bits);
      }
    }
  }
  return logical;
}

TEST_P(Q8LeafVsRef, GemmEqualsRefBitForBit) {
  std::mt19937 rng(23);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::uniform_int_distribution<int> qd(-127, 127);
  std::vector<Shape> shapes;
  for (int units : {1, 5, 8, 16, 17, 40}) {
    for (int k : {1, 2, 3, 4, 5, 6, 7, 9, 16, 33, 130}) {
      for (int gates : {1, 2, 3, 4}) shapes.push_back({1 + (units + k + gates) % 7, k, gates, units});
    }
  }
  for (int rows = 1; rows <= 9; ++rows) shapes.push_back({rows, 21, 4, 19});
  for (const Shape& s : shapes) {
    SCOPED_TRACE("rows " + std::to_string(s.rows) + " k " + std::to_string(s.k) + " gates " +
                 std::to_string(s.gates) + " units " + std::to_string(s.units));
    const int cols = s.gates * s.units;
    std::vector<float> x, scales, bias;
    std::vector<int8_t> w;
    for (int i = 0; i < s.rows * s.k; ++i) x.push_back(u(rng));
    for (int i = 0; i < s.k * cols; ++i) w.push_back(static_cast<int8_t>(qd(rng)));
    for (int i = 0; i < cols; ++i) scales.push_back(0.002f + 0.01f * (u(rng) + 1.0f));
    for (int i = 0; i < cols; ++i) bias.push_back(u(rng));
    for (int i = 0; i < s.k; ++i) w[i * cols] = -127;  // a column of extremes
    x[0] = -1.5f;                                       // row 0 quantizes to -127 there
    for (bool with_bias : {true, false}) {
      const std::vector<uint32_t> want = GemmWith(ref(), s, x, w, scales, bias, with_bias);
      ASSERT_EQ(GemmWith(leaf(), s, x, w, scales, bias, with_bias), want)
          << (with_bias ? "with bias" : "without bias");
      // The drivers flip the panel order every step (microkernels.h): the same bits.
      ASSERT_EQ(GemmWith(leaf(), s, x, w, scales, bias, with_bias, true), want)
          << "panels last to first, " << (with_bias ? "with bias" : "without bias");
    }
  }
}

// Every operand at +-127 with the weight signs following (or opposing) the activation signs, so
// each 4-k group sums to +-4 * 127 * 127 and each of its pairs to +-32258: the largest sums an
// int16 pair product (vpmaddubsw, vpmaddwd) or an int32 lane can meet.
TEST_P(Q8LeafVsRef, SaturatingOperandsEqualRef) {
  std::mt19937 rng(29);
  std::bernoulli_distribution coin(0.5);
  for (int k : {1, 2, 3, 4, 5, 7, 8, 9, 33, 130, 1000}) {
    for (int rows : {1, 2, 3, 5, 9}) {
      const Shape s{rows, k, 4, 19};
      SCOPED_TRACE("rows " + std::to_string(rows) + " k " + std::to_string(k));
      const int cols = s.gates * s.units;
      std::vector<float> x(rows * k);
      for (float& v : x) v = coin(rng) ? 1.0f : -1.0f;  // every element quantizes to +-127
      std::vector<int8_t> w(k * cols);
      for (int i = 0; i < k; ++i) {
        for (int c = 0; c < cols; ++c) {
          // Column c % 3 == 0 follows row 0's signs, 1 opposes them, 2 is random.
          const int8_t along = x[i] > 0.0f ? 127 : -127;
          w[i * cols + c] = c % 3 == 0   ? along
                            : c % 3 == 1 ? static_cast<int8_t>(-along)
                                         : (coin(rng) ? 127 : -127);
        }
      }
      const Rows q = QuantizeWith(ref(), x, rows, k);
      ASSERT_TRUE(std::all_of(q.q.begin(), q.q.end(), [](int v) { return v == 127 || v == -127; }));
      const std::vector<float> scales(cols, 1.0f), bias(cols, 0.0f);
      ASSERT_EQ(GemmWith(leaf(), s, x, w, scales, bias, false),
                GemmWith(ref(), s, x, w, scales, bias, false));
    }
  }
}

// Empty on an architecture without SIMD leaves.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Q8LeafVsRef);
INSTANTIATE_TEST_SUITE_P(Leaves, Q8LeafVsRef, ::testing::ValuesIn(AllPairs()),
                         [](const ::testing::TestParamInfo<IsaLeaf>& info) {
                           return PairName(info.param);
                         });

}  // namespace
}  // namespace tflite_rnn_ops
