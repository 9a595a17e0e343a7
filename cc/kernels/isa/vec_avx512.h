// 16-lane float vector wrapper for the shared SIMD templates; AVX-512F only (no DQ/VL needed),
// and the int8 primitives of quantize_rows_simd.h / q8_gemm_simd.h: activation quantization is
// AVX-512F too, the int16 multiply-add needs AVX512BW (files built with -mavx512bw, selected by
// dispatch.cc only when CPUID has it) and the int8 one AVX512_VNNI (q8_gemm_avx512vnni.cc).
// Include only from files compiled with -mavx512f. Internal linkage, see vec_avx2.h.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX512_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX512_H_

#if !defined(__AVX512F__)
#error "vec_avx512.h needs -mavx512f"
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tflite_rnn_ops {
namespace mk {
namespace {

struct VecAvx512 {
  using T = __m512;
  static constexpr int kWidth = 16;
  static constexpr int kRegs = 32;

  static T Load(const float* p) { return _mm512_loadu_ps(p); }
  // 16 binary16 values, widened exactly (vcvtph2ps zmm is AVX-512F).
  static T LoadHalf(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static void Store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static T Set1(float x) { return _mm512_set1_ps(x); }
  static T Zero() { return _mm512_setzero_ps(); }
  static T Add(T a, T b) { return _mm512_add_ps(a, b); }
  static T Sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static T Mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static T Div(T a, T b) { return _mm512_div_ps(a, b); }
  // 1/x from vrcp14ps and one Newton step, within about an ulp (the activation bounds of
  // microkernels_test and test_kernels_activations.py hold): vdivps zmm is the slowest
  // instruction of the gate math, and every sigmoid and tanh needs one (LSTM/GRU 256: ~2 % of
  // a step).
  static T Recip(T x) {
    const T r = _mm512_rcp14_ps(x);
    return _mm512_fmadd_ps(r, _mm512_fnmadd_ps(r, x, _mm512_set1_ps(1.0f)), r);
  }
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
  // The float whose exponent field holds the low 9 bits of x's bits (see VExpParts).
  static T ShiftIntoExponent(T x) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(x), 23));
  }
  static T SelectLess(T a, T b, T if_less, T otherwise) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), otherwise, if_less);
  }
};

// Activation rows for the int16-activation leaves (k group 2, the layout of Q8Avx2): 16 floats
// a chunk, AVX-512F only, so the avx512 entry can use it whichever int8 leaf it picks.
struct Q8Avx512Quantize {
  static constexpr int kKGroup = 2;
  static constexpr int kActBytes = 2;
  using ActElem = int16_t;
  static constexpr int kQuantizeWidth = 16;

  // max |x[0:k]|, NaN if any element is NaN (vmaxps drops an unordered first operand).
  static float MaxAbs(const float* x, int k) {
    const __m512i magnitude = _mm512_set1_epi32(0x7fffffff);
    __m512 m = _mm512_setzero_ps();
    __mmask16 nan = 0;
    int i = 0;
    for (; i + 16 <= k; i += 16) {
      const __m512 v = _mm512_loadu_ps(x + i);
      const __m512 a = _mm512_castsi512_ps(_mm512_and_epi32(_mm512_castps_si512(v), magnitude));
      m = _mm512_max_ps(a, m);
      nan = static_cast<__mmask16>(nan | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q));
    }
    bool any_nan = nan != 0;
    float lanes[16];
    _mm512_storeu_ps(lanes, m);
    float best = 0.0f;
    for (float v : lanes) best = v > best ? v : best;
    for (; i < k; ++i) {
      const float a = x[i] < 0.0f ? -x[i] : x[i];
      any_nan = any_nan || a != a;
      best = a > best ? a : best;
    }
    return any_nan ? __builtin_nanf("") : best;
  }
  // q[0:16] = clamp(rint(x * inv), -127, 127) as int16 (cvtps rounds to nearest even; the
  // clamped values fit int16, so vpmovdw's truncation is exact).
  static void QuantizeChunk(const float* x, float inv, int16_t* q) {
    __m512 y = _mm512_mul_ps(_mm512_loadu_ps(x), _mm512_set1_ps(inv));
    y = _mm512_min_ps(_mm512_max_ps(y, _mm512_set1_ps(-127.0f)), _mm512_set1_ps(127.0f));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q),
                        _mm512_cvtepi32_epi16(_mm512_cvtps_epi32(y)));
  }
};

#if defined(__AVX512BW__)
// int8 x int8 -> int32 for q8_gemm_simd.h: Q8Avx2 on 16 columns. The 32 weight bytes of 16
// columns (k group 2) are sign-extended to int16 and vpmaddwd zmm multiplies each (k, k+1) pair
// by the broadcast int16 activation pair, adding both products into one int32 lane. Exact.
struct Q8Avx512 : Q8Avx512Quantize {
  using Acc = __m512i;
  using A = __m512i;
  using Wv = __m512i;
  static constexpr int kCols = 16;
  static constexpr int kStepGroups = 1;
  static constexpr int kRegs = 32;

  static Acc Zero() { return _mm512_setzero_si512(); }
  static A LoadA(const char* row, int kb) {
    int32_t pair;
    std::memcpy(&pair, row + kb * 4, sizeof(pair));
    return _mm512_set1_epi32(pair);
  }
  static A LoadATail(const char* row, int kb) { return LoadA(row, kb); }
  static Wv LoadW(const int8_t* w, size_t /*group_bytes*/) {
    return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
  }
  static Wv LoadWTail(const int8_t* w) { return LoadW(w, 0); }
  static Acc Madd(Acc acc, A a, Wv w) { return _mm512_add_epi32(acc, _mm512_madd_epi16(w, a)); }
  // bias + float(acc) * (row_scale * w_scales), the ref's operations in the ref's order.
  static void Store(float* out, const float* bias, Acc acc, float row_scale,
                    const float* w_scales) {
    const __m512 scale = _mm512_mul_ps(_mm512_set1_ps(row_scale), _mm512_loadu_ps(w_scales));
    __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
    if (bias != nullptr) v = _mm512_add_ps(_mm512_loadu_ps(bias), v);
    _mm512_storeu_ps(out, v);
  }
};
#endif  // __AVX512BW__

#if defined(__AVX512BW__) && defined(__AVX512VNNI__)
// int8 x int8 -> int32 with vpdpbusd zmm, on the k group 4 layout and int8 activation rows of
// the avx2sign leaf (the sign trick of vec_avx2sign.h, on 16 columns): vpdpbusd multiplies
// unsigned by signed bytes, so each weight takes its activation's sign (a masked subtract from
// zero; EVEX has no vpsignb) and the activation enters as |h|. Each int32 lane adds its 4
// products, not saturating (|h| * |w| <= 127 * 127): 64 multiply-adds in two instructions where
// Q8Avx512 needs two for 32, and every bit equals ref's. No zero-point offset, so the weights
// need no column sums and the epilogue is Q8Avx512's.
struct Q8Avx512Vnni : Q8Avx512 {
  struct A {
    __m512i mag;   // |h| of the row's 4 activations, in every int32 lane
    __mmask64 neg; // the bytes whose activation is negative
  };
  static constexpr int kKGroup = 4;
  static constexpr int kActBytes = 1;
  using ActElem = int8_t;
  // An A is one zmm (its mask lives in a k register) and Madd needs one temporary.
  static constexpr int kRegs = 30;

  static A LoadA(const char* row, int kb) {
    int32_t quad;
    std::memcpy(&quad, row + kb * 4, sizeof(quad));
    const __m512i h = _mm512_set1_epi32(quad);
    return {_mm512_abs_epi8(h), _mm512_movepi8_mask(h)};
  }
  static A LoadATail(const char* row, int kb) { return LoadA(row, kb); }
  static Wv LoadW(const int8_t* w, size_t /*group_bytes*/) { return _mm512_loadu_si512(w); }
  static Wv LoadWTail(const int8_t* w) { return LoadW(w, 0); }
  static Acc Madd(Acc acc, A a, Wv w) {
    const __m512i signed_w = _mm512_mask_sub_epi8(w, a.neg, _mm512_setzero_si512(), w);
    return _mm512_dpbusd_epi32(acc, a.mag, signed_w);
  }
};
#endif  // __AVX512VNNI__

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX512_H_
