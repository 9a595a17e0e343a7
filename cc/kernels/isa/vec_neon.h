// NEON float vector wrapper for the shared SIMD templates (vec_math.h, *_simd.h): aarch64
// (Advanced SIMD, always with FMA) and armv7-a with NEON + VFPv4 (-mfpu=neon-vfpv4).
// Include only from the *_neon.cc files. Internal linkage throughout, see vec_avx2.h.
//
// Width: one vector is N float32x4_t registers handled together. aarch64 has 32 q registers,
// so N = 2 gives 16 eight-lane vectors, the register geometry the templates' tiles are tuned
// for (as AVX2); armv7 has 16 q registers, so N = 1 gives the same 16 vectors at four lanes.
// kVec_neon (microkernels.h) follows the same split, so the packed layout matches kWidth.
//
// armv7 differences, all kept within the 1e-5 parity bound (tests/native/microkernels_test.cc):
//  * no vector divide: reciprocal estimate, two Newton steps and one FMA residual correction,
//    which is within 1 ulp of a/b (often exact); see DivQ for the infinite/zero operands;
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

namespace tflite_rnn_ops {
namespace mk {
namespace {

#if defined(__aarch64__)
constexpr int kNeonQRegsPerVec = 2;
#else
constexpr int kNeonQRegsPerVec = 1;
#endif

inline float32x4_t DivQ(float32x4_t a, float32x4_t b) {
#if defined(__aarch64__)
  return vdivq_f32(a, b);
#else
  // 1/b from the 8-bit estimate: each Newton step r *= (2 - b r) doubles the correct bits.
  float32x4_t r = vrecpeq_f32(b);
  r = vmulq_f32(r, vrecpsq_f32(b, r));
  r = vmulq_f32(r, vrecpsq_f32(b, r));
  // q0 = a r is within ~2 ulp; the FMA residual a - q0 b is exact, one more step rounds q.
  const float32x4_t q0 = vmulq_f32(a, r);
  const float32x4_t e = vfmsq_f32(a, q0, b);
  const float32x4_t q1 = vfmaq_f32(q0, e, r);
  // The residual is NaN only for an infinite or zero divisor (q0 * b = 0 * inf or inf * 0);
  // q0 is then already the right answer: a/inf = +-0, a/0 = +-inf.
  return vbslq_f32(vceqq_f32(e, e), q1, q0);
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

template <int N>
struct VecNeonN {
  struct T {
    float32x4_t q[N];
  };
  static constexpr int kWidth = 4 * N;
  static constexpr int kRegs = 16;  // vectors of kWidth lanes the register file holds

  template <class F>
  static T Map(F f, T a) {
    T r;
    for (int i = 0; i < N; ++i) r.q[i] = f(a.q[i]);
    return r;
  }
  template <class F>
  static T Map(F f, T a, T b) {
    T r;
    for (int i = 0; i < N; ++i) r.q[i] = f(a.q[i], b.q[i]);
    return r;
  }
  template <class F>
  static T Map(F f, T a, T b, T c) {
    T r;
    for (int i = 0; i < N; ++i) r.q[i] = f(a.q[i], b.q[i], c.q[i]);
    return r;
  }

  static T Load(const float* p) {
    T r;
    for (int i = 0; i < N; ++i) r.q[i] = vld1q_f32(p + 4 * i);
    return r;
  }
  static void Store(float* p, T v) {
    for (int i = 0; i < N; ++i) vst1q_f32(p + 4 * i, v.q[i]);
  }
  static T Set1(float x) {
    T r;
    for (int i = 0; i < N; ++i) r.q[i] = vdupq_n_f32(x);
    return r;
  }
  static T Zero() { return Set1(0.0f); }
  static T Add(T a, T b) {
    return Map([](float32x4_t x, float32x4_t y) { return vaddq_f32(x, y); }, a, b);
  }
  static T Sub(T a, T b) {
    return Map([](float32x4_t x, float32x4_t y) { return vsubq_f32(x, y); }, a, b);
  }
  static T Mul(T a, T b) {
    return Map([](float32x4_t x, float32x4_t y) { return vmulq_f32(x, y); }, a, b);
  }
  static T Div(T a, T b) { return Map(DivQ, a, b); }
  static T Min(T a, T b) {
    return Map([](float32x4_t x, float32x4_t y) { return vminq_f32(x, y); }, a, b);
  }
  static T Max(T a, T b) {
    return Map([](float32x4_t x, float32x4_t y) { return vmaxq_f32(x, y); }, a, b);
  }
  static T Sqrt(T x) { return Map(SqrtQ, x); }
  // a*b + c and c - a*b, one rounding each.
  static T Fma(T a, T b, T c) {
    return Map([](float32x4_t x, float32x4_t y, float32x4_t z) { return vfmaq_f32(z, x, y); },
               a, b, c);
  }
  static T Fnma(T a, T b, T c) {
    return Map([](float32x4_t x, float32x4_t y, float32x4_t z) { return vfmsq_f32(z, x, y); },
               a, b, c);
  }
  static T Abs(T x) { return Map([](float32x4_t v) { return vabsq_f32(v); }, x); }
  // |mag| with the sign bit of `sign`; mag must be non-negative.
  static T OrSign(T mag, T sign) { return Map(OrSignQ, mag, sign); }
  static T RoundNearest(T x) { return Map(RoundNearestQ, x); }
  static T Pow2(T n) { return Map(Pow2Q, n); }
  // a < b ? if_less : otherwise
  static T SelectLess(T a, T b, T if_less, T otherwise) {
    T r;
    for (int i = 0; i < N; ++i) {
      r.q[i] = vbslq_f32(vcltq_f32(a.q[i], b.q[i]), if_less.q[i], otherwise.q[i]);
    }
    return r;
  }
};

using VecNeon = VecNeonN<kNeonQRegsPerVec>;

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_NEON_H_
