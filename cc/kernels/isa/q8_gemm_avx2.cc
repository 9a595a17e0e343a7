#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_gemm_simd.h"
#include "cc/kernels/isa/vec_avx2.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_avx2 == Q8Avx2::kKGroup && kQ8ActBytes_avx2 == Q8Avx2::kActBytes,
              "the int8 layout in the Microkernels table must be the one this leaf reads");
static_assert(kVec_avx2 % Q8Avx2::kCols == 0, "a panel must be whole accumulators");

void q8_gemm_avx2(const Q8GemmArgs& args) { Q8GemmSimd<Q8Avx2>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
