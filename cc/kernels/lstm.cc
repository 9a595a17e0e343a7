#include "cc/kernels/lstm.h"

#include <algorithm>
#include <cassert>

#include "cc/kernels/input_projection.h"
#include "cc/kernels/pack.h"

namespace tflite_rnn_ops {
namespace {

constexpr int kGates = 4;

bool NeedsExtrasCell(const LstmOptions& o) { return o.use_peepholes || o.cell_clip > 0.0f; }

}  // namespace

void LstmKernel::Init(Isa isa, const LstmOptions& options) {
  assert(IsaAvailable(isa));
  assert(options.input_size > 0 && options.units > 0);
  assert(options.num_proj >= 0 && options.cell_clip >= 0.0f && options.proj_clip >= 0.0f);
  isa_ = isa;
  options_ = options;
  mk_ = &mk::MicrokernelsFor(isa);
  // Chosen once: the plain cell keeps its fast path, TF1 extras get their own variant.
  cell_ = NeedsExtrasCell(options) ? mk_->lstm_cell_extras : mk_->lstm_cell;
  const int vec = mk_->vec;
  const int u = options.units;
  const int h = options.output_units();
  padded_units_ = PadUnits(u, vec);
  padded_out_ = PadUnits(h, vec);
  const bool proj = options.num_proj > 0;
  const size_t recurrent_floats = static_cast<size_t>(h) * kGates * u + (proj ? u * h : 0);
  packed_type_ = PackedStorage(options.weight_type, sizeof(float) * recurrent_floats,
                               options.float16_widen_bytes);
  packed_kernel_.Init(*mk_, packed_type_, options.input_size, kGates, u, options.centre_rows);
  packed_recurrent_.Init(*mk_, packed_type_, h, kGates, u, options.centre_rows);
  packed_bias_.assign(PackedGateSize(1, kGates, u, vec), 0.0f);
  packed_peephole_.assign(NeedsExtrasCell(options) ? 3 * static_cast<size_t>(padded_units_) : 0,
                          0.0f);
  packed_projection_.Init(*mk_, packed_type_, proj ? u : 0, 1, h, options.centre_rows);
  packed_projection_bias_.assign(proj ? PackedGateSize(1, 1, h, vec) : 0, 0.0f);
  // Packed sizes depend on the ISA's width, so scratch from an earlier Init cannot be trusted.
  scratch_.clear();
  reserved_batch_ = 0;
  reserved_time_ = 0;
}

void LstmKernel::Pack(const LstmWeights& weights) {
  assert(mk_ != nullptr && !weights.kernel.empty() && !weights.recurrent_kernel.empty());
  const int u = options_.units;
  const int h = options_.output_units();
  const int vec = mk_->vec;
  const size_t cols = static_cast<size_t>(kGates) * u;
  packed_kernel_.Pack(weights.kernel, cols);
  packed_recurrent_.Pack(weights.recurrent_kernel, cols);
  PackGateBias(weights.bias, kGates, u, vec, packed_bias_.data());
  if (options_.use_peepholes) {
    assert(weights.w_i_diag != nullptr && weights.w_f_diag != nullptr &&
           weights.w_o_diag != nullptr);
    const float* diag[3] = {weights.w_i_diag, weights.w_f_diag, weights.w_o_diag};
    for (int g = 0; g < 3; ++g) {
      PackGateBias(diag[g], 1, u, vec, packed_peephole_.data() + g * padded_units_);
    }
  }
  if (options_.num_proj > 0) {
    assert(!weights.projection.empty());
    packed_projection_.Pack(weights.projection, h);
  }
}

SequenceConfig LstmKernel::SeqConfig() const {
  SequenceConfig c = SequenceConfigOf(options_, options_.output_units(), padded_out_, 2);
  c.state1_units = options_.units;  // c stays U wide when a projection makes h P wide
  c.state1_padded_units = padded_units_;
  return c;
}

size_t LstmKernel::GxFloats(int batch, int time) const {
  return ChunkedProjection::Floats(batch, time, kGates, padded_units_);
}

size_t LstmKernel::ProjFloats(int batch) const {
  return options_.num_proj > 0 ? RoundToCacheLine(static_cast<size_t>(batch) * padded_units_) : 0;
}

size_t LstmKernel::ProductFloats(int batch) const {
  return fused() ? 0 : RoundToCacheLine(static_cast<size_t>(batch) * kGates * padded_units_);
}

size_t LstmKernel::QuantFloats(int batch, int time) const {
  size_t floats = std::max(packed_kernel_.QuantScratchFloats(batch * time),
                           packed_recurrent_.QuantScratchFloats(batch));
  if (options_.num_proj > 0) {
    floats = std::max(floats, packed_projection_.QuantScratchFloats(batch));
  }
  return floats;
}

void LstmKernel::Reserve(int batch, int time) {
  assert(mk_ != nullptr && batch > 0 && time >= 0);
  // Grown only once the buffer is: a failed (too large) Reserve leaves the kernel usable at the
  // sizes it had.
  const int reserved_batch = std::max(reserved_batch_, batch);
  const int reserved_time = std::max(reserved_time_, time);
  const size_t needed = GxFloats(reserved_batch, reserved_time) + ProjFloats(reserved_batch) +
                        ProductFloats(reserved_batch) + QuantFloats(reserved_batch, reserved_time) +
                        SequenceDriver::ScratchFloats(SeqConfig(), reserved_batch);
  if (scratch_.size() < needed) scratch_.resize(needed);
  reserved_batch_ = reserved_batch;
  reserved_time_ = reserved_time;
}

void LstmKernel::Begin(const LstmIo& io, const OutputPlacement& placement) {
  assert(mk_ != nullptr);
  assert(io.batch > 0 && io.batch <= reserved_batch_ && io.time >= 0 && io.time <= reserved_time_);
  assert(io.time == 0 || io.x != nullptr);
  run_batch_ = io.batch;
  float* gx = scratch_.data();
  m_ = gx + GxFloats(io.batch, io.time);
  product_ = m_ + ProjFloats(io.batch);
  quant_ = product_ + ProductFloats(io.batch);
  gx_.Begin(InputProjectionOf(options_, io, kGates, padded_units_, packed_kernel_,
                              packed_bias_.data(), quant_),
            gx, pool_);
  SequenceIo s = SequenceIoOf(io, placement);
  s.initial[0] = io.h0;
  s.initial[1] = io.c0;
  s.final_states[0] = io.h_out;
  s.final_states[1] = io.c_out;
  seq_.Begin(SeqConfig(), s, quant_ + QuantFloats(io.batch, io.time));
}

// h_next = m @ projection (then clipped): a small [B, U] x [U, P] GEMM after the fused cell.
// The float32 GEMM wants a (zero) bias; int8/float16 split it over the pool like the recurrent
// product.
void LstmKernel::Project() {
  const bool f32 = fused();
  packed_projection_.MultiplyAll(run_batch_, m_, padded_units_,
                                 f32 ? packed_projection_bias_.data() : nullptr, seq_.next(0),
                                 seq_.state_stride(0), quant_, f32 ? nullptr : pool_);
  const float clip = options_.proj_clip;
  if (clip <= 0.0f) return;
  float* h = seq_.next(0);
  const size_t n = static_cast<size_t>(run_batch_) * padded_out_;
  for (size_t i = 0; i < n; ++i) h[i] = std::min(std::max(h[i], -clip), clip);
}

// The cell visits row tiles outermost, so every row tile streams all the weights it is given.
// With more rows than one tile, handing it L1-sized runs of unit blocks instead makes the
// second and later row tiles read those weights from L1 (batch 8: one pass over the weights
// from L2/L3 per step instead of one per row tile). The row tiling, and so every sum, is the
// same as in one call.
//
// Every other step (a.backward) visits the unit blocks last to first, runs and all: the
// weights one step read last are the ones still in cache when the next starts, so it reads
// those first. An LRU cache of C bytes under a matrix of M > C bytes then serves about C of them
// per step instead of none (LSTM 512: 4 MiB of weights, 2 MiB L2). No sum changes.
void LstmKernel::RunPanels(const mk::LstmCellArgs& a, Slice s) const {
  constexpr size_t kChunkBytes = 16 << 10;  // half of a typical L1D
  const size_t panel_bytes = sizeof(float) * a.k() * kGates * mk_->vec;
  const int chunk = a.rows <= 2 ? s.size()
                                : std::max(1, static_cast<int>(kChunkBytes / panel_bytes));
  const int runs = (s.size() + chunk - 1) / chunk;
  for (int i = 0; i < runs; ++i) {
    const int j = s.begin + (a.backward ? runs - 1 - i : i) * chunk;
    mk::LstmCellArgs run = a;
    run.panel_begin = j;
    run.panel_end = std::min(j + chunk, s.end);
    cell_(run);
  }
}

void LstmKernel::Step() {
  if (seq_.any_valid()) {
    const size_t n = static_cast<size_t>(kGates) * padded_units_;
    const int t = seq_.time_index();
    const bool proj = options_.num_proj > 0;
    mk::LstmCellArgs a;
    a.rows = run_batch_;
    a.units = options_.units;
    a.panels = padded_units_ / mk_->vec;
    a.backward = seq_.step() % 2 == 1;  // microkernels.h: start on the weights still in cache
    if (fused()) a.w = packed_recurrent_.f32();
    a.gx = gx_.Row(t);
    a.gx_stride = gx_.batch_stride();
    a.recurrent_size = options_.output_units();
    a.h_prev = seq_.prev(0);
    a.h_prev_stride = seq_.state_stride(0);
    a.c_prev = seq_.prev(1);
    a.h_next = proj ? m_ : seq_.next(0);
    a.c_next = seq_.next(1);
    a.state_stride = seq_.state_stride(1);
    a.activation = options_.activation;
    a.recurrent_activation = options_.recurrent_activation;
    a.peephole = packed_peephole_.data();
    if (options_.cell_clip > 0.0f) a.cell_clip = options_.cell_clip;
    QuantizedRows quantized;
    if (!fused()) {
      a.product = product_;
      a.product_stride = n;
      if (packed_recurrent_.type() == WeightType::kInt8) {
        quantized = QuantizeActivations(*mk_, run_batch_, a.recurrent_size, a.h_prev,
                                        a.h_prev_stride, quant_, options_.centre_rows);
      }
    }
    // Each slice computes its own columns of the product (int8/float16), then its cells.
    auto product = [&](Slice s) {
      if (!fused()) {
        packed_recurrent_.Multiply(run_batch_, a.h_prev, a.h_prev_stride, quantized, nullptr,
                                   product_, n, s, a.backward);
      }
    };
    if (proj || NeedsExtrasCell(options_)) {
      // The projection needs every unit of m. The extras cell would take a PanelRange as the
      // plain one does (the diagonals are indexed by the absolute block); it stays whole until
      // a two-thread TF1 model is measured.
      if (!fused()) ForEachSlice(pool_, a.panels, product);
      cell_(a);
      if (proj) Project();
    } else {
      ForEachSlice(pool_, a.panels, [&](Slice s) {
        product(s);
        RunPanels(a, s);
      });
    }
  }
  seq_.Commit();
}

void LstmKernel::Run(const LstmIo& io) {
  Begin(io);
  while (!done()) Step();
  Finish();
}

}  // namespace tflite_rnn_ops
