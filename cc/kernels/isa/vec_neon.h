// NEON float vector wrapper for the shared SIMD templates (vec_math.h, *_simd.h): aarch64
// (Advanced SIMD, always with FMA) and armv7-a with NEON + VFPv4 (-mfpu=neon-vfpv4).
// Include only from the *_neon.cc files. Internal linkage throughout, see vec_avx2.h.
//
// Width: aarch64 has 32 q registers, so a vector is a pair of float32x4_t, giving 16 eight-lane
// vectors, the register geometry the templates' tiles are tuned for (as AVX2); armv7 has 16 q
// registers, so a vector is one float32x4_t: the same 16 vectors at four lanes.
// kVec_neon (microkernels.h) follows the same split, so the packed layout matches kWidth.
//
// armv7 differences, all kept within the 1e-5 parity bound (tests/native/microkernels_test.cc):
//  * no vector divide: reciprocal estimate, two Newton steps and one FMA residual correction,
//    within 1 ulp of a/b (mostly exact); DivQ handles huge, infinite and zero operands;
//  * no vector sqrt: per-lane VFP sqrt (only squareplus uses it), so results equal std::sqrt;
//  * no vrndnq: round-to-nearest-even by adding and subtracting 2^23 (RoundNearestQ);
//  * NEON arithmetic on armv7 always flushes subnormal inputs and results to zero (it ignores
//    FPSCR.FZ), while the scalar ref path keeps them. Only results below FLT_MIN (1.2e-38) in
//    magnitude can differ, by less than FLT_MIN. AArch64 NEON honours FPCR.FZ, which Linux and
//    Android leave off, so there the results keep their subnormals like ref.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_NEON_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_NEON_H_

#if !defined(__ARM_NEON) || !defined(__ARM_FEATURE_FMA)
#error "vec_neon.h needs NEON with FMA: aarch64, or armv7-a with -mfpu=neon-vfpv4"
#endif

#include <arm_neon.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "cc/kernels/isa/quantize_scalar.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

inline float32x4_t DivQ(float32x4_t a, float32x4_t b) {
#if defined(__aarch64__)
  return vdivq_f32(a, b);
#else
  // 1/b would be subnormal, and so flushed to 0, for |b| >= 2^126: scale such divisors (and a)
  // by 1/4 first, exactly (a result under FLT_MIN is flushed either way).
  const float32x4_t scale = vbslq_f32(vcageq_f32(b, vdupq_n_f32(0x1p126f)), vdupq_n_f32(0.25f),
                                      vdupq_n_f32(1.0f));
  a = vmulq_f32(a, scale);
  b = vmulq_f32(b, scale);
  // 1/b from the 8-bit estimate: each Newton step r *= (2 - b r) doubles the correct bits.
  float32x4_t r = vrecpeq_f32(b);
  r = vmulq_f32(r, vrecpsq_f32(b, r));
  r = vmulq_f32(r, vrecpsq_f32(b, r));
  // q0 = a r is within ~2 ulp; the FMA residual a - q0 b is exact, one more step rounds q.
  const float32x4_t q0 = vmulq_f32(a, r);
  const float32x4_t q1 = vfmaq_f32(q0, vfmsq_f32(a, q0, b), r);
  // q1 is NaN only when q0 is already the answer and the residual is inf - inf or 0 * inf:
  // a/inf = +-0, a/0 = +-inf, inf/b and overflow = +-inf (and NaN when q0 is NaN too).
  return vbslq_f32(vceqq_f32(q1, q1), q1, q0);
#endif
}

inline float32x4_t SqrtQ(float32x4_t x) {
#if defined(__aarch64__)
  return vsqrtq_f32(x);
#else
  float lanes[4];
  vst1q_f32(lanes, x);
  for (float& v : lanes) v = std::sqrt(v);
  return vld1q_f32(lanes);
#endif
}

inline float32x4_t RoundNearestQ(float32x4_t x) {
#if defined(__aarch64__)
  return vrndnq_f32(x);
#else
  // For |x| < 2^23, |x| + 2^23 lies in [2^23, 2^24) where the float spacing is 1, so the add
  // rounds |x| to an integer, ties to even (armv7 NEON always rounds to nearest); subtracting
  // 2^23 again is exact. Larger floats are integers already. The sign is x's (keeps -0).
  const float32x4_t two23 = vdupq_n_f32(8388608.0f);
  const float32x4_t ax = vabsq_f32(x);
  const float32x4_t rounded = vsubq_f32(vaddq_f32(ax, two23), two23);
  const float32x4_t with_sign = vbslq_f32(vdupq_n_u32(0x80000000u), x, rounded);
  return vbslq_f32(vcltq_f32(ax, two23), with_sign, x);
#endif
}

// 2^n for integral n in [-126, 127], built in the exponent field (n integral, so the
// truncating conversion is exact).
inline float32x4_t Pow2Q(float32x4_t n) {
  const int32x4_t e = vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127));
  return vreinterpretq_f32_s32(vshlq_n_s32(e, 23));
}

inline float32x4_t OrSignQ(float32x4_t mag, float32x4_t sign) {
  const uint32x4_t s = vandq_u32(vreinterpretq_u32_f32(sign), vdupq_n_u32(0x80000000u));
  return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(mag), s));
}

// One q register per vector: armv7's VecNeon, and the halves of aarch64's.
struct VecNeonQ {
  using T = float32x4_t;
  static constexpr int kWidth = 4;
  static constexpr int kRegs = 16;  // armv7's q registers

  static T Load(const float* p) { return vld1q_f32(p); }
  // 4 binary16 values, widened exactly (armv7: VFPv4's half-precision conversion).
  static T LoadHalf(const uint16_t* p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
  static void Store(float* p, T v) { vst1q_f32(p, v); }
  static T Set1(float x) { return vdupq_n_f32(x); }
  static T Zero() { return vdupq_n_f32(0.0f); }
  static T Add(T a, T b) { return vaddq_f32(a, b); }
  static T Sub(T a, T b) { return vsubq_f32(a, b); }
  static T Mul(T a, T b) { return vmulq_f32(a, b); }
  static T Div(T a, T b) { return DivQ(a, b); }
  static T Recip(T x) { return Div(Set1(1.0f), x); }
  static T Min(T a, T b) { return vminq_f32(a, b); }
  static T Max(T a, T b) { return vmaxq_f32(a, b); }
  static T Sqrt(T x) { return SqrtQ(x); }
  static T Fma(T a, T b, T c) { return vfmaq_f32(c, a, b); }   // a*b + c
  static T Fnma(T a, T b, T c) { return vfmsq_f32(c, a, b); }  // c - a*b
  static T Abs(T x) { return vabsq_f32(x); }
  // |mag| with the sign bit of `sign`; mag must be non-negative.
  static T OrSign(T mag, T sign) { return OrSignQ(mag, sign); }
  static T RoundNearest(T x) { return RoundNearestQ(x); }
  static T Pow2(T n) { return Pow2Q(n); }
  // The float whose exponent field holds the low 9 bits of x's bits (see VExpParts).
  static T ShiftIntoExponent(T x) {
    return vreinterpretq_f32_s32(vshlq_n_s32(vreinterpretq_s32_f32(x), 23));
  }
  // a < b ? if_less : otherwise
  static T SelectLess(T a, T b, T if_less, T otherwise) {
    return vbslq_f32(vcltq_f32(a, b), if_less, otherwise);
  }
};

#if defined(__aarch64__)
// Two q registers per vector, as the ACLE register-pair type: GCC 12 keeps tiles of it in
// registers better than a struct of two halves (about 40% fewer stack loads/stores in gemm).
struct VecNeonPair {
  using Q = VecNeonQ;
  using T = float32x4x2_t;
  static constexpr int kWidth = 8;
  static constexpr int kRegs = 16;  // 8-lane vectors in aarch64's 32 q registers

  static T Load(const float* p) { return {{Q::Load(p), Q::Load(p + 4)}}; }
  static T LoadHalf(const uint16_t* p) { return {{Q::LoadHalf(p), Q::LoadHalf(p + 4)}}; }
  static void Store(float* p, T v) {
    Q::Store(p, v.val[0]);
    Q::Store(p + 4, v.val[1]);
  }
  static T Set1(float x) { return {{Q::Set1(x), Q::Set1(x)}}; }
  static T Zero() { return {{Q::Zero(), Q::Zero()}}; }
  static T Add(T a, T b) { return {{Q::Add(a.val[0], b.val[0]), Q::Add(a.val[1], b.val[1])}}; }
  static T Sub(T a, T b) { return {{Q::Sub(a.val[0], b.val[0]), Q::Sub(a.val[1], b.val[1])}}; }
  static T Mul(T a, T b) { return {{Q::Mul(a.val[0], b.val[0]), Q::Mul(a.val[1], b.val[1])}}; }
  static T Div(T a, T b) { return {{Q::Div(a.val[0], b.val[0]), Q::Div(a.val[1], b.val[1])}}; }
  static T Recip(T x) { return {{Q::Recip(x.val[0]), Q::Recip(x.val[1])}}; }
  static T Min(T a, T b) { return {{Q::Min(a.val[0], b.val[0]), Q::Min(a.val[1], b.val[1])}}; }
  static T Max(T a, T b) { return {{Q::Max(a.val[0], b.val[0]), Q::Max(a.val[1], b.val[1])}}; }
  static T Sqrt(T x) { return {{Q::Sqrt(x.val[0]), Q::Sqrt(x.val[1])}}; }
  static T Fma(T a, T b, T c) { return {{Q::Fma(a.val[0], b.val[0], c.val[0]), Q::Fma(a.val[1], b.val[1], c.val[1])}}; }
  static T Fnma(T a, T b, T c) {
    return {{Q::Fnma(a.val[0], b.val[0], c.val[0]), Q::Fnma(a.val[1], b.val[1], c.val[1])}};
  }
  static T Abs(T x) { return {{Q::Abs(x.val[0]), Q::Abs(x.val[1])}}; }
  static T OrSign(T mag, T sign) {
    return {{Q::OrSign(mag.val[0], sign.val[0]), Q::OrSign(mag.val[1], sign.val[1])}};
  }
  static T RoundNearest(T x) { return {{Q::RoundNearest(x.val[0]), Q::RoundNearest(x.val[1])}}; }
  static T Pow2(T n) { return {{Q::Pow2(n.val[0]), Q::Pow2(n.val[1])}}; }
  static T ShiftIntoExponent(T x) {
    return {{Q::ShiftIntoExponent(x.val[0]), Q::ShiftIntoExponent(x.val[1])}};
  }
  static T SelectLess(T a, T b, T if_less, T otherwise) {
    return {{Q::SelectLess(a.val[0], b.val[0], if_less.val[0], otherwise.val[0]),
             Q::SelectLess(a.val[1], b.val[1], if_less.val[1], otherwise.val[1])}};
  }
};
using VecNeon = VecNeonPair;
#else
using VecNeon = VecNeonQ;
#endif

// int8 x int8 -> int32 for q8_gemm_simd.h, k group 2 (layout [kb][c][2]) with int8
// activations, two groups a step: vmull_s8 multiplies the 8 weight bytes of 4 columns by the
// activation pair repeated, vmlal_s8 adds the next group's products into the same int16 lanes
// (|sum| <= 2 * 127 * 127 = 32258 fits int16 since both sides stay within +-127), and vpadal
// adds each column's two lanes into its int32 accumulator. Exact; an sdot leaf (k group 4)
// replaces it on ARMv8.2 cores.
struct Q8Neon {
  struct A {
    int8x8_t a0, a1;
  };
  struct Wv {
    int8x8_t w0, w1;
  };
  using Acc = int32x4_t;
  using ActElem = int8_t;
  static constexpr int kCols = 4;
  static constexpr int kKGroup = 2;
  static constexpr int kStepGroups = 2;
  static constexpr int kActBytes = 1;
#if defined(__aarch64__)
  static constexpr int kRegs = 32;
  static constexpr int kQuantizeWidth = 8;
#else
  static constexpr int kRegs = 16;
  static constexpr int kQuantizeWidth = 4;
#endif

  static int8x8_t Pair(const char* row, int kb) {
    int16_t pair;
    std::memcpy(&pair, row + kb * 2, sizeof(pair));
    return vreinterpret_s8_s16(vdup_n_s16(pair));
  }
  static Acc Zero() { return vdupq_n_s32(0); }
  static A LoadA(const char* row, int kb) { return {Pair(row, kb), Pair(row, kb + 1)}; }
  static A LoadATail(const char* row, int kb) { return {Pair(row, kb), vdup_n_s8(0)}; }
  static Wv LoadW(const int8_t* w, size_t group_bytes) {
    return {vld1_s8(w), vld1_s8(w + group_bytes)};
  }
  static Wv LoadWTail(const int8_t* w) { return {vld1_s8(w), vdup_n_s8(0)}; }
  static Acc Madd(Acc acc, A a, Wv w) {
    int16x8_t p = vmull_s8(w.w0, a.a0);
    p = vmlal_s8(p, w.w1, a.a1);
    return vpadalq_s16(acc, p);
  }
  // bias + float(acc) * (row_scale * w_scales), the ref's operations in the ref's order.
  static void Store(float* out, const float* bias, Acc acc, float row_scale,
                    const float* w_scales) {
    const float32x4_t scale = vmulq_f32(vdupq_n_f32(row_scale), vld1q_f32(w_scales));
    float32x4_t v = vmulq_f32(vcvtq_f32_s32(acc), scale);
    if (bias != nullptr) v = vaddq_f32(vld1q_f32(bias), v);
    vst1q_f32(out, v);
  }

  // max |x[0:k]|, NaN if any element is NaN.
  static float MaxAbs(const float* x, int k) {
#if defined(__aarch64__)
    float32x4_t m = vdupq_n_f32(0.0f);
    int i = 0;
    for (; i + 4 <= k; i += 4) m = vmaxq_f32(m, vabsq_f32(vld1q_f32(x + i)));  // NaN sticks
    float best = vmaxvq_f32(m);  // FMAXV propagates NaN too
    if (best != best) return best;
    for (; i < k; ++i) {
      const float v = std::fabs(x[i]);
      if (v != v) return v;
      best = v > best ? v : best;
    }
    return best;
#else
    // armv7 NEON flushes subnormals: the scalar VFP keeps the exact rule.
    return MaxAbsScalar(x, k);
#endif
  }
  // q[0:kQuantizeWidth] = clamp(rint(x * inv), -127, 127) as int8.
  static void QuantizeChunk(const float* x, float inv, int8_t* q) {
#if defined(__aarch64__)
    const float32x4_t lo = vdupq_n_f32(-127.0f), hi = vdupq_n_f32(127.0f);
    const float32x4_t s = vdupq_n_f32(inv);
    const float32x4_t y0 = vminq_f32(vmaxq_f32(vmulq_f32(vld1q_f32(x), s), lo), hi);
    const float32x4_t y1 = vminq_f32(vmaxq_f32(vmulq_f32(vld1q_f32(x + 4), s), lo), hi);
    const int16x8_t i16 =
        vcombine_s16(vqmovn_s32(vcvtnq_s32_f32(y0)), vqmovn_s32(vcvtnq_s32_f32(y1)));
    vst1_s8(q, vqmovn_s16(i16));
#else
    for (int i = 0; i < kQuantizeWidth; ++i) {
      q[i] = static_cast<int8_t>(QuantizeElement(x[i], inv));
    }
#endif
  }
};

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_NEON_H_
