#include "cc/kernels/isa/f16_gemm_simd.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_neon.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kVec_neon == VecNeon::kWidth, "packed layout width must match the vector width");

void f16_gemm_neon(const F16GemmArgs& args) { F16GemmSimd<VecNeon>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
