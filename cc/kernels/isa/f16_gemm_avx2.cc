#include "cc/kernels/isa/f16_gemm_simd.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_avx2.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kVec_avx2 == VecAvx2::kWidth, "packed layout width must match the vector width");

void f16_gemm_avx2(const F16GemmArgs& args) { F16GemmSimd<VecAvx2>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
