#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_gemm_simd.h"
#include "cc/kernels/isa/vec_neon.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_neon == Q8Neon::kKGroup && kQ8ActBytes_neon == Q8Neon::kActBytes,
              "the int8 layout in the Microkernels table must be the one this leaf reads");
static_assert(kVec_neon % Q8Neon::kCols == 0, "a panel must be whole accumulators");

void q8_gemm_neon(const Q8GemmArgs& args) { Q8GemmSimd<Q8Neon>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
