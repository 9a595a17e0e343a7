#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/isa/vec_avx512.h"
#include "cc/kernels/isa/lstm_cell_simd.h"

namespace tflite_rnn_ops {
namespace mk {

void f32_lstm_cell_avx512(const LstmCellArgs& args) { LstmCellSimd<VecAvx512, false>(args); }

void f32_lstm_cell_extras_avx512(const LstmCellArgs& args) {
  LstmCellSimd<VecAvx512, true>(args);
}

}  // namespace mk
}  // namespace tflite_rnn_ops
