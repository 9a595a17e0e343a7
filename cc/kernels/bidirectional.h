// Runs the two directions of a bidirectional layer step by step in lockstep (one thread).
//
// Keras's Bidirectional runs the backward layer with go_backwards=True on the same input and
// mask, then reverses its output sequence back to time order. Init the backward kernel with
// go_backwards = true and pass a placement with time_order = true, and its sequence lands in
// time order directly; with row_stride = 2U and output pointers U floats apart, the two halves
// of a concat-merged [.., 2U] output are written in place.
#ifndef TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_
#define TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_

#include <cstddef>

#include "cc/kernels/sequence.h"

namespace tflite_rnn_ops {

// Interleaving the two directions hides each step's latency behind the other's, but it needs
// both directions' recurrent weights in cache at once. Past half of the L2 cache that costs more
// than it saves (a bidirectional LSTM with 256 units streams 2 MB of weights per step pair), so
// larger layers run one direction after the other. The cache size is read once.
bool InterleaveDirections(size_t recurrent_weight_bytes_per_direction);

// Forward/Backward: LstmKernel, GruKernel or RnnKernel (any mix), each Init/Pack/Reserve'd.
template <class Forward, class ForwardIo, class Backward, class BackwardIo>
void RunBidirectional(Forward& forward, const ForwardIo& forward_io,
                      const OutputPlacement& forward_placement, Backward& backward,
                      const BackwardIo& backward_io, const OutputPlacement& backward_placement,
                      bool interleave = true) {
  forward.Begin(forward_io, forward_placement);
  if (!interleave) {
    while (!forward.done()) forward.Step();
    forward.Finish();
  }
  backward.Begin(backward_io, backward_placement);
  while (!forward.done() || !backward.done()) {
    if (!forward.done()) forward.Step();
    if (!backward.done()) backward.Step();
  }
  if (interleave) forward.Finish();
  backward.Finish();
}

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_BIDIRECTIONAL_H_
