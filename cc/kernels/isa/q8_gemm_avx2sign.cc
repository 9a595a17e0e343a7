#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_gemm_simd.h"
#include "cc/kernels/isa/q8_leaves.h"
#include "cc/kernels/isa/vec_avx2sign.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_avx2sign == Q8Avx2Sign::kKGroup &&
                  kQ8ActBytes_avx2sign == Q8Avx2Sign::kActBytes,
              "the int8 layout dispatch.cc advertises must be the one this leaf reads");
static_assert(kVec_avx2 % Q8Avx2Sign::kCols == 0 && kVec_avx512 % Q8Avx2Sign::kCols == 0,
              "a panel of either x86 entry must be whole accumulators");

void q8_gemm_avx2sign(const Q8GemmArgs& args) { Q8GemmSimd<Q8Avx2Sign>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
