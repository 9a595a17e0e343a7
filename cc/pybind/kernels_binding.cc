// Test/benchmark bindings for the kernel core: marshal numpy arrays, validate shapes, call the
// kernel. No math here.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cc/kernels/activation.h"
#include "cc/kernels/dispatch.h"
#include "cc/kernels/isa/microkernels.h"
#include "cc/kernels/lstm.h"

namespace py = pybind11;

namespace tflite_rnn_ops {
namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using MaskArray = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;
using Shape = std::vector<py::ssize_t>;

std::string ShapeString(const Shape& shape) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << (shape.size() == 1 ? ",)" : ")");
  return s.str();
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
  if (x.ndim() != 3) {
    throw py::value_error(std::string(fn) + ": argument 'x' must be 3-D " +
                          (time_major ? "(time, batch, features)" : "(batch, time, features)") +
                          ", got shape " + ShapeString(ShapeOf(x)));
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
  if (d.batch < 1 || d.features < 1) {
    throw py::value_error(std::string(fn) + ": argument 'x' needs batch >= 1 and features >= 1, got shape " +
                          ShapeString(ShapeOf(x)));
  }
  CheckShape(fn, "recurrent_kernel", recurrent, {d.units, static_cast<py::ssize_t>(gates) * d.units});
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

py::tuple LstmForward(const std::string& isa_name, const FloatArray& x, const FloatArray& kernel,
                      const FloatArray& recurrent, const std::optional<FloatArray>& bias,
                      const std::optional<MaskArray>& mask, const std::optional<FloatArray>& h0,
                      const std::optional<FloatArray>& c0, const std::string& activation,
                      const std::string& recurrent_activation, bool time_major, bool go_backwards,
                      bool return_sequences, bool zero_output_for_mask) {
  constexpr const char* fn = "lstm_forward";
  const Isa isa = ParseIsa(isa_name);
  const SeqDims d = ParseDims(fn, x, recurrent, 4, time_major);
  CheckShape(fn, "kernel", kernel, {d.features, 4 * d.units});
  if (bias) CheckShape(fn, "bias", *bias, {4 * d.units});
  LstmOptions o;
  o.input_size = d.features;
  o.units = d.units;
  o.activation = ParseActivation("activation", activation);
  o.recurrent_activation = ParseActivation("recurrent_activation", recurrent_activation);
  o.time_major = time_major;
  o.go_backwards = go_backwards;
  o.return_sequences = return_sequences;
  o.zero_output_for_mask = zero_output_for_mask;
  LstmIo io;
  io.batch = d.batch;
  io.time = d.time;
  io.x = x.data();
  io.mask = OptionalMask(fn, mask, d);
  io.h0 = OptionalState(fn, "h0", h0, d);
  io.c0 = OptionalState(fn, "c0", c0, d);
  FloatArray out(return_sequences ? d.Seq(d.units) : Shape{d.batch, d.units});
  FloatArray h({d.batch, d.units});
  FloatArray c({d.batch, d.units});
  io.output = out.mutable_data();
  io.h_out = h.mutable_data();
  io.c_out = c.mutable_data();
  {
    py::gil_scoped_release release;
    LstmKernel k;
    k.Init(isa, o);
    k.Pack({kernel.data(), recurrent.data(), bias ? bias->data() : nullptr});
    k.Reserve(d.batch, d.time);
    k.Run(io);
  }
  return py::make_tuple(out, h, c);
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
  m.def("lstm_forward", &LstmForward, py::arg("isa"), py::arg("x"), py::arg("kernel"),
        py::arg("recurrent_kernel"), py::arg("bias").none(true), py::arg("mask").none(true),
        py::arg("h0").none(true), py::arg("c0").none(true), py::kw_only(),
        py::arg("activation") = "tanh", py::arg("recurrent_activation") = "sigmoid",
        py::arg("time_major") = false, py::arg("go_backwards") = false,
        py::arg("return_sequences") = false, py::arg("zero_output_for_mask") = false,
        "Whole-sequence float32 LSTM with Keras 3 semantics. Returns (output, h, c).");
  m.def("activation_forward", &ActivationForward, py::arg("isa"), py::arg("name"), py::arg("x"),
        "Applies the named activation with the given ISA's vectorised implementation.");
}

}  // namespace tflite_rnn_ops
