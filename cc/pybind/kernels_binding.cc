// Test/benchmark bindings for the kernel core: marshal numpy arrays, validate shapes, call the
// kernel. No math here. Validation helpers: kernels_binding_util.h.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cc/kernels/activation.h"
#include "cc/kernels/bidirectional.h"
#include "cc/kernels/dispatch.h"
#include "cc/kernels/gru.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/lstm.h"
#include "cc/kernels/rnn.h"
#include "cc/kernels/thread_pool.h"
#include "cc/pybind/kernels_binding_util.h"

namespace py = pybind11;

namespace tflite_rnn_ops {
namespace {

using namespace binding;  // NOLINT: this file is the only user of the helpers

using OptFloat = std::optional<FloatArray>;

// Options every kind shares (Keras RNN layer arguments).
struct Flags { bool time_major, go_backwards, return_sequences, zero_output_for_mask; };

template <class Options>
void ApplyFlags(const Flags& f, Options* o) {
  o->time_major = f.time_major;
  o->go_backwards = f.go_backwards;
  o->return_sequences = f.return_sequences;
  o->zero_output_for_mask = f.zero_output_for_mask;
}

// One direction's arrays, validated against the dims; kept alive while the kernel runs. The
// peephole diagonals and the projection are LSTM only.
struct DirectionArrays {
  WeightArg kernel, recurrent;
  OptFloat bias, h0, c0, w_i_diag, w_f_diag, w_o_diag;
  std::optional<WeightArg> projection;
};

// The weight matrices of one direction: int8 ones with their `<name>_scale` arrays.
struct WeightArrays {
  py::array kernel, recurrent;
  OptFloat kernel_scale, recurrent_scale;
  std::optional<py::array> projection;
  OptFloat projection_scale;
};

DirectionArrays Direction(const WeightArrays& w, OptFloat bias, OptFloat h0, OptFloat c0 = {},
                          OptFloat w_i_diag = {}, OptFloat w_f_diag = {},
                          OptFloat w_o_diag = {}) {
  DirectionArrays a{ParseWeight("kernel", w.kernel, w.kernel_scale),
                    ParseWeight("recurrent_kernel", w.recurrent, w.recurrent_scale),
                    bias, h0, c0, w_i_diag, w_f_diag, w_o_diag, std::nullopt};
  if (w.projection) a.projection = ParseWeight("projection", *w.projection, w.projection_scale);
  return a;
}

// Storage type of a direction's matrices, all the same.
WeightType WeightTypeOf(const char* fn, const DirectionArrays& a) {
  CheckSameType(fn, a.kernel, "recurrent_kernel", a.recurrent);
  if (a.projection) CheckSameType(fn, a.kernel, "projection", *a.projection);
  return a.kernel.type;
}
struct Outputs { FloatArray out, h, c; };

FloatArray NewState(const SeqDims& d, int width) { return FloatArray(Shape{d.batch, width}); }

// Kind-specific setup: option/weight/io structs from validated arrays.
struct LstmSpec {
  using Kernel = LstmKernel;
  static constexpr int kGates = 4;
  static constexpr const char* kFn = "lstm_forward";
  LstmOptions o;
  LstmWeights w;
  LstmIo io;
  float cell_clip = 0.0f, proj_clip = 0.0f;
  void Set(const SeqDims& d, const DirectionArrays& a, const Flags& f, Activation act,
           Activation ract, const char* fn) {
    CheckShape(fn, "kernel", a.kernel.data, {d.features, 4 * d.units});
    if (a.bias) CheckShape(fn, "bias", *a.bias, {4 * d.units});
    const int peepholes = !!a.w_i_diag + !!a.w_f_diag + !!a.w_o_diag;
    if (peepholes != 0 && peepholes != 3) {
      throw py::value_error(std::string(fn) + ": peepholes need all of 'w_i_diag', 'w_f_diag' "
                            "and 'w_o_diag', got " + std::to_string(peepholes) + " of them");
    }
    if (cell_clip < 0.0f || proj_clip < 0.0f) {
      throw py::value_error(std::string(fn) + ": arguments 'cell_clip' and 'proj_clip' must be "
                            ">= 0 (0 = no clipping), got " + std::to_string(cell_clip) + " and " +
                            std::to_string(proj_clip));
    }
    o.input_size = d.features, o.units = d.units, o.activation = act;
    o.recurrent_activation = ract;
    o.use_peepholes = peepholes == 3, o.cell_clip = cell_clip, o.proj_clip = proj_clip;
    o.num_proj = a.projection ? d.out_units : 0;
    o.weight_type = WeightTypeOf(fn, a);
    ApplyFlags(f, &o);
    w.kernel = a.kernel.matrix(), w.recurrent_kernel = a.recurrent.matrix();
    w.bias = a.bias ? a.bias->data() : nullptr;
    w.w_i_diag = OptionalArray(fn, "w_i_diag", a.w_i_diag, {d.units});
    w.w_f_diag = OptionalArray(fn, "w_f_diag", a.w_f_diag, {d.units});
    w.w_o_diag = OptionalArray(fn, "w_o_diag", a.w_o_diag, {d.units});
    if (a.projection) w.projection = a.projection->matrix();
    io.h0 = OptionalArray(fn, "h0", a.h0, {d.batch, d.out_units});
    io.c0 = OptionalArray(fn, "c0", a.c0, {d.batch, d.units});
  }
  void SetOutputs(float* out, Outputs* s) {
    io.output = out, io.h_out = s->h.mutable_data(), io.c_out = s->c.mutable_data();
  }
};

struct GruSpec {
  using Kernel = GruKernel;
  static constexpr int kGates = 3;
  static constexpr const char* kFn = "gru_forward";
  GruOptions o;
  GruWeights w;
  GruIo io;
  bool reset_after = true;
  void Set(const SeqDims& d, const DirectionArrays& a, const Flags& f, Activation act,
           Activation ract, const char* fn) {
    CheckShape(fn, "kernel", a.kernel.data, {d.features, 3 * d.units});
    const Shape bias_shape = reset_after ? Shape{2, 3 * d.units} : Shape{3 * d.units};
    if (a.bias) CheckShape(fn, "bias", *a.bias, bias_shape);
    o.input_size = d.features, o.units = d.units, o.activation = act;
    o.recurrent_activation = ract, o.reset_after = reset_after;
    o.weight_type = WeightTypeOf(fn, a);
    ApplyFlags(f, &o);
    w = {a.kernel.matrix(), a.recurrent.matrix(), a.bias ? a.bias->data() : nullptr};
    io.h0 = OptionalArray(fn, "h0", a.h0, {d.batch, d.units});
  }
  void SetOutputs(float* out, Outputs* s) { io.output = out, io.h_out = s->h.mutable_data(); }
};

struct RnnSpec {
  using Kernel = RnnKernel;
  static constexpr int kGates = 1;
  static constexpr const char* kFn = "rnn_forward";
  RnnOptions o;
  RnnWeights w;
  RnnIo io;
  void Set(const SeqDims& d, const DirectionArrays& a, const Flags& f, Activation act,
           Activation, const char* fn) {
    CheckShape(fn, "kernel", a.kernel.data, {d.features, d.units});
    if (a.bias) CheckShape(fn, "bias", *a.bias, {d.units});
    o.input_size = d.features, o.units = d.units, o.activation = act;
    o.weight_type = WeightTypeOf(fn, a);
    ApplyFlags(f, &o);
    w = {a.kernel.matrix(), a.recurrent.matrix(), a.bias ? a.bias->data() : nullptr};
    io.h0 = OptionalArray(fn, "h0", a.h0, {d.batch, d.units});
  }
  void SetOutputs(float* out, Outputs* s) { io.output = out, io.h_out = s->h.mutable_data(); }
};

// Masks and lengths shared by the directions.
struct StepMask {
  const uint8_t* mask = nullptr;
  const int32_t* lengths = nullptr;
};

StepMask ParseStepMask(const char* fn, const std::optional<MaskArray>& mask,
                       const std::optional<LengthsArray>& lengths, const SeqDims& d) {
  StepMask m;
  m.mask = OptionalMask(fn, mask, d);
  m.lengths = OptionalLengths(fn, lengths, m.mask != nullptr, d);
  return m;
}

template <class Spec>
void PrepareKernel(Isa isa, const SeqDims& d, const FloatArray& x, const StepMask& m,
                   Spec* spec, typename Spec::Kernel* kernel) {
  spec->io.batch = d.batch, spec->io.time = d.time, spec->io.x = x.data();
  spec->io.mask = m.mask, spec->io.lengths = m.lengths;
  kernel->Init(isa, spec->o);
  kernel->Pack(spec->w);
  kernel->Reserve(d.batch, d.time);
}

template <class Spec>
py::tuple StatesTuple(const Outputs& s) {
  if constexpr (Spec::kGates == 4) return py::make_tuple(s.h, s.c);
  return py::make_tuple(s.h);
}

const py::array* ProjectionOf(const DirectionArrays& a) {
  return a.projection ? &a.projection->data : nullptr;
}

// Activation names, masks and flags of one call.
struct CallArgs {
  std::optional<MaskArray> mask;
  std::optional<LengthsArray> lengths;
  std::string activation, recurrent_activation;
  Flags flags;
  int threads = 1;  // > 1: a ThreadPool of that many threads for this call
};

std::unique_ptr<ThreadPool> PoolFor(const char* fn, int threads) {
  if (threads < 1) {
    throw py::value_error(std::string(fn) + ": argument 'threads' must be >= 1, got " +
                          std::to_string(threads));
  }
  return threads > 1 ? std::make_unique<ThreadPool>(threads) : nullptr;
}

template <class Spec>
py::tuple Forward(Spec spec, const std::string& isa_name, const FloatArray& x,
                  const DirectionArrays& a, const CallArgs& c) {
  const char* fn = Spec::kFn;
  const Isa isa = ParseIsa(isa_name);
  const Flags& f = c.flags;
  const SeqDims d =
      ParseDims(fn, x, a.recurrent.data, Spec::kGates, f.time_major, ProjectionOf(a));
  spec.Set(d, a, f, ParseActivation("activation", c.activation),
           ParseActivation("recurrent_activation", c.recurrent_activation), fn);
  const StepMask m = ParseStepMask(fn, c.mask, c.lengths, d);
  const int h = d.out_units;
  Outputs s{FloatArray(f.return_sequences ? d.Seq(h) : Shape{d.batch, h}), NewState(d, h),
            NewState(d, d.units)};
  spec.SetOutputs(s.out.mutable_data(), &s);
  const std::unique_ptr<ThreadPool> pool = PoolFor(fn, c.threads);
  {
    py::gil_scoped_release release;
    typename Spec::Kernel kernel;
    PrepareKernel(isa, d, x, m, &spec, &kernel);
    kernel.SetThreadPool(pool.get());
    kernel.Run(spec.io);
  }
  return py::make_tuple(s.out) + StatesTuple<Spec>(s);
}

// Keras Bidirectional(merge_mode="concat"): output [..., 2H] = [forward | backward in time
// order]; returns (output, *forward_states, *backward_states).
template <class Spec>
py::tuple Bidirectional(Spec fw, Spec bw, const std::string& isa_name, const FloatArray& x,
                        const DirectionArrays& fa, const DirectionArrays& ba, CallArgs c) {
  const char* fn = "bidirectional_forward";
  const Isa isa = ParseIsa(isa_name);
  Flags& f = c.flags;
  const SeqDims d =
      ParseDims(fn, x, fa.recurrent.data, Spec::kGates, f.time_major, ProjectionOf(fa));
  CheckShape(fn, "backward recurrent_kernel", ba.recurrent.data, ShapeOf(fa.recurrent.data));
  if (ba.projection) {
    CheckShape(fn, "backward projection", ba.projection->data, {d.units, d.out_units});
  }
  const Activation act = ParseActivation("activation", c.activation);
  const Activation ract = ParseActivation("recurrent_activation", c.recurrent_activation);
  f.go_backwards = false;
  fw.Set(d, fa, f, act, ract, fn);
  f.go_backwards = true;
  bw.Set(d, ba, f, act, ract, fn);
  const StepMask m = ParseStepMask(fn, c.mask, c.lengths, d);
  const int h = d.out_units;
  FloatArray out(f.return_sequences ? d.Seq(2 * h) : Shape{d.batch, 2 * h});
  Outputs fs{out, NewState(d, h), NewState(d, d.units)}, bs{out, NewState(d, h),
                                                            NewState(d, d.units)};
  fw.SetOutputs(out.mutable_data(), &fs);
  bw.SetOutputs(out.mutable_data() + h, &bs);
  OutputPlacement fp, bp;
  fp.row_stride = bp.row_stride = 2 * h;
  bp.time_order = true;
  const std::unique_ptr<ThreadPool> pool = PoolFor(fn, c.threads);
  {
    py::gil_scoped_release release;
    typename Spec::Kernel fk, bk;
    PrepareKernel(isa, d, x, m, &fw, &fk);
    PrepareKernel(isa, d, x, m, &bw, &bk);
    RunBidirectional(fk, fw.io, fp, bk, bw.io, bp, pool.get());
  }
  return py::make_tuple(out) + StatesTuple<Spec>(fs) + StatesTuple<Spec>(bs);
}

// A missing required key raises KeyError naming it.
DirectionArrays DirectionFromDict(const py::dict& d) {
  auto optional = [&](const char* key) -> OptFloat {
    if (!d.contains(key) || d[key].is_none()) return std::nullopt;
    return d[key].cast<FloatArray>();
  };
  auto array = [&](const char* key) { return py::array::ensure(d[key]); };
  WeightArrays w{array("kernel"), array("recurrent_kernel"), optional("kernel_scale"),
                 optional("recurrent_kernel_scale"), std::nullopt,
                 optional("projection_scale")};
  if (d.contains("projection") && !d["projection"].is_none()) w.projection = array("projection");
  return Direction(w, optional("bias"), optional("h0"), optional("c0"), optional("w_i_diag"),
                   optional("w_f_diag"), optional("w_o_diag"));
}

FloatArray ActivationForward(const std::string& isa_name, const std::string& name,
                             const FloatArray& x) {
  const Isa isa = ParseIsa(isa_name);
  const Activation act = ParseActivation("name", name);
  FloatArray y(ShapeOf(x));
  mk::MicrokernelsFor(isa).activation(act, x.data(), y.mutable_data(),
                                      static_cast<size_t>(x.size()));
  return y;
}

void RegisterLstm(py::module_& m) {
  m.def(
      "lstm_forward",
      [](const std::string& isa, const FloatArray& x, const py::array& kernel,
         const py::array& recurrent, OptFloat bias, std::optional<MaskArray> mask, OptFloat h0,
         OptFloat c0, const std::string& activation, const std::string& recurrent_activation,
         bool time_major, bool go_backwards, bool return_sequences, bool zero_output_for_mask,
         std::optional<LengthsArray> lengths, OptFloat w_i_diag, OptFloat w_f_diag,
         OptFloat w_o_diag, std::optional<py::array> projection, float cell_clip,
         float proj_clip, int threads, OptFloat kernel_scale, OptFloat recurrent_kernel_scale,
         OptFloat projection_scale) {
        LstmSpec spec;
        spec.cell_clip = cell_clip, spec.proj_clip = proj_clip;
        return Forward(spec, isa, x,
                       Direction({kernel, recurrent, kernel_scale, recurrent_kernel_scale,
                                  projection, projection_scale},
                                 bias, h0, c0, w_i_diag, w_f_diag, w_o_diag),
                       {mask, lengths, activation, recurrent_activation,
                        {time_major, go_backwards, return_sequences, zero_output_for_mask},
                        threads});
      },
      py::arg("isa"), py::arg("x"), py::arg("kernel"), py::arg("recurrent_kernel"),
      py::arg("bias").none(true), py::arg("mask").none(true), py::arg("h0").none(true),
      py::arg("c0").none(true), py::kw_only(), py::arg("activation") = "tanh",
      py::arg("recurrent_activation") = "sigmoid", py::arg("time_major") = false,
      py::arg("go_backwards") = false, py::arg("return_sequences") = false,
      py::arg("zero_output_for_mask") = false, py::arg("lengths").none(true) = py::none(),
      py::arg("w_i_diag").none(true) = py::none(), py::arg("w_f_diag").none(true) = py::none(),
      py::arg("w_o_diag").none(true) = py::none(),
      py::arg("projection").none(true) = py::none(), py::arg("cell_clip") = 0.0f,
      py::arg("proj_clip") = 0.0f, py::arg("threads") = 1,
      py::arg("kernel_scale").none(true) = py::none(),
      py::arg("recurrent_kernel_scale").none(true) = py::none(),
      py::arg("projection_scale").none(true) = py::none(),
      "Whole-sequence LSTM with Keras 3 semantics plus TF1 LSTMCell extras "
      "(peepholes from the three diagonals, cell_clip, projection [units, num_proj] with "
      "proj_clip) and per-example lengths. Weight matrices are float32, float16, or int8 with "
      "per-column <name>_scale arrays. Returns (output, h, c).");
}

void RegisterGruRnn(py::module_& m) {
  m.def(
      "gru_forward",
      [](const std::string& isa, const FloatArray& x, const py::array& kernel,
         const py::array& recurrent, OptFloat bias, std::optional<MaskArray> mask, OptFloat h0,
         const std::string& activation, const std::string& recurrent_activation,
         bool reset_after, bool time_major, bool go_backwards, bool return_sequences,
         bool zero_output_for_mask, std::optional<LengthsArray> lengths, int threads,
         OptFloat kernel_scale, OptFloat recurrent_kernel_scale) {
        GruSpec spec;
        spec.reset_after = reset_after;
        return Forward(spec, isa, x,
                       Direction({kernel, recurrent, kernel_scale, recurrent_kernel_scale},
                                 bias, h0),
                       {mask, lengths, activation, recurrent_activation,
                        {time_major, go_backwards, return_sequences, zero_output_for_mask},
                        threads});
      },
      py::arg("isa"), py::arg("x"), py::arg("kernel"), py::arg("recurrent_kernel"),
      py::arg("bias").none(true), py::arg("mask").none(true), py::arg("h0").none(true),
      py::kw_only(), py::arg("activation") = "tanh", py::arg("recurrent_activation") = "sigmoid",
      py::arg("reset_after") = true, py::arg("time_major") = false,
      py::arg("go_backwards") = false, py::arg("return_sequences") = false,
      py::arg("zero_output_for_mask") = false, py::arg("lengths").none(true) = py::none(),
      py::arg("threads") = 1, py::arg("kernel_scale").none(true) = py::none(),
      py::arg("recurrent_kernel_scale").none(true) = py::none(),
      "Whole-sequence GRU with Keras 3 semantics; float32, float16 or int8 (+ <name>_scale) "
      "weight matrices. Returns (output, h).");
  m.def(
      "rnn_forward",
      [](const std::string& isa, const FloatArray& x, const py::array& kernel,
         const py::array& recurrent, OptFloat bias, std::optional<MaskArray> mask, OptFloat h0,
         const std::string& activation, bool time_major, bool go_backwards,
         bool return_sequences, bool zero_output_for_mask, std::optional<LengthsArray> lengths,
         int threads, OptFloat kernel_scale, OptFloat recurrent_kernel_scale) {
        return Forward(RnnSpec{}, isa, x,
                       Direction({kernel, recurrent, kernel_scale, recurrent_kernel_scale},
                                 bias, h0),
                       {mask, lengths, activation, "linear",
                        {time_major, go_backwards, return_sequences, zero_output_for_mask},
                        threads});
      },
      py::arg("isa"), py::arg("x"), py::arg("kernel"), py::arg("recurrent_kernel"),
      py::arg("bias").none(true), py::arg("mask").none(true), py::arg("h0").none(true),
      py::kw_only(), py::arg("activation") = "tanh", py::arg("time_major") = false,
      py::arg("go_backwards") = false, py::arg("return_sequences") = false,
      py::arg("zero_output_for_mask") = false, py::arg("lengths").none(true) = py::none(),
      py::arg("threads") = 1, py::arg("kernel_scale").none(true) = py::none(),
      py::arg("recurrent_kernel_scale").none(true) = py::none(),
      "Whole-sequence SimpleRNN with Keras 3 semantics; float32, float16 or int8 (+ "
      "<name>_scale) weight matrices. Returns (output, h).");
}

void RegisterBidirectional(py::module_& m) {
  m.def(
      "bidirectional_forward",
      [](const std::string& isa, const std::string& kind, const FloatArray& x,
         const py::dict& forward, const py::dict& backward, std::optional<MaskArray> mask,
         const std::string& activation, const std::string& recurrent_activation,
         bool reset_after, bool time_major, bool return_sequences, bool zero_output_for_mask,
         std::optional<LengthsArray> lengths, float cell_clip, float proj_clip, int threads) {
        const DirectionArrays fa = DirectionFromDict(forward), ba = DirectionFromDict(backward);
        const CallArgs c{mask, lengths, activation, recurrent_activation,
                         {time_major, false, return_sequences, zero_output_for_mask},
                         threads};
        if (kind == "lstm") {
          LstmSpec spec;
          spec.cell_clip = cell_clip, spec.proj_clip = proj_clip;
          return Bidirectional(spec, spec, isa, x, fa, ba, c);
        }
        if (kind == "gru") {
          GruSpec spec;
          spec.reset_after = reset_after;
          return Bidirectional(spec, spec, isa, x, fa, ba, c);
        }
        if (kind == "rnn") {
          CallArgs rc = c;
          rc.recurrent_activation = "linear";
          return Bidirectional(RnnSpec{}, RnnSpec{}, isa, x, fa, ba, rc);
        }
        throw py::value_error(
            "bidirectional_forward: argument 'kind' must be lstm, gru or rnn, got '" + kind + "'");
      },
      py::arg("isa"), py::arg("kind"), py::arg("x"), py::arg("forward"), py::arg("backward"),
      py::arg("mask").none(true) = py::none(), py::kw_only(), py::arg("activation") = "tanh",
      py::arg("recurrent_activation") = "sigmoid", py::arg("reset_after") = true,
      py::arg("time_major") = false, py::arg("return_sequences") = false,
      py::arg("zero_output_for_mask") = false, py::arg("lengths").none(true) = py::none(),
      py::arg("cell_clip") = 0.0f, py::arg("proj_clip") = 0.0f, py::arg("threads") = 1,
      "Keras Bidirectional (merge_mode='concat') over two kernels run one after the other (with "
      "threads >= 2: each direction on its own thread); with "
      "lengths, TF1 bidirectional_dynamic_rnn. forward/backward: dicts with kernel, "
      "recurrent_kernel and optional bias, h0, c0 (LSTM also w_i_diag, w_f_diag, w_o_diag, "
      "projection); int8 matrices with kernel_scale, recurrent_kernel_scale, projection_scale. "
      "Returns (output, *forward_states, *backward_states).");
}

}  // namespace

void RegisterKernelBindings(py::module_& m) {
  m.def(
      "isa_available",
      [](const std::string& name) {
        Isa isa;
        return IsaFromName(name.c_str(), &isa) && IsaAvailable(isa);
      },
      py::arg("name"), "True if the named ISA variant is compiled in and supported by this CPU.");
  m.def(
      "active_isa", [] { return std::string(IsaName(ActiveIsa())); },
      "The ISA the kernels use by default (honours TFLITE_RNN_OPS_ISA).");
  m.def(
      "active_q8_leaf", [] { return std::string(mk::Q8LeafName(mk::ActiveQ8Leaf(ActiveIsa()))); },
      "The int8 product leaf the active ISA's kernels use on this CPU.");
  RegisterLstm(m);
  RegisterGruRnn(m);
  RegisterBidirectional(m);
  m.def("activation_forward", &ActivationForward, py::arg("isa"), py::arg("name"), py::arg("x"),
        "Applies the named activation with the given ISA's vectorised implementation.");
}

}  // namespace tflite_rnn_ops
