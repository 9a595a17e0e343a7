// 8-lane float vector wrapper for the shared SIMD templates (vec_math.h, *_simd.h), and the
// int8 dot-product primitives of q8_gemm_simd.h. Include only from files compiled with -mavx2
// -mfma -mf16c (every AVX2 CPU has F16C; dispatch.cc checks it). Everything has internal
// linkage so the AVX2 code generated here can never be linked into a baseline caller.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX2_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX2_H_

#if !defined(__AVX2__) || !defined(__FMA__) || !defined(__F16C__)
#error "vec_avx2.h needs -mavx2 -mfma -mf16c"
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tflite_rnn_ops {
namespace mk {
namespace {

struct VecAvx2 {
  using T = __m256;
  static constexpr int kWidth = 8;
  static constexpr int kRegs = 16;

  static T Load(const float* p) { return _mm256_loadu_ps(p); }
  // 8 binary16 values, widened exactly (F16C).
  static T LoadHalf(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static void Store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static T Set1(float x) { return _mm256_set1_ps(x); }
  static T Zero() { return _mm256_setzero_ps(); }
  static T Add(T a, T b) { return _mm256_add_ps(a, b); }
  static T Sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static T Mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static T Div(T a, T b) { return _mm256_div_ps(a, b); }
  static T Recip(T x) { return Div(Set1(1.0f), x); }
  // minps/maxps return their second operand when either is NaN: with `a` second, a NaN in a
  // (the data; b is a clamp constant) propagates, as std::min(a, b) / std::max(a, b) do.
  static T Min(T a, T b) { return _mm256_min_ps(b, a); }
  static T Max(T a, T b) { return _mm256_max_ps(b, a); }
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
  // The float whose exponent field holds the low 9 bits of x's bits (see VExpParts).
  static T ShiftIntoExponent(T x) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(x), 23));
  }
  // a < b ? if_less : otherwise
  static T SelectLess(T a, T b, T if_less, T otherwise) {
    return _mm256_blendv_ps(otherwise, if_less, _mm256_cmp_ps(a, b, _CMP_LT_OQ));
  }
};

// int8 x int8 -> int32 for q8_gemm_simd.h, k group 2 (layout [kb][c][2]) with int16
// activations: the 16 weight bytes of 8 columns are sign-extended to int16 and vpmaddwd multiplies
// each (k, k+1) pair by the broadcast activation pair and adds the two products into an int32
// lane. Exact (unlike vpmaddubsw, which saturates int16 sums), one group per step.
struct Q8Avx2 {
  using Acc = __m256i;
  using A = __m256i;
  using Wv = __m256i;
  static constexpr int kCols = 8;
  static constexpr int kKGroup = 2;
  static constexpr int kStepGroups = 1;
  static constexpr int kActBytes = 2;
  static constexpr int kRegs = 16;
  using ActElem = int16_t;
  static constexpr int kQuantizeWidth = 8;

  // max |x[0:k]|, NaN if any element is NaN (maxps alone would drop NaNs: it returns its
  // second operand when either is unordered).
  static float MaxAbs(const float* x, int k) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    __m256 nan = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= k; i += 8) {
      const __m256 v = _mm256_loadu_ps(x + i);
      m = _mm256_max_ps(_mm256_andnot_ps(sign, v), m);
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    }
    bool any_nan = _mm256_movemask_ps(nan) != 0;
    float lanes[8];
    _mm256_storeu_ps(lanes, m);
    float best = 0.0f;
    for (float v : lanes) best = v > best ? v : best;
    for (; i < k; ++i) {
      const float a = x[i] < 0.0f ? -x[i] : x[i];
      any_nan = any_nan || a != a;
      best = a > best ? a : best;
    }
    return any_nan ? __builtin_nanf("") : best;
  }
  // clamp(rint(x[0:8] * inv), -127, 127) as 8 int16 (cvtps rounds to nearest even).
  static __m128i QuantizeToInt16(const float* x, float inv) {
    __m256 y = _mm256_mul_ps(_mm256_loadu_ps(x), _mm256_set1_ps(inv));
    y = _mm256_min_ps(_mm256_max_ps(y, _mm256_set1_ps(-127.0f)), _mm256_set1_ps(127.0f));
    const __m256i i32 = _mm256_cvtps_epi32(y);
    return _mm_packs_epi32(_mm256_castsi256_si128(i32), _mm256_extracti128_si256(i32, 1));
  }
  static void QuantizeChunk(const float* x, float inv, int16_t* q) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), QuantizeToInt16(x, inv));
  }

  static Acc Zero() { return _mm256_setzero_si256(); }
  static A LoadA(const char* row, int kb) {
    int32_t pair;
    std::memcpy(&pair, row + kb * 4, sizeof(pair));
    return _mm256_set1_epi32(pair);
  }
  static A LoadATail(const char* row, int kb) { return LoadA(row, kb); }
  static Wv LoadW(const int8_t* w, size_t /*group_bytes*/) {
    return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)));
  }
  static Wv LoadWTail(const int8_t* w) { return LoadW(w, 0); }
  static Acc Madd(Acc acc, A a, Wv w) { return _mm256_add_epi32(_mm256_madd_epi16(w, a), acc); }
  // bias + float(acc) * (row_scale * w_scales), the ref's operations in the ref's order.
  static void Store(float* out, const float* bias, Acc acc, float row_scale,
                    const float* w_scales) {
    const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(row_scale), _mm256_loadu_ps(w_scales));
    __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), scale);
    if (bias != nullptr) v = _mm256_add_ps(_mm256_loadu_ps(bias), v);
    _mm256_storeu_ps(out, v);
  }
};

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX2_H_
