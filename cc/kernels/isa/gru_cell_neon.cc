#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_neon.h"
#include "cc/kernels/isa/gru_cell_simd.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_gru_cell_neon(const GruCellArgs& args) { GruCellSimd<VecNeon>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
