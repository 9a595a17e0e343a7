#include "cc/kernels/isa/gemm_simd.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_neon.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kVec_neon == VecNeon::kWidth, "packed layout width must match the vector width");

void f32_gemm_neon(const GemmArgs& args) { GemmSimd<VecNeon>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
