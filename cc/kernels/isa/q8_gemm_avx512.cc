#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_gemm_simd.h"
#include "cc/kernels/isa/vec_avx2.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_avx512 == Q8Avx2::kKGroup && kQ8ActBytes_avx512 == Q8Avx2::kActBytes,
              "the int8 layout in the Microkernels table must be the one this leaf reads");
static_assert(kVec_avx512 % Q8Avx2::kCols == 0, "a panel must be whole accumulators");

// The AVX2 leaf on the 16-wide layout (two accumulators per gate); an AVX-512 / VNNI leaf
// replaces it.
void q8_gemm_avx512(const Q8GemmArgs& args) { Q8GemmSimd<Q8Avx2>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
