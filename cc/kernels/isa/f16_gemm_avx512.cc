#include "cc/kernels/isa/f16_gemm_simd.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_avx512.h"

namespace tflite_rnn_ops {
namespace mk {

static_assert(kVec_avx512 == VecAvx512::kWidth, "packed layout width must match the vector width");

// vcvtph2ps zmm widens 16 weights a load. Compiled here but NOT executed on the development
// machine (AMD Zen 3 has no AVX-512).
void f16_gemm_avx512(const F16GemmArgs& args) { F16GemmSimd<VecAvx512>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
