// Test/benchmark bindings for the kernel core: marshal numpy arrays, validate shapes, call the
// kernel. No math here.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cc/kernels/activation.h"
#include "cc/kernels/bidirectional.h"
#include "cc/kernels/dispatch.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/gru.h"
#include "cc/kernels/lstm.h"
#include "cc/kernels/rnn.h"

namespace py = pybind11;

namespace tflite_rnn_ops {
namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using MaskArray = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;
using Shape = std::vector<py::ssize_t>;

std::string ShapeString(const Shape& shape) {  // Python tuple spelling
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

Shape ShapeOf(const py::array& a) { return Shape(a.shape(), a.shape() + a.ndim()); }

void CheckShape(const char* fn, const char* arg, const py::array& a, const Shape& expected) {
  if (ShapeOf(a) == expected) return;
  throw py::value_error(std::string(fn) + ": argument '" + arg + "' must have shape " +
                        ShapeString(expected) + ", got " + ShapeString(ShapeOf(a)));
}

Isa ParseIsa(const std::string& name) {
  Isa isa;
  if (!IsaFromName(name.c_str(), &isa)) {
    throw py::value_error("unknown isa '" + name + "' (expected ref, avx2, avx512 or neon)");
  }
  if (!IsaAvailable(isa)) {
    throw py::value_error("isa '" + name + "' is not available in this build on this CPU");
  }
  return isa;
}

Activation ParseActivation(const char* arg, const std::string& name) {
  Activation a;
  if (!ActivationFromName(name, &a)) {
    throw py::value_error(std::string("argument '") + arg + "': unknown activation '" + name +
                          "' (expected tanh, sigmoid, relu, hard_sigmoid or linear)");
  }
  return a;
}

// Shapes shared by every recurrent binding: x gives batch/time/features, the recurrent kernel
// gives units.
struct SeqDims {
  int batch = 0, time = 0, features = 0, units = 0;
  bool time_major = false;
  Shape Seq(py::ssize_t last) const {
    return time_major ? Shape{time, batch, last} : Shape{batch, time, last};
  }
  Shape Mask() const { return time_major ? Shape{time, batch} : Shape{batch, time}; }
};

SeqDims ParseDims(const char* fn, const FloatArray& x, const FloatArray& recurrent, int gates,
                  bool time_major) {
  if (x.ndim() != 3 || x.shape(0) < 1 || x.shape(1) < 1 || x.shape(2) < 1) {
    throw py::value_error(std::string(fn) + ": argument 'x' must be 3-D " +
                          (time_major ? "(time, batch, features)" : "(batch, time, features)") +
                          " with every size >= 1, got shape " + ShapeString(ShapeOf(x)));
  }
  if (recurrent.ndim() != 2 || recurrent.shape(0) < 1) {
    throw py::value_error(std::string(fn) + ": argument 'recurrent_kernel' must be 2-D (units, " +
                          std::to_string(gates) + "*units), got shape " +
                          ShapeString(ShapeOf(recurrent)));
  }
  SeqDims d;
  d.time_major = time_major;
  d.batch = static_cast<int>(time_major ? x.shape(1) : x.shape(0));
  d.time = static_cast<int>(time_major ? x.shape(0) : x.shape(1));
  d.features = static_cast<int>(x.shape(2));
  d.units = static_cast<int>(recurrent.shape(0));
  CheckShape(fn, "recurrent_kernel", recurrent,
             {d.units, static_cast<py::ssize_t>(gates) * d.units});
  return d;
}

const float* OptionalState(const char* fn, const char* arg, const std::optional<FloatArray>& a,
                           const SeqDims& d) {
  if (!a) return nullptr;
  CheckShape(fn, arg, *a, {d.batch, d.units});
  return a->data();
}

const uint8_t* OptionalMask(const char* fn, const std::optional<MaskArray>& m, const SeqDims& d) {
  if (!m) return nullptr;
  CheckShape(fn, "mask", *m, d.Mask());
  return m->data();
}

// Options every kind shares (Keras RNN layer arguments).
struct Flags { bool time_major, go_backwards, return_sequences, zero_output_for_mask; };

template <class Options>
void ApplyFlags(const Flags& f, Options* o) {
  o->time_major = f.time_major;
  o->go_backwards = f.go_backwards;
  o->return_sequences = f.return_sequences;
  o->zero_output_for_mask = f.zero_output_for_mask;
}

// One direction's arrays, validated against the dims; kept alive while the kernel runs.
struct DirectionArrays { FloatArray kernel, recurrent; std::optional<FloatArray> bias, h0, c0; };
struct Outputs { FloatArray out, h, c; };
FloatArray NewState(const SeqDims& d) { return FloatArray(Shape{d.batch, d.units}); }

// Kind-specific setup: option/weight/io structs from validated arrays.
struct LstmSpec {
  using Kernel = LstmKernel;
  static constexpr int kGates = 4;
  static constexpr const char* kFn = "lstm_forward";
  LstmOptions o;
  LstmWeights w;
  LstmIo io;
  void Set(const SeqDims& d, const DirectionArrays& a, const Flags& f, Activation act,
           Activation ract, const char* fn) {
    CheckShape(fn, "kernel", a.kernel, {d.features, 4 * d.units});
    if (a.bias) CheckShape(fn, "bias", *a.bias, {4 * d.units});
    o.input_size = d.features, o.units = d.units, o.activation = act;
    o.recurrent_activation = ract;
    ApplyFlags(f, &o);
    w = {a.kernel.data(), a.recurrent.data(), a.bias ? a.bias->data() : nullptr};
    io.h0 = OptionalState(fn, "h0", a.h0, d);
    io.c0 = OptionalState(fn, "c0", a.c0, d);
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
    CheckShape(fn, "kernel", a.kernel, {d.features, 3 * d.units});
    const Shape bias_shape = reset_after ? Shape{2, 3 * d.units} : Shape{3 * d.units};
    if (a.bias) CheckShape(fn, "bias", *a.bias, bias_shape);
    o.input_size = d.features, o.units = d.units, o.activation = act;
    o.recurrent_activation = ract, o.reset_after = reset_after;
    ApplyFlags(f, &o);
    w = {a.kernel.data(), a.recurrent.data(), a.bias ? a.bias->data() : nullptr};
    io.h0 = OptionalState(fn, "h0", a.h0, d);
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
    CheckShape(fn, "kernel", a.kernel, {d.features, d.units});
    if (a.bias) CheckShape(fn, "bias", *a.bias, {d.units});
    o.input_size = d.features, o.units = d.units, o.activation = act;
    ApplyFlags(f, &o);
    w = {a.kernel.data(), a.recurrent.data(), a.bias ? a.bias->data() : nullptr};
    io.h0 = OptionalState(fn, "h0", a.h0, d);
  }
  void SetOutputs(float* out, Outputs* s) { io.output = out, io.h_out = s->h.mutable_data(); }
};

template <class Spec>
void PrepareKernel(Isa isa, const SeqDims& d, const FloatArray& x, const uint8_t* mask,
                   Spec* spec, typename Spec::Kernel* kernel) {
  spec->io.batch = d.batch, spec->io.time = d.time, spec->io.x = x.data(), spec->io.mask = mask;
  kernel->Init(isa, spec->o);
  kernel->Pack(spec->w);
  kernel->Reserve(d.batch, d.time);
}

template <class Spec>
py::tuple StatesTuple(const Outputs& s) {
  if constexpr (Spec::kGates == 4) return py::make_tuple(s.h, s.c);
  return py::make_tuple(s.h);
}

template <class Spec>
py::tuple Forward(Spec spec, const std::string& isa_name, const FloatArray& x,
                  const DirectionArrays& a, const std::optional<MaskArray>& mask,
                  const std::string& activation, const std::string& recurrent_activation,
                  const Flags& f) {
  const char* fn = Spec::kFn;
  const Isa isa = ParseIsa(isa_name);
  const SeqDims d = ParseDims(fn, x, a.recurrent, Spec::kGates, f.time_major);
  spec.Set(d, a, f, ParseActivation("activation", activation),
           ParseActivation("recurrent_activation", recurrent_activation), fn);
  const uint8_t* m = OptionalMask(fn, mask, d);
  Outputs s{FloatArray(f.return_sequences ? d.Seq(d.units) : Shape{d.batch, d.units}),
            NewState(d), NewState(d)};
  spec.SetOutputs(s.out.mutable_data(), &s);
  {
    py::gil_scoped_release release;
    typename Spec::Kernel kernel;
    PrepareKernel(isa, d, x, m, &spec, &kernel);
    kernel.Run(spec.io);
  }
  return py::make_tuple(s.out) + StatesTuple<Spec>(s);
}

// Keras Bidirectional(merge_mode="concat"): output [..., 2U] = [forward | backward in time
// order]; returns (output, *forward_states, *backward_states).
template <class Spec>
py::tuple Bidirectional(Spec fw, Spec bw, const std::string& isa_name, const FloatArray& x,
                        const DirectionArrays& fa, const DirectionArrays& ba,
                        const std::optional<MaskArray>& mask, const std::string& activation,
                        const std::string& recurrent_activation, Flags f) {
  const char* fn = "bidirectional_forward";
  const Isa isa = ParseIsa(isa_name);
  const SeqDims d = ParseDims(fn, x, fa.recurrent, Spec::kGates, f.time_major);
  CheckShape(fn, "backward recurrent_kernel", ba.recurrent, ShapeOf(fa.recurrent));
  const Activation act = ParseActivation("activation", activation);
  const Activation ract = ParseActivation("recurrent_activation", recurrent_activation);
  f.go_backwards = false;
  fw.Set(d, fa, f, act, ract, fn);
  f.go_backwards = true;
  bw.Set(d, ba, f, act, ract, fn);
  const uint8_t* m = OptionalMask(fn, mask, d);
  FloatArray out(f.return_sequences ? d.Seq(2 * d.units) : Shape{d.batch, 2 * d.units});
  Outputs fs{out, NewState(d), NewState(d)}, bs{out, NewState(d), NewState(d)};
  fw.SetOutputs(out.mutable_data(), &fs);
  bw.SetOutputs(out.mutable_data() + d.units, &bs);
  OutputPlacement fp, bp;
  fp.row_stride = bp.row_stride = 2 * d.units;
  bp.time_order = true;
  {
    py::gil_scoped_release release;
    typename Spec::Kernel fk, bk;
    PrepareKernel(isa, d, x, m, &fw, &fk);
    PrepareKernel(isa, d, x, m, &bw, &bk);
    RunBidirectional(fk, fw.io, fp, bk, bw.io, bp);
  }
  return py::make_tuple(out) + StatesTuple<Spec>(fs) + StatesTuple<Spec>(bs);
}

// A missing required key raises KeyError naming it.
DirectionArrays DirectionFromDict(const py::dict& d) {
  auto optional = [&](const char* key) -> std::optional<FloatArray> {
    if (!d.contains(key) || d[key].is_none()) return std::nullopt;
    return d[key].cast<FloatArray>();
  };
  return {d["kernel"].cast<FloatArray>(), d["recurrent_kernel"].cast<FloatArray>(),
          optional("bias"), optional("h0"), optional("c0")};
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

void RegisterLstmGru(py::module_& m) {
  m.def(
      "lstm_forward",
      [](const std::string& isa, const FloatArray& x, const FloatArray& kernel,
         const FloatArray& recurrent, std::optional<FloatArray> bias,
         std::optional<MaskArray> mask, std::optional<FloatArray> h0,
         std::optional<FloatArray> c0, const std::string& activation,
         const std::string& recurrent_activation, bool time_major, bool go_backwards,
         bool return_sequences, bool zero_output_for_mask) {
        return Forward(LstmSpec{}, isa, x, {kernel, recurrent, bias, h0, c0}, mask, activation,
                       recurrent_activation,
                       {time_major, go_backwards, return_sequences, zero_output_for_mask});
      },
      py::arg("isa"), py::arg("x"), py::arg("kernel"), py::arg("recurrent_kernel"),
      py::arg("bias").none(true), py::arg("mask").none(true), py::arg("h0").none(true),
      py::arg("c0").none(true), py::kw_only(), py::arg("activation") = "tanh",
      py::arg("recurrent_activation") = "sigmoid", py::arg("time_major") = false,
      py::arg("go_backwards") = false, py::arg("return_sequences") = false,
      py::arg("zero_output_for_mask") = false,
      "Whole-sequence float32 LSTM with Keras 3 semantics. Returns (output, h, c).");
  m.def(
      "gru_forward",
      [](const std::string& isa, const FloatArray& x, const FloatArray& kernel,
         const FloatArray& recurrent, std::optional<FloatArray> bias,
         std::optional<MaskArray> mask, std::optional<FloatArray> h0,
         const std::string& activation, const std::string& recurrent_activation,
         bool reset_after, bool time_major, bool go_backwards, bool return_sequences,
         bool zero_output_for_mask) {
        GruSpec spec;
        spec.reset_after = reset_after;
        return Forward(spec, isa, x, {kernel, recurrent, bias, h0, std::nullopt}, mask,
                       activation, recurrent_activation,
                       {time_major, go_backwards, return_sequences, zero_output_for_mask});
      },
      py::arg("isa"), py::arg("x"), py::arg("kernel"), py::arg("recurrent_kernel"),
      py::arg("bias").none(true), py::arg("mask").none(true), py::arg("h0").none(true),
      py::kw_only(), py::arg("activation") = "tanh", py::arg("recurrent_activation") = "sigmoid",
      py::arg("reset_after") = true, py::arg("time_major") = false,
      py::arg("go_backwards") = false, py::arg("return_sequences") = false,
      py::arg("zero_output_for_mask") = false,
      "Whole-sequence float32 GRU with Keras 3 semantics. Returns (output, h).");
}

void RegisterRnnBidirectional(py::module_& m) {
  m.def(
      "rnn_forward",
      [](const std::string& isa, const FloatArray& x, const FloatArray& kernel,
         const FloatArray& recurrent, std::optional<FloatArray> bias,
         std::optional<MaskArray> mask, std::optional<FloatArray> h0,
         const std::string& activation, bool time_major, bool go_backwards,
         bool return_sequences, bool zero_output_for_mask) {
        return Forward(RnnSpec{}, isa, x, {kernel, recurrent, bias, h0, std::nullopt}, mask,
                       activation, "linear",
                       {time_major, go_backwards, return_sequences, zero_output_for_mask});
      },
      py::arg("isa"), py::arg("x"), py::arg("kernel"), py::arg("recurrent_kernel"),
      py::arg("bias").none(true), py::arg("mask").none(true), py::arg("h0").none(true),
      py::kw_only(), py::arg("activation") = "tanh", py::arg("time_major") = false,
      py::arg("go_backwards") = false, py::arg("return_sequences") = false,
      py::arg("zero_output_for_mask") = false,
      "Whole-sequence float32 SimpleRNN with Keras 3 semantics. Returns (output, h).");
  m.def(
      "bidirectional_forward",
      [](const std::string& isa, const std::string& kind, const FloatArray& x,
         const py::dict& forward, const py::dict& backward, std::optional<MaskArray> mask,
         const std::string& activation, const std::string& recurrent_activation,
         bool reset_after, bool time_major, bool return_sequences, bool zero_output_for_mask) {
        const DirectionArrays fa = DirectionFromDict(forward), ba = DirectionFromDict(backward);
        const Flags f{time_major, false, return_sequences, zero_output_for_mask};
        if (kind == "lstm") {
          return Bidirectional(LstmSpec{}, LstmSpec{}, isa, x, fa, ba, mask, activation,
                               recurrent_activation, f);
        }
        if (kind == "gru") {
          GruSpec spec;
          spec.reset_after = reset_after;
          return Bidirectional(spec, spec, isa, x, fa, ba, mask, activation,
                               recurrent_activation, f);
        }
        if (kind == "rnn") {
          return Bidirectional(RnnSpec{}, RnnSpec{}, isa, x, fa, ba, mask, activation,
                               "linear", f);
        }
        throw py::value_error(
            "bidirectional_forward: argument 'kind' must be lstm, gru or rnn, got '" + kind + "'");
      },
      py::arg("isa"), py::arg("kind"), py::arg("x"), py::arg("forward"), py::arg("backward"),
      py::arg("mask").none(true) = py::none(), py::kw_only(), py::arg("activation") = "tanh",
      py::arg("recurrent_activation") = "sigmoid", py::arg("reset_after") = true,
      py::arg("time_major") = false, py::arg("return_sequences") = false,
      py::arg("zero_output_for_mask") = false,
      "Keras Bidirectional (merge_mode='concat') over two kernels run step-interleaved. "
      "forward/backward: dicts with kernel, recurrent_kernel and optional bias, h0, c0. "
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
  RegisterLstmGru(m);
  RegisterRnnBidirectional(m);
  m.def("activation_forward", &ActivationForward, py::arg("isa"), py::arg("name"), py::arg("x"),
        "Applies the named activation with the given ISA's vectorised implementation.");
}

}  // namespace tflite_rnn_ops
