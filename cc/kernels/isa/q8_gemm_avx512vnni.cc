#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_gemm_simd.h"
#include "cc/kernels/isa/q8_leaves.h"
#include "cc/kernels/isa/vec_avx512.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_avx512 == Q8Avx512Vnni::kKGroup &&
                  kQ8ActBytes_avx512 == Q8Avx512Vnni::kActBytes,
              "the int8 layout in the Microkernels table must be the one this leaf reads");
static_assert(kVec_avx512 % Q8Avx512Vnni::kCols == 0, "a panel must be whole accumulators");

// Q8Avx512 with vpdpwssd in place of vpmaddwd + vpaddd; the same template instantiation
// otherwise. Compiled here but NOT executed on the development machine (AMD Zen 3 has no
// AVX-512): dispatch.cc selects it only when CPUID reports AVX512F, AVX512BW and AVX512_VNNI,
// and q8_leaves_test.cc then compares it with ref bit for bit.
void q8_gemm_avx512vnni(const Q8GemmArgs& args) { Q8GemmSimd<Q8Avx512Vnni>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
