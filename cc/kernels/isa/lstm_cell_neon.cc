#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_neon.h"
#include "cc/kernels/isa/lstm_cell_simd.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_lstm_cell_neon(const LstmCellArgs& args) { LstmCellSimd<VecNeon, false>(args); }

void f32_lstm_cell_extras_neon(const LstmCellArgs& args) { LstmCellSimd<VecNeon, true>(args); }

}  // namespace mk
}  // namespace tflite_rnn_ops
