#include "cc/kernels/rnn.h"

#include <algorithm>
#include <cassert>

#include "cc/kernels/input_projection.h"
#include "cc/kernels/pack.h"

namespace tflite_rnn_ops {
namespace {

constexpr int kGates = 1;

}  // namespace

void RnnKernel::Init(Isa isa, const RnnOptions& options) {
  assert(IsaAvailable(isa));
  assert(options.input_size > 0 && options.units > 0);
  isa_ = isa;
  options_ = options;
  mk_ = &mk::MicrokernelsFor(isa);
  const int vec = mk_->vec;
  padded_units_ = PadUnits(options.units, vec);
  const size_t u = static_cast<size_t>(options.units);
  packed_type_ = PackedStorage(options.weight_type, sizeof(float) * u * u,
                               options.float16_widen_bytes);
  packed_kernel_.Init(*mk_, packed_type_, options.input_size, kGates, options.units,
                      options.centre_rows);
  packed_recurrent_.Init(*mk_, packed_type_, options.units, kGates, options.units,
                         options.centre_rows);
  packed_bias_.assign(PackedGateSize(1, kGates, options.units, vec), 0.0f);
  // Packed sizes depend on the ISA's width, so scratch from an earlier Init cannot be trusted.
  scratch_.clear();
  reserved_batch_ = 0;
  reserved_time_ = 0;
}

void RnnKernel::Pack(const RnnWeights& weights) {
  assert(mk_ != nullptr && !weights.kernel.empty() && !weights.recurrent_kernel.empty());
  const int u = options_.units;
  const size_t cols = static_cast<size_t>(kGates) * u;
  packed_kernel_.Pack(weights.kernel, cols);
  packed_recurrent_.Pack(weights.recurrent_kernel, cols);
  PackGateBias(weights.bias, kGates, u, mk_->vec, packed_bias_.data());
}

size_t RnnKernel::ProductFloats(int batch) const {
  return fused() ? 0 : RoundToCacheLine(static_cast<size_t>(batch) * kGates * padded_units_);
}

size_t RnnKernel::QuantFloats(int batch, int time) const {
  return std::max(packed_kernel_.QuantScratchFloats(batch * time),
                  packed_recurrent_.QuantScratchFloats(batch));
}

SequenceConfig RnnKernel::SeqConfig() const {
  return SequenceConfigOf(options_, options_.units, padded_units_, 1);
}

void RnnKernel::Reserve(int batch, int time) {
  assert(mk_ != nullptr && batch > 0 && time >= 0);
  // Grown only once the buffer is: a failed (too large) Reserve leaves the kernel usable at the
  // sizes it had.
  const int reserved_batch = std::max(reserved_batch_, batch);
  const int reserved_time = std::max(reserved_time_, time);
  const size_t gx = ChunkedProjection::Floats(reserved_batch, reserved_time, kGates,
                                              padded_units_);
  const size_t needed = gx + ProductFloats(reserved_batch) +
                        QuantFloats(reserved_batch, reserved_time) +
                        SequenceDriver::ScratchFloats(SeqConfig(), reserved_batch);
  if (scratch_.size() < needed) scratch_.resize(needed);
  reserved_batch_ = reserved_batch;
  reserved_time_ = reserved_time;
}

void RnnKernel::Begin(const RnnIo& io, const OutputPlacement& placement) {
  assert(mk_ != nullptr);
  assert(io.batch > 0 && io.batch <= reserved_batch_ && io.time >= 0 && io.time <= reserved_time_);
  assert(io.time == 0 || io.x != nullptr);
  run_batch_ = io.batch;
  float* gx = scratch_.data();
  const size_t gx_floats = ChunkedProjection::Floats(io.batch, io.time, kGates, padded_units_);
  product_ = gx + gx_floats;
  quant_ = product_ + ProductFloats(io.batch);
  gx_.Begin(InputProjectionOf(options_, io, kGates, padded_units_, packed_kernel_,
                              packed_bias_.data(), quant_),
            gx, pool_);
  SequenceIo s = SequenceIoOf(io, placement);
  s.initial[0] = io.h0;
  s.final_states[0] = io.h_out;
  seq_.Begin(SeqConfig(), s, quant_ + QuantFloats(io.batch, io.time));
}

void RnnKernel::Step() {
  if (seq_.any_valid()) {
    const size_t n = static_cast<size_t>(kGates) * padded_units_;
    const int t = seq_.time_index();
    mk::RnnCellArgs a;
    a.rows = run_batch_;
    a.units = options_.units;
    a.panels = padded_units_ / mk_->vec;
    a.backward = seq_.step() % 2 == 1;  // microkernels.h: start on the weights still in cache
    if (fused()) {
      a.w = packed_recurrent_.f32();
    } else {
      a.product = product_;
      a.product_stride = n;
      packed_recurrent_.MultiplyAll(run_batch_, seq_.prev(0), seq_.state_stride(), nullptr,
                                    product_, n, quant_, pool_, a.backward);
    }
    a.gx = gx_.Row(t);
    a.gx_stride = gx_.batch_stride();
    a.h_prev = seq_.prev(0);
    a.h_next = seq_.next(0);
    a.state_stride = seq_.state_stride();
    a.activation = options_.activation;
    // Each thread its own unit blocks (as GruKernel::RunCell): the same bits at any count.
    const size_t bytes = sizeof(float) * kGates * options_.units * padded_units_;
    ForEachPanelSlice(StepPool(pool_, bytes), a, mk_->rnn_cell);
  }
  seq_.Commit();
}

void RnnKernel::Run(const RnnIo& io) {
  Begin(io);
  while (!done()) Step();
  Finish();
}

}  // namespace tflite_rnn_ops
