#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/q8_gemm_simd.h"
#include "cc/kernels/isa/q8_leaves.h"
#include "cc/kernels/isa/vec_neondot.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kQ8KGroup_neondot == Q8NeonDot::kKGroup &&
                  kQ8ActBytes_neondot == Q8NeonDot::kActBytes,
              "the int8 layout dispatch.cc advertises must be the one this leaf reads");
static_assert(kVec_neon % Q8NeonDot::kCols == 0, "a panel must be whole accumulators");

void q8_gemm_neondot(const Q8GemmArgs& args) { Q8GemmSimd<Q8NeonDot>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
