// Runs the two directions of a bidirectional layer step by step in lockstep (one thread).
//
// Keras's Bidirectional runs the backward layer with go_backwards=True on the same input and
// mask, then reverses its output sequence back to time order. Init the backward kernel with
// go_backwards = true and pass a placement with time_order = true, and its sequence lands in
// time order directly; with row_stride = 2U and output pointers U floats apart, the two halves
// of a concat-merged [.., 2U] output are written in place.
#ifndef TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_
#define TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_

#include "cc/kernels/sequence.h"

namespace tflite_rnn_ops {

// Forward/Backward: LstmKernel, GruKernel or RnnKernel (any mix), each Init/Pack/Reserve'd.
template <class Forward, class ForwardIo, class Backward, class BackwardIo>
void RunBidirectional(Forward& forward, const ForwardIo& forward_io,
                      const OutputPlacement& forward_placement, Backward& backward,
                      const BackwardIo& backward_io, const OutputPlacement& backward_placement) {
  forward.Begin(forward_io, forward_placement);
  backward.Begin(backward_io, backward_placement);
  while (!forward.done() || !backward.done()) {
    if (!forward.done()) forward.Step();
    if (!backward.done()) backward.Step();
  }
  forward.Finish();
  backward.Finish();
}

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_
