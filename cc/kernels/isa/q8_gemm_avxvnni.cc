#include <immintrin.h>

#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_gemm_simd.h"
#include "cc/kernels/isa/q8_leaves.h"
#include "cc/kernels/isa/vec_avx2.h"

#if !defined(__AVXVNNI__)
#error "q8_gemm_avxvnni.cc needs -mavxvnni"
#endif

namespace tflite_rnn_ops {
namespace mk {
namespace {

// Q8Avx2 with the multiply-add fused: VEX vpdpwssd ymm (AVX-VNNI: Alder Lake, Zen 5) adds the
// two int16 products of each pair into the int32 lane, not saturating, so it equals vpmaddwd +
// vpaddd exactly.
struct Q8AvxVnni : Q8Avx2 {
  static Acc Madd(Acc acc, A a, Wv w) { return _mm256_dpwssd_avx_epi32(acc, w, a); }
};

}  // namespace

static_assert(kQ8KGroup_avx2 == Q8AvxVnni::kKGroup && kQ8ActBytes_avx2 == Q8AvxVnni::kActBytes,
              "the int8 layout in the Microkernels table must be the one this leaf reads");

// Compiled here but NOT executed on the development machine (AMD Zen 3 has no AVX-VNNI):
// dispatch.cc selects it only when CPUID leaf 7 subleaf 1 reports AVX-VNNI, and
// q8_leaves_test.cc then compares it with ref bit for bit.
void q8_gemm_avxvnni(const Q8GemmArgs& args) { Q8GemmSimd<Q8AvxVnni>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
