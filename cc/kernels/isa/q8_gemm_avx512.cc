#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_gemm_simd.h"
#include "cc/kernels/isa/vec_avx512.h"

#if !defined(__AVX512BW__)
#error "q8_gemm_avx512.cc needs -mavx512bw"
#endif

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_avx512 == Q8Avx512::kKGroup && kQ8ActBytes_avx512 == Q8Avx512::kActBytes,
              "the int8 layout in the Microkernels table must be the one this leaf reads");
static_assert(kVec_avx512 % Q8Avx512::kCols == 0, "a panel must be whole accumulators");

// vpmaddwd zmm (AVX512BW): dispatch.cc uses it only when CPUID has AVX512BW, and the AVX2 leaf
// on this 16-wide layout otherwise (AVX-512F alone, Knights Landing). Compiled here but NOT
// executed on the development machine (AMD Zen 3 has no AVX-512).
void q8_gemm_avx512(const Q8GemmArgs& args) { Q8GemmSimd<Q8Avx512>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
