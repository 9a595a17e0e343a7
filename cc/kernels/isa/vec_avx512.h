// 16-lane float vector wrapper for the shared SIMD templates; AVX-512F only (no DQ/VL needed).
// Include only from files compiled with -mavx512f. Internal linkage, see vec_avx2.h.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX512_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX512_H_

#if !defined(__AVX512F__)
#error "vec_avx512.h needs -mavx512f"
#endif

#include <immintrin.h>

namespace tflite_rnn_ops {
namespace mk {
namespace {

struct VecAvx512 {
  using T = __m512;
  static constexpr int kWidth = 16;
  static constexpr int kRegs = 32;

  static T Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static T Set1(float x) { return _mm512_set1_ps(x); }
  static T Zero() { return _mm512_setzero_ps(); }
  static T Add(T a, T b) { return _mm512_add_ps(a, b); }
  static T Sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static T Mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static T Div(T a, T b) { return _mm512_div_ps(a, b); }
  // minps/maxps return their second operand when either is NaN: with `a` second, a NaN in a
  // (the data; b is a clamp constant) propagates, as std::min(a, b) / std::max(a, b) do.
  static T Min(T a, T b) { return _mm512_min_ps(b, a); }
  static T Max(T a, T b) { return _mm512_max_ps(b, a); }
  static T Sqrt(T x) { return _mm512_sqrt_ps(x); }
  static T Fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T Fnma(T a, T b, T c) { return _mm512_fnmadd_ps(a, b, c); }
  // Float and/or are AVX512DQ; the integer forms are plain AVX512F.
  static T Abs(T x) {
    return _mm512_castsi512_ps(
        _mm512_and_epi32(_mm512_castps_si512(x), _mm512_set1_epi32(0x7fffffff)));
  }
  static T OrSign(T mag, T sign) {
    const __m512i sign_bit = _mm512_set1_epi32(static_cast<int>(0x80000000u));
    const __m512i s = _mm512_and_epi32(_mm512_castps_si512(sign), sign_bit);
    return _mm512_castsi512_ps(_mm512_or_epi32(_mm512_castps_si512(mag), s));
  }
  static T RoundNearest(T x) {
    return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static T Pow2(T n) {
    const __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
  }
  static T SelectLess(T a, T b, T if_less, T otherwise) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), otherwise, if_less);
  }
};

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX512_H_
