#include "cc/kernels/gru.h"

#include <algorithm>
#include <cassert>

#include "cc/kernels/input_projection.h"
#include "cc/kernels/pack.h"

namespace tflite_rnn_ops {
namespace {

constexpr int kGates = 3;

}  // namespace

void GruKernel::Init(Isa isa, const GruOptions& options) {
  assert(IsaAvailable(isa));
  assert(options.input_size > 0 && options.units > 0);
  isa_ = isa;
  options_ = options;
  mk_ = &mk::MicrokernelsFor(isa);
  const int vec = mk_->vec;
  const int u = options.units;
  padded_units_ = PadUnits(u, vec);
  packed_type_ = PackedStorage(options.weight_type, sizeof(float) * kGates * u * u,
                               options.float16_widen_bytes);
  packed_kernel_.Init(*mk_, packed_type_, options.input_size, kGates, u, options.centre_rows);
  packed_bias_.assign(PackedGateSize(1, kGates, u, vec), 0.0f);
  if (options.reset_after) {
    packed_recurrent_.Init(*mk_, packed_type_, u, kGates, u, options.centre_rows);
    packed_recurrent_bias_.assign(PackedGateSize(1, kGates, u, vec), 0.0f);
    packed_recurrent_h_ = PackedWeights();
  } else {
    packed_recurrent_.Init(*mk_, packed_type_, u, 2, u, options.centre_rows);
    packed_recurrent_h_.Init(*mk_, packed_type_, u, 1, u, options.centre_rows);
    packed_recurrent_bias_.clear();
  }
  scratch_.clear();
  reserved_batch_ = 0;
  reserved_time_ = 0;
}

void GruKernel::Pack(const GruWeights& weights) {
  assert(mk_ != nullptr && !weights.kernel.empty() && !weights.recurrent_kernel.empty());
  const int u = options_.units;
  const int vec = mk_->vec;
  const size_t cols = static_cast<size_t>(kGates) * u;
  packed_kernel_.Pack(weights.kernel, cols);
  PackGateBias(weights.bias, kGates, u, vec, packed_bias_.data());
  if (options_.reset_after) {
    packed_recurrent_.Pack(weights.recurrent_kernel, cols);
    PackGateBias(weights.bias == nullptr ? nullptr : weights.bias + cols, kGates, u, vec,
                 packed_recurrent_bias_.data());
  } else {
    // z|r are the first 2U columns; h is packed on its own for the second pass.
    packed_recurrent_.Pack(weights.recurrent_kernel, cols);
    packed_recurrent_h_.Pack(weights.recurrent_kernel.Columns(2 * u), cols);
  }
}

SequenceConfig GruKernel::SeqConfig() const {
  return SequenceConfigOf(options_, options_.units, padded_units_, 1);
}

size_t GruKernel::ProductFloats(int batch) const {
  return fused() ? 0 : RoundToCacheLine(static_cast<size_t>(batch) * kGates * padded_units_);
}

size_t GruKernel::QuantFloats(int batch, int time) const {
  // Both recurrent matrices have depth U: one row buffer serves h and r*h.
  return std::max(packed_kernel_.QuantScratchFloats(batch * time),
                  packed_recurrent_.QuantScratchFloats(batch));
}

void GruKernel::Reserve(int batch, int time) {
  assert(mk_ != nullptr && batch > 0 && time >= 0);
  // Grown only once the buffer is: a failed (too large) Reserve leaves the kernel usable at the
  // sizes it had.
  const int reserved_batch = std::max(reserved_batch_, batch);
  const int reserved_time = std::max(reserved_time_, time);
  const size_t gx = ChunkedProjection::Floats(reserved_batch, reserved_time, kGates,
                                              padded_units_);
  const size_t buf = RoundToCacheLine(static_cast<size_t>(reserved_batch) * padded_units_);
  const size_t needed = gx + 2 * buf + ProductFloats(reserved_batch) +
                        QuantFloats(reserved_batch, reserved_time) +
                        SequenceDriver::ScratchFloats(SeqConfig(), reserved_batch);
  if (scratch_.size() < needed) scratch_.resize(needed);
  reserved_batch_ = reserved_batch;
  reserved_time_ = reserved_time;
}

void GruKernel::Begin(const GruIo& io, const OutputPlacement& placement) {
  assert(mk_ != nullptr);
  assert(io.batch > 0 && io.batch <= reserved_batch_ && io.time >= 0 && io.time <= reserved_time_);
  assert(io.time == 0 || io.x != nullptr);
  run_batch_ = io.batch;
  float* gx = scratch_.data();
  const size_t buf = RoundToCacheLine(static_cast<size_t>(io.batch) * padded_units_);
  z_buf_ = gx + ChunkedProjection::Floats(io.batch, io.time, kGates, padded_units_);
  rh_buf_ = z_buf_ + buf;
  product_ = rh_buf_ + buf;
  quant_ = product_ + ProductFloats(io.batch);
  gx_.Begin(InputProjectionOf(options_, io, kGates, padded_units_, packed_kernel_,
                              packed_bias_.data(), quant_),
            gx, pool_);
  SequenceIo s = SequenceIoOf(io, placement);
  s.initial[0] = io.h0;
  s.final_states[0] = io.h_out;
  seq_.Begin(SeqConfig(), s, quant_ + QuantFloats(io.batch, io.time));
}

void GruKernel::Step() {
  if (seq_.any_valid()) {
    const int t = seq_.time_index();
    mk::GruCellArgs a;
    a.rows = run_batch_;
    a.units = options_.units;
    a.panels = padded_units_ / mk_->vec;
    a.backward = seq_.step() % 2 == 1;  // microkernels.h: start on the weights still in cache
    a.reset_after = options_.reset_after;
    if (fused()) {
      a.w = packed_recurrent_.f32();
      a.w_h = options_.reset_after ? nullptr : packed_recurrent_h_.f32();
    }
    a.recurrent_bias = options_.reset_after ? packed_recurrent_bias_.data() : nullptr;
    a.gx = gx_.Row(t);
    a.gx_stride = gx_.batch_stride();
    a.h_prev = seq_.prev(0);
    a.h_next = seq_.next(0);
    a.state_stride = seq_.state_stride();
    a.z_buf = z_buf_;
    a.rh_buf = rh_buf_;
    a.activation = options_.activation;
    a.recurrent_activation = options_.recurrent_activation;
    if (!fused()) {
      QuantizedStep(a);
    } else if (options_.reset_after) {
      RunCell(a);
    } else {
      // The candidate reads r*h of every unit: all threads finish the gates first.
      a.phase = mk::GruPhase::kGates;
      RunCell(a);
      a.phase = mk::GruPhase::kCandidate;
      RunCell(a);
    }
  }
  seq_.Commit();
}

// Each thread computes its own unit blocks, all gates of them (ForEachSlice; one call without a
// pool). No sum is split, so every thread count gives the same bits.
void GruKernel::RunCell(const mk::GruCellArgs& a) const {
  const size_t bytes = sizeof(float) * kGates * options_.units * padded_units_;
  ForEachPanelSlice(StepPool(pool_, bytes), a, mk_->gru_cell);
}

// int8/float16: the products are GEMMs of their own; reset_after=false quantizes r*h between
// its two phases, so they become two cell calls.
void GruKernel::QuantizedStep(mk::GruCellArgs a) {
  const size_t n = static_cast<size_t>(kGates) * padded_units_;
  a.product = product_;
  a.product_stride = n;
  packed_recurrent_.MultiplyAll(run_batch_, a.h_prev, a.state_stride, nullptr, product_, n,
                                quant_, pool_, a.backward);
  if (options_.reset_after) {
    RunCell(a);
    return;
  }
  a.phase = mk::GruPhase::kGates;
  RunCell(a);
  float* product_h = product_ + 2 * padded_units_;
  packed_recurrent_h_.MultiplyAll(run_batch_, rh_buf_, a.state_stride, nullptr, product_h, n,
                                  quant_, pool_, a.backward);
  a.product_h = product_h;
  a.phase = mk::GruPhase::kCandidate;
  RunCell(a);
}

void GruKernel::Run(const GruIo& io) {
  Begin(io);
  while (!done()) Step();
  Finish();
}

}  // namespace tflite_rnn_ops
