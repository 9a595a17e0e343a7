// 8-lane float vector wrapper for the shared SIMD templates (vec_math.h, *_simd.h).
// Include only from files compiled with -mavx2 -mfma. Everything has internal linkage so the
// AVX2 code generated here can never be linked into a baseline caller.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX2_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX2_H_

#if !defined(__AVX2__) || !defined(__FMA__)
#error "vec_avx2.h needs -mavx2 -mfma"
#endif

#include <immintrin.h>

namespace tflite_rnn_ops {
namespace mk {
namespace {

struct VecAvx2 {
  using T = __m256;
  static constexpr int kWidth = 8;
  static constexpr int kRegs = 16;

  static T Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static T Set1(float x) { return _mm256_set1_ps(x); }
  static T Zero() { return _mm256_setzero_ps(); }
  static T Add(T a, T b) { return _mm256_add_ps(a, b); }
  static T Sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static T Mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static T Div(T a, T b) { return _mm256_div_ps(a, b); }
  static T Min(T a, T b) { return _mm256_min_ps(a, b); }
  static T Max(T a, T b) { return _mm256_max_ps(a, b); }
  static T Sqrt(T x) { return _mm256_sqrt_ps(x); }
  static T Fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }    // a*b + c
  static T Fnma(T a, T b, T c) { return _mm256_fnmadd_ps(a, b, c); }  // c - a*b
  static T Abs(T x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
  // |mag| with the sign bit of `sign`; mag must be non-negative.
  static T OrSign(T mag, T sign) {
    return _mm256_or_ps(mag, _mm256_and_ps(sign, _mm256_set1_ps(-0.0f)));
  }
  static T RoundNearest(T x) {
    return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // 2^n for integral n in [-126, 127], built directly in the exponent field.
  static T Pow2(T n) {
    const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
  }
  // a < b ? if_less : otherwise
  static T SelectLess(T a, T b, T if_less, T otherwise) {
    return _mm256_blendv_ps(otherwise, if_less, _mm256_cmp_ps(a, b, _CMP_LT_OQ));
  }
};

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX2_H_
