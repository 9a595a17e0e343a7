#include <immintrin.h>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_gemm_simd.h"
#include "cc/kernels/isa/q8_leaves.h"
#include "cc/kernels/isa/vec_avx2sign.h"

#if !defined(__AVXVNNI__)
#error "q8_gemm_avxvnni.cc needs -mavxvnni"
#endif

namespace tflite_rnn_ops {
namespace mk {
namespace {

// Q8Avx2Sign with its three-instruction product fused: VEX vpdpbusd ymm (AVX-VNNI: Alder Lake,
// Sapphire Rapids, Zen 5) multiplies the unsigned |h| bytes by the sign-moved weight bytes and
// adds each column's 4 products into its int32 lane, not saturating (|h| * |w| <= 127 * 127), so
// it equals vpmaddubsw + vpmaddwd + vpaddd exactly. The same layout and activation rows.
struct Q8AvxVnni : Q8Avx2Sign {
  static Acc Madd(Acc acc, A a, Wv w) {
    return _mm256_dpbusd_avx_epi32(acc, a.mag, _mm256_sign_epi8(w, a.h));
  }
};

}  // namespace

static_assert(kQ8KGroup_avx2sign == Q8AvxVnni::kKGroup &&
                  kQ8ActBytes_avx2sign == Q8AvxVnni::kActBytes,
              "the int8 layout dispatch.cc advertises must be the one this leaf reads");
static_assert(kVec_avx2 % Q8AvxVnni::kCols == 0, "a panel must be whole accumulators");

// dispatch.cc selects it only when CPUID leaf 7 subleaf 1 reports AVX-VNNI; q8_leaves_test.cc
// compares it with ref bit for bit.
void q8_gemm_avxvnni(const Q8GemmArgs& args) { Q8GemmSimd<Q8AvxVnni>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
