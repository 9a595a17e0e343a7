// int8 dot-product primitives of q8_gemm_simd.h for plain AVX2 with int8 activations, k group
// 4 (the sdot layout [kb][c][4]): vpsignb moves each activation's sign onto its weights, so
// vpmaddubsw can multiply |h| (unsigned) by the signed weights. Include only from files
// compiled with -mavx2 -mfma -mf16c; internal linkage, see vec_avx2.h.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX2SIGN_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX2SIGN_H_

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "cc/kernels/isa/vec_avx2.h"

namespace tflite_rnn_ops {
namespace mk {
namespace {

// Per step, one row's 4 activations (broadcast as an int32) meet the 32 weight bytes of 8
// columns x 4 k: 32 multiply-adds in vpsignb + vpmaddubsw + vpmaddwd + vpaddd, where Q8Avx2
// needs vpmovsxbw + vpmaddwd + vpaddd for 16. Exact: h*w = |h| * (w * sign(h)), and with |h|,
// |w| <= 127 a vpmaddubsw pair sum is at most 2 * 127 * 127 = 32258, so its int16 saturation
// never acts; vpmaddwd by ones then adds the two pairs of each column into its int32 lane at
// once (two pair sums could overflow int16). The row scale, max |x| and epilogue are Q8Avx2's.
struct Q8Avx2Sign : Q8Avx2 {
  struct A {
    __m256i h;    // the 4 activations, in every int32 lane
    __m256i mag;  // |h|, taken once per step for all the columns
  };
  using Wv = __m256i;
  static constexpr int kKGroup = 4;
  static constexpr int kStepGroups = 1;
  static constexpr int kActBytes = 1;
  using ActElem = int8_t;
  // q8_gemm_simd.h sizes the row tile as if an activation took one register: an A here takes
  // two and Madd two temporaries, so 13 keeps every tile (1..8 accumulators per row) in the 16
  // ymm registers without spills.
  static constexpr int kRegs = 13;

  // Q8Avx2's int16 rounding, narrowed to int8 (exact: the values are within +-127).
  static void QuantizeChunk(const float* x, float inv, int8_t* q) {
    const __m128i i16 = QuantizeToInt16(x, inv);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q), _mm_packs_epi16(i16, i16));
  }

  static A LoadA(const char* row, int kb) {
    int32_t quad;
    std::memcpy(&quad, row + kb * 4, sizeof(quad));
    const __m256i h = _mm256_set1_epi32(quad);
    return {h, _mm256_abs_epi8(h)};
  }
  static A LoadATail(const char* row, int kb) { return LoadA(row, kb); }
  static Wv LoadW(const int8_t* w, size_t /*group_bytes*/) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
  }
  static Wv LoadWTail(const int8_t* w) { return LoadW(w, 0); }
  static Acc Madd(Acc acc, A a, Wv w) {
    const __m256i pairs = _mm256_maddubs_epi16(a.mag, _mm256_sign_epi8(w, a.h));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
  }
};

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_AVX2SIGN_H_
