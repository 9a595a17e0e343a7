#include "cc/kernels/isa/gemm_simd.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_avx512.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kVec_avx512 == VecAvx512::kWidth, "packed layout width must match the vector width");

void f32_gemm_avx512(const GemmArgs& args) { GemmSimd<VecAvx512>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
