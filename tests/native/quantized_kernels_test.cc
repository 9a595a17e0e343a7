// int8 and float16 weights: the quantize-rows rule, the q8 / f16 GEMM microkernels of every
// available ISA against ref (each ISA fed its own packed layout: vec and the int8 k group
// differ), and the sequence drivers against the float64 oracle of the scheme (support/oracle.cc)
// and across thread counts.
//
// Tolerances:
//  * quantize_rows and q8_gemm: exact. The activation rounding is part of the scheme, and the
//    int32 sums do not depend on their order, so every ISA must give ref's bits.
//  * f16_gemm: 1e-6 relative to sum_k |a_k w_k| + |bias|, as the float32 GEMM
//    (microkernels_test.cc): the same sums on exactly widened weights.
//  * Drivers vs oracle: the project's 1e-5 (kSeqAtol).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cc/kernels/dispatch.h"
#include "cc/kernels/input_projection.h"
#include "cc/kernels/isa/half_float.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/pack.h"
#include "cc/kernels/thread_pool.h"
#include "cc/kernels/weight_conversion.h"
#include "tests/native/support/cases.h"
#include "tests/native/support/expect_oracle.h"

namespace tro_test {
namespace {

namespace tro = tflite_rnn_ops;
namespace mk = tflite_rnn_ops::mk;

std::string Name(Isa isa) { return tro::IsaName(isa); }

// ---------------------------------------------------------------------------------------------
// quantize_rows

struct Quantized {
  std::vector<int> q;  // padded rows, widened to int
  std::vector<float> scales;
  size_t stride = 0;
};

Quantized Quantize(const mk::Microkernels& k, const std::vector<float>& x, int rows, int depth) {
  Quantized out;
  out.stride = (depth + k.q8_k_group - 1) / k.q8_k_group * k.q8_k_group + k.q8_k_group;
  std::vector<int16_t> buffer(rows * out.stride, 0x5a5a);  // int16 covers both widths
  out.scales.assign(rows, -1.0f);
  mk::QuantizeRowsArgs a;
  a.rows = rows;
  a.k = depth;
  a.x = x.data();
  a.x_stride = depth;
  a.q = buffer.data();
  a.q_stride = out.stride;
  a.scales = out.scales.data();
  k.quantize_rows(a);
  const size_t padded = (depth + k.q8_k_group - 1) / k.q8_k_group * k.q8_k_group;
  for (int r = 0; r < rows; ++r) {
    for (size_t i = 0; i < padded; ++i) {
      const size_t at = r * out.stride + i;
      out.q.push_back(k.q8_act_bytes == 1 ? reinterpret_cast<const int8_t*>(buffer.data())[at]
                                          : buffer[at]);
    }
  }
  return out;
}

TEST(QuantizeRows, RoundsHalfToEvenAndClampsOnEveryIsa) {
  // m = 127 gives inv = 1 exactly: x * inv is x, so the rounding of x itself is visible.
  const std::vector<float> x = {127.0f, 0.5f, 1.5f, 2.5f, -2.5f, -0.5f, 3.49f, -126.5f, 0.0f};
  const std::vector<int> want = {127, 0, 2, 2, -2, 0, 3, -126, 0};
  for (Isa isa : AvailableIsas()) {
    SCOPED_TRACE(Name(isa));
    const Quantized got = Quantize(mk::MicrokernelsFor(isa), x, 1, static_cast<int>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(got.q[i], want[i]) << "x = " << x[i];
    for (size_t i = x.size(); i < got.q.size(); ++i) EXPECT_EQ(got.q[i], 0) << "padding " << i;
    EXPECT_EQ(got.scales[0], 1.0f);
  }
}

TEST(QuantizeRows, ZeroInfNanAndTinyRows) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const int depth = 11;
  std::vector<float> x(5 * depth, 0.25f);
  for (int i = 0; i < depth; ++i) x[i] = 0.0f;              // row 0: all zero
  x[1 * depth + 7] = -inf;                                   // row 1: an infinity
  x[2 * depth + 10] = nan;                                   // row 2: NaN last
  x[3 * depth + 0] = nan;                                    // row 3: NaN first
  for (int i = 0; i < depth; ++i) x[4 * depth + i] = 1e-38f;  // row 4: 127 / m overflows
  for (Isa isa : AvailableIsas()) {
    SCOPED_TRACE(Name(isa));
    const Quantized got = Quantize(mk::MicrokernelsFor(isa), x, 5, depth);
    EXPECT_EQ(got.scales[0], 0.0f);
    EXPECT_EQ(got.scales[1], inf);
    EXPECT_TRUE(std::isnan(got.scales[2]));
    EXPECT_TRUE(std::isnan(got.scales[3]));
    EXPECT_EQ(got.scales[4], 1e-38f);
    for (int v : got.q) EXPECT_EQ(v, 0);
  }
}

TEST(QuantizeRows, EverySimdIsaEqualsRef) {
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  const mk::Microkernels& ref = mk::MicrokernelsFor(Isa::kRef);
  for (int depth : {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100}) {
    for (int rows = 1; rows <= 9; ++rows) {
      std::vector<float> x(rows * depth);
      for (float& v : x) v = dist(rng) * (1.0f + 10.0f * (rows % 3));
      const Quantized want = Quantize(ref, x, rows, depth);
      for (Isa isa : AvailableIsas()) {
        if (isa == Isa::kRef) continue;
        SCOPED_TRACE(Name(isa) + " depth " + std::to_string(depth) + " rows " +
                     std::to_string(rows));
        const Quantized got = Quantize(mk::MicrokernelsFor(isa), x, rows, depth);
        EXPECT_EQ(got.scales, want.scales);
        const size_t want_pad = want.q.size() / rows, got_pad = got.q.size() / rows;
        for (int r = 0; r < rows; ++r) {
          for (int i = 0; i < depth; ++i) {
            ASSERT_EQ(got.q[r * got_pad + i], want.q[r * want_pad + i])
                << "row " << r << " k " << i;
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// q8_gemm and f16_gemm

struct GemmShape {
  int rows, k, gates, units;
};

std::vector<GemmShape> Shapes() {
  std::vector<GemmShape> out;
  for (int units : {1, 4, 7, 8, 9, 16, 17, 33}) {
    for (int k : {1, 2, 3, 5, 8, 17, 64, 67}) {
      for (int gates : {1, 2, 3, 4}) out.push_back({1 + (units + k + gates) % 9, k, gates, units});
    }
  }
  for (int rows = 1; rows <= 9; ++rows) out.push_back({rows, 19, 4, 13});
  return out;
}

std::string ShapeName(const GemmShape& s) {
  return "rows " + std::to_string(s.rows) + " k " + std::to_string(s.k) + " gates " +
         std::to_string(s.gates) + " units " + std::to_string(s.units);
}

// Logical [rows, gates*units] out of a gate-interleaved [rows, panels*gates*vec] result.
std::vector<float> Unpack(const std::vector<float>& out, const GemmShape& s, int vec) {
  const int up = tro::PadUnits(s.units, vec);
  std::vector<float> logical;
  for (int r = 0; r < s.rows; ++r) {
    for (int g = 0; g < s.gates; ++g) {
      for (int u = 0; u < s.units; ++u) {
        logical.push_back(out[r * s.gates * up + (u / vec) * s.gates * vec + g * vec + u % vec]);
      }
    }
  }
  return logical;
}

struct Q8Data {
  std::vector<float> x, bias;
  std::vector<int8_t> w;
  std::vector<float> scales;
};

Q8Data MakeQ8(const GemmShape& s, std::mt19937& rng) {
  const int cols = s.gates * s.units;
  Q8Data d;
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::uniform_int_distribution<int> q(-127, 127);
  for (int i = 0; i < s.rows * s.k; ++i) d.x.push_back(u(rng));
  for (int i = 0; i < s.k * cols; ++i) d.w.push_back(static_cast<int8_t>(q(rng)));
  for (int i = 0; i < cols; ++i) d.scales.push_back(0.001f + 0.01f * (u(rng) + 1.0f));
  for (int i = 0; i < cols; ++i) d.bias.push_back(u(rng));
  if (s.k > 2) d.w[0] = -127, d.w[cols] = -127;  // extremes in one column
  return d;
}

std::vector<float> RunQ8(Isa isa, const GemmShape& s, const Q8Data& d, bool with_bias) {
  const mk::Microkernels& k = mk::MicrokernelsFor(isa);
  const int up = tro::PadUnits(s.units, k.vec), panels = up / k.vec;
  std::vector<int8_t> w(tro::PackedInt8Size(s.k, s.gates, s.units, k.vec, k.q8_k_group), 99);
  std::vector<float> scales(tro::PackedGateSize(1, s.gates, s.units, k.vec));
  tro::PackInt8Panels(d.w.data(), d.scales.data(), s.gates * s.units, s.k, s.gates, s.units,
                      k.vec, k.q8_k_group, w.data(), scales.data());
  std::vector<float> bias(scales.size());
  tro::PackGateBias(d.bias.data(), s.gates, s.units, k.vec, bias.data());
  const size_t stride = (s.k + k.q8_k_group - 1) / k.q8_k_group * k.q8_k_group;
  std::vector<int16_t> q(s.rows * stride);
  std::vector<float> row_scales(s.rows);
  mk::QuantizeRowsArgs qa;
  qa.rows = s.rows, qa.k = s.k, qa.x = d.x.data(), qa.x_stride = s.k;
  qa.q = q.data(), qa.q_stride = stride, qa.scales = row_scales.data();
  k.quantize_rows(qa);
  std::vector<float> out(s.rows * s.gates * up, -5.0f);
  mk::Q8GemmArgs g;
  g.rows = s.rows, g.k = s.k, g.panels = panels, g.panel_cols = s.gates * k.vec;
  g.a = q.data(), g.a_stride = stride, g.a_scales = row_scales.data();
  g.w = w.data(), g.w_scales = scales.data(), g.bias = with_bias ? bias.data() : nullptr;
  g.out = out.data(), g.out_stride = s.gates * up;
  k.q8_gemm(g);
  return Unpack(out, s, k.vec);
}

TEST(Q8Gemm, RefIsTheIntegerProductTimesBothScales) {
  std::mt19937 rng(11);
  for (const GemmShape& s : Shapes()) {
    SCOPED_TRACE(ShapeName(s));
    const Q8Data d = MakeQ8(s, rng);
    const std::vector<float> got = RunQ8(Isa::kRef, s, d, true);
    const int cols = s.gates * s.units;
    for (int r = 0; r < s.rows; ++r) {
      // The row quantized by hand (its max is never 0 here).
      float m = 0.0f;
      for (int i = 0; i < s.k; ++i) m = std::max(m, std::fabs(d.x[r * s.k + i]));
      const float inv = 127.0f / m;
      for (int c = 0; c < cols; ++c) {
        int64_t acc = 0;
        for (int i = 0; i < s.k; ++i) {
          const float y = std::fmin(std::fmax(d.x[r * s.k + i] * inv, -127.0f), 127.0f);
          acc += static_cast<int64_t>(std::nearbyint(y)) * d.w[i * cols + c];
        }
        // volatile: GCC would fuse the multiply and the add into an FMA where the target has
        // one (aarch64), which the kernels are built not to do.
        const volatile float product = static_cast<float>(acc) * ((m / 127.0f) * d.scales[c]);
        const float want = d.bias[c] + product;
        ASSERT_EQ(got[r * cols + c], want) << "row " << r << " col " << c;
      }
    }
  }
}

TEST(Q8Gemm, EverySimdIsaEqualsRefExactly) {
  std::mt19937 rng(12);
  for (const GemmShape& s : Shapes()) {
    const Q8Data d = MakeQ8(s, rng);
    for (bool with_bias : {true, false}) {
      const std::vector<float> want = RunQ8(Isa::kRef, s, d, with_bias);
      for (Isa isa : AvailableIsas()) {
        if (isa == Isa::kRef) continue;
        SCOPED_TRACE(Name(isa) + " " + ShapeName(s) + (with_bias ? " bias" : ""));
        ASSERT_EQ(RunQ8(isa, s, d, with_bias), want);
      }
    }
  }
}

// The largest |int32| sum the contract allows (k = 131072 of 127 * 127) stays exact.
TEST(Q8Gemm, SaturatedOperandsStayExact) {
  const GemmShape s{2, 4099, 1, 9};
  Q8Data d;
  d.x.assign(s.rows * s.k, -1.0f);
  for (int i = 0; i < s.k; ++i) d.x[s.k + i] = 1.0f;
  d.w.assign(s.k * s.units, -127);
  d.scales.assign(s.units, 1.0f);
  d.bias.assign(s.units, 0.0f);
  const float want = 127.0f * 127.0f * s.k / 127.0f;  // row scale 1/127
  for (Isa isa : AvailableIsas()) {
    SCOPED_TRACE(Name(isa));
    const std::vector<float> got = RunQ8(isa, s, d, false);
    for (int c = 0; c < s.units; ++c) {
      EXPECT_FLOAT_EQ(got[c], want);
      EXPECT_FLOAT_EQ(got[s.units + c], -want);
    }
  }
}

struct F16Data {
  std::vector<float> x, bias, widened;
  std::vector<uint16_t> w;
};

F16Data MakeF16(const GemmShape& s, std::mt19937& rng) {
  const int cols = s.gates * s.units;
  F16Data d;
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int i = 0; i < s.rows * s.k; ++i) d.x.push_back(u(rng));
  for (int i = 0; i < s.k * cols; ++i) {
    d.w.push_back(tro::FloatToHalf(u(rng) * (i % 5 == 0 ? 1e-5f : 1.0f)));  // some half subnormals
    d.widened.push_back(mk::HalfToFloat(d.w.back()));
  }
  for (int i = 0; i < cols; ++i) d.bias.push_back(u(rng));
  return d;
}

std::vector<float> RunF16(Isa isa, const GemmShape& s, const F16Data& d, bool with_bias,
                          bool backward = false) {
  const mk::Microkernels& k = mk::MicrokernelsFor(isa);
  const int up = tro::PadUnits(s.units, k.vec), panels = up / k.vec;
  std::vector<uint16_t> w(tro::PackedGateSize(s.k, s.gates, s.units, k.vec));
  tro::PackGateInterleavedF16(d.w.data(), s.gates * s.units, s.k, s.gates, s.units, k.vec,
                              w.data());
  std::vector<float> bias(tro::PackedGateSize(1, s.gates, s.units, k.vec));
  tro::PackGateBias(d.bias.data(), s.gates, s.units, k.vec, bias.data());
  std::vector<float> out(s.rows * s.gates * up, -5.0f);
  mk::F16GemmArgs g;
  g.rows = s.rows, g.k = s.k, g.panels = panels, g.panel_cols = s.gates * k.vec;
  g.backward = backward;
  g.a = d.x.data(), g.a_stride = s.k, g.w = w.data();
  g.bias = with_bias ? bias.data() : nullptr;
  g.out = out.data(), g.out_stride = s.gates * up;
  k.f16_gemm(g);
  return Unpack(out, s, k.vec);
}

TEST(HalfFloat, WideningIsExact) {
  EXPECT_EQ(mk::HalfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(mk::HalfToFloat(0xc000), -2.0f);
  EXPECT_EQ(mk::HalfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(mk::HalfToFloat(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(mk::HalfToFloat(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_EQ(mk::HalfToFloat(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(mk::HalfToFloat(0x7e00)));
  EXPECT_TRUE(std::signbit(mk::HalfToFloat(0x8000)));
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = mk::HalfToFloat(static_cast<uint16_t>(h));
    if (!std::isnan(f)) {
      ASSERT_EQ(tro::FloatToHalf(f), h) << "round trip of " << h;
    }
  }
}

TEST(F16Gemm, EveryIsaMatchesTheWidenedFloatProduct) {
  std::mt19937 rng(13);
  for (const GemmShape& s : Shapes()) {
    const F16Data d = MakeF16(s, rng);
    const int cols = s.gates * s.units;
    for (Isa isa : AvailableIsas()) {
      SCOPED_TRACE(Name(isa) + " " + ShapeName(s));
      for (bool with_bias : {true, false}) {
        const std::vector<float> got = RunF16(isa, s, d, with_bias);
        // The drivers flip the panel order every step (microkernels.h): the same bits.
        ASSERT_EQ(RunF16(isa, s, d, with_bias, true), got) << "panels last to first";
        for (int r = 0; r < s.rows; ++r) {
          for (int c = 0; c < cols; ++c) {
            double want = with_bias ? d.bias[c] : 0.0, magnitude = std::fabs(want);
            for (int i = 0; i < s.k; ++i) {
              const double term = static_cast<double>(d.x[r * s.k + i]) * d.widened[i * cols + c];
              want += term;
              magnitude += std::fabs(term);
            }
            ASSERT_NEAR(got[r * cols + c], want, 1e-6 * magnitude) << "row " << r << " col " << c;
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Sequence drivers

// The weights' storage, and for int8 whether the activation rows are centred (contract v4) or
// quantized as they are (v3, TFLite's hybrid scheme).
struct Storage {
  WeightType weights;
  bool centre_rows;
  bool widen_float16;
};

class QuantizedDrivers : public testing::TestWithParam<Storage> {
 protected:
  CellSpec Spec(Cell cell) const {
    CellSpec s;
    s.cell = cell;
    s.weights = GetParam().weights;
    s.centre_rows = GetParam().centre_rows;
    s.widen_float16 = GetParam().widen_float16;
    s.with_state = true;
    s.units = 11;  // not a multiple of any vec
    s.input = 7;   // nor of any k group
    return s;
  }
};

TEST_P(QuantizedDrivers, Lstm) {
  CellSpec s = Spec(Cell::kLstm);
  ExpectMatchesOracle(MakeCase(s, 101));
  s.steps = Steps::kMask;
  s.go_backwards = true;
  ExpectMatchesOracle(MakeCase(s, 102));
  s.steps = Steps::kLengths;
  s.time_major = true;
  s.return_sequences = false;
  ExpectMatchesOracle(MakeCase(s, 103));
}

TEST_P(QuantizedDrivers, InputProjectedInChunks) {
  for (Cell cell : {Cell::kLstm, Cell::kGru, Cell::kRnn}) {
    CellSpec s = Spec(cell);
    s.time = 2 * tflite_rnn_ops::ChunkedProjection::kChunkSteps + 3;
    ExpectMatchesOracle(MakeCase(s, 130));
    s.go_backwards = true;
    s.batch = 2;
    ExpectMatchesOracle(MakeCase(s, 131));
  }
}

TEST_P(QuantizedDrivers, LstmTf1Extras) {
  CellSpec s = Spec(Cell::kLstm);
  s.peepholes = true;
  s.cell_clip = 0.5f;
  ExpectMatchesOracle(MakeCase(s, 104));
  s.num_proj = 5;
  s.proj_clip = 0.4f;
  s.steps = Steps::kMask;
  ExpectMatchesOracle(MakeCase(s, 105));
  s.peepholes = false;
  s.cell_clip = 0.0f;
  s.num_proj = 9;
  s.steps = Steps::kLengths;
  ExpectMatchesOracle(MakeCase(s, 106));
}

TEST_P(QuantizedDrivers, GruBothForms) {
  CellSpec s = Spec(Cell::kGru);
  for (bool reset_after : {true, false}) {
    SCOPED_TRACE(reset_after ? "reset_after" : "reset_before");
    s.reset_after = reset_after;
    s.steps = Steps::kAll;
    ExpectMatchesOracle(MakeCase(s, 107));
    s.steps = Steps::kMask;
    s.zero_output_for_mask = true;
    ExpectMatchesOracle(MakeCase(s, 108));
    s.steps = Steps::kLengths;
    s.go_backwards = true;
    ExpectMatchesOracle(MakeCase(s, 109));
    s.go_backwards = false;
    s.zero_output_for_mask = false;
  }
}

TEST_P(QuantizedDrivers, SimpleRnn) {
  CellSpec s = Spec(Cell::kRnn);
  ExpectMatchesOracle(MakeCase(s, 110));
  s.steps = Steps::kMask;
  s.with_bias = false;
  ExpectMatchesOracle(MakeCase(s, 111));
}

TEST_P(QuantizedDrivers, Bidirectional) {
  for (Cell cell : {Cell::kLstm, Cell::kGru, Cell::kRnn}) {
    SCOPED_TRACE(CellName(cell));
    CellSpec s = Spec(cell);
    s.steps = Steps::kMask;
    ExpectBidirectionalMatchesOracle(MakeCase(s, 112), true);
    ExpectBidirectionalMatchesOracle(MakeCase(s, 113), false);
  }
}

TEST_P(QuantizedDrivers, LargerUnitsAndBatch) {
  for (Cell cell : {Cell::kLstm, Cell::kGru, Cell::kRnn}) {
    SCOPED_TRACE(CellName(cell));
    CellSpec s = Spec(cell);
    s.units = 37;
    s.input = 19;
    s.batch = 9;
    s.time = 5;
    s.reset_after = false;
    ExpectMatchesOracle(MakeCase(s, 114));
  }
}

// Run allocates nothing (the quantized rows and products live in Reserve's scratch).
TEST_P(QuantizedDrivers, RunAllocatesNothing) {
  for (Cell cell : {Cell::kLstm, Cell::kGru, Cell::kRnn}) {
    CellSpec s = Spec(cell);
    s.num_proj = cell == Cell::kLstm ? 4 : 0;
    s.reset_after = false;
    for (Isa isa : AvailableIsas()) {
      size_t allocations = 1;
      RunCell(isa, MakeCase(s, 115), 2, &allocations);
      EXPECT_EQ(allocations, 0u) << CellName(cell) << " " << Name(isa);
    }
  }
}

// Splitting by unit blocks never changes a sum: any thread count gives the same bits.
TEST_P(QuantizedDrivers, ThreadsAreBitIdentical) {
  tro::ThreadPool pool(3);
  for (Cell cell : {Cell::kLstm, Cell::kGru, Cell::kRnn}) {
    for (bool variant : {false, true}) {
      CellSpec s = Spec(cell);
      s.units = 45;
      s.batch = 4;
      s.reset_after = !variant;
      s.num_proj = cell == Cell::kLstm && variant ? 6 : 0;
      s.steps = Steps::kMask;
      const Case c = MakeCase(s, 116);
      for (Isa isa : AvailableIsas()) {
        SCOPED_TRACE(CellName(cell) + " " + Name(isa) + (variant ? " variant" : ""));
        const Result one = RunCell(isa, c);
        const Result three = RunCell(isa, c, 0, nullptr, &pool);
        EXPECT_EQ(0, std::memcmp(one.output.data(), three.output.data(),
                                 one.output.size() * sizeof(float)));
        EXPECT_EQ(one.h, three.h);
        EXPECT_EQ(one.c, three.c);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Weights, QuantizedDrivers,
                         testing::Values(Storage{WeightType::kInt8, false, true},
                                         Storage{WeightType::kInt8, true, true},
                                         Storage{WeightType::kFloat16, false, false},
                                         Storage{WeightType::kFloat16, false, true}),
                         [](const testing::TestParamInfo<Storage>& info) {
                           if (info.param.weights == WeightType::kFloat16) {
                             return info.param.widen_float16 ? "float16_widened" : "float16";
                           }
                           return info.param.centre_rows ? "int8_centred" : "int8";
                         });

TEST(Float16Widening, OnlyFloat16WeightsThatFitTheBudgetAreWidened) {
  using tflite_rnn_ops::PackedStorage;
  EXPECT_EQ(PackedStorage(WeightType::kFloat16, 1024, 1024), WeightType::kFloat32);
  EXPECT_EQ(PackedStorage(WeightType::kFloat16, 1025, 1024), WeightType::kFloat16);
  EXPECT_EQ(PackedStorage(WeightType::kFloat16, 1, 0), WeightType::kFloat16);
  EXPECT_EQ(PackedStorage(WeightType::kInt8, 1, 1024), WeightType::kInt8);
  EXPECT_EQ(PackedStorage(WeightType::kFloat32, 1 << 30, 0), WeightType::kFloat32);
  EXPECT_GT(tflite_rnn_ops::Float16WidenBytes(), 0u);
}

// Widening is exact, so a widened float16 kernel is the float32 kernel on the float16 values,
// bit for bit, on every ISA and every cell form.
TEST(Float16Widening, WidenedFloat16RunsAreTheFloat32KernelBitForBit) {
  for (Cell cell : {Cell::kLstm, Cell::kGru, Cell::kRnn}) {
    for (bool reset_after : {true, false}) {
      if (cell != Cell::kGru && !reset_after) continue;
      CellSpec s;
      s.cell = cell;
      s.reset_after = reset_after;
      s.units = 11;
      s.input = 7;
      s.with_state = true;
      s.steps = Steps::kMask;
      s.weights = WeightType::kFloat16;
      const Case half = MakeCase(s, 140);
      // The same case in float32, its weights the float16 values (Case keeps them widened).
      Case wide = half;
      wide.spec.weights = WeightType::kFloat32;
      for (Isa isa : AvailableIsas()) {
        SCOPED_TRACE(CellName(cell) + (reset_after ? "" : " reset_before") + " " +
                     tflite_rnn_ops::IsaName(isa));
        const Result a = RunCell(isa, half);
        const Result b = RunCell(isa, wide);
        EXPECT_EQ(0, std::memcmp(a.output.data(), b.output.data(),
                                 a.output.size() * sizeof(float)));
        EXPECT_EQ(a.h, b.h);
        EXPECT_EQ(a.c, b.c);
      }
    }
  }
}

}  // namespace
}  // namespace tro_test
