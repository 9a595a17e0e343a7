#include "cc/kernels/isa/f16_gemm_simd.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_avx2.h"

namespace tflite_rnn_ops {
namespace mk {

// The AVX2 leaf on the 16-wide layout (two 8-lane vectors per gate); an AVX-512 leaf replaces
// it.
void f16_gemm_avx512(const F16GemmArgs& args) { F16GemmSimd<VecAvx2>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
