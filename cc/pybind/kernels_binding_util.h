// Array validation shared by the kernel bindings (kernels_binding.cc): shapes, ISA and
// activation names, optional inputs. Errors are ValueErrors naming the function, the argument,
// the expected and the received value.
#ifndef TFLITE_RNN_OPS_PYBIND_KERNELS_BINDING_UTIL_H_
#define TFLITE_RNN_OPS_PYBIND_KERNELS_BINDING_UTIL_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cc/kernels/activation.h"
#include "cc/kernels/dispatch.h"
#include "cc/kernels/weights.h"

namespace tflite_rnn_ops {
namespace binding {

namespace py = pybind11;

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using MaskArray = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;
using LengthsArray = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;
using Shape = std::vector<py::ssize_t>;

inline std::string ShapeString(const Shape& shape) {  // Python tuple spelling
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

inline Shape ShapeOf(const py::array& a) { return Shape(a.shape(), a.shape() + a.ndim()); }

inline void CheckShape(const char* fn, const char* arg, const py::array& a,
                       const Shape& expected) {
  if (ShapeOf(a) == expected) return;
  throw py::value_error(std::string(fn) + ": argument '" + arg + "' must have shape " +
                        ShapeString(expected) + ", got " + ShapeString(ShapeOf(a)));
}

inline Isa ParseIsa(const std::string& name) {
  Isa isa;
  if (!IsaFromName(name.c_str(), &isa)) {
    throw py::value_error("unknown isa '" + name + "' (expected ref, avx2, avx512 or neon)");
  }
  if (!IsaAvailable(isa)) {
    throw py::value_error("isa '" + name + "' is not available in this build on this CPU");
  }
  return isa;
}

inline std::string ActivationNames() {
  std::string names;
  for (int i = 0;; ++i) {
    const std::string name = ActivationName(static_cast<Activation>(i));
    if (name == "unknown") return names + ", swish, hard_swish";
    names += (i ? ", " : "") + name;
  }
}

inline Activation ParseActivation(const char* arg, const std::string& name) {
  Activation a;
  if (!ActivationFromName(name, &a)) {
    throw py::value_error(std::string("argument '") + arg + "': unknown activation '" + name +
                          "' (expected one of " + ActivationNames() + ")");
  }
  return a;
}

// Shapes shared by every recurrent binding: x gives batch/time/features, the recurrent kernel
// (or the LSTM projection) gives units. out_units is the width of h and of the output: the
// projection size P with a projection, else units.
struct SeqDims {
  int batch = 0, time = 0, features = 0, units = 0, out_units = 0;
  bool time_major = false;
  Shape Seq(py::ssize_t last) const {
    return time_major ? Shape{time, batch, last} : Shape{batch, time, last};
  }
  Shape Mask() const { return time_major ? Shape{time, batch} : Shape{batch, time}; }
};

inline SeqDims ParseDims(const char* fn, const FloatArray& x, const py::array& recurrent,
                         int gates, bool time_major, const py::array* projection = nullptr) {
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
  if (projection != nullptr &&
      (projection->ndim() != 2 || projection->shape(0) < 1 || projection->shape(1) < 1)) {
    throw py::value_error(std::string(fn) + ": argument 'projection' must be 2-D (units, " +
                          "num_proj), got shape " + ShapeString(ShapeOf(*projection)));
  }
  SeqDims d;
  d.time_major = time_major;
  d.batch = static_cast<int>(time_major ? x.shape(1) : x.shape(0));
  d.time = static_cast<int>(time_major ? x.shape(0) : x.shape(1));
  d.features = static_cast<int>(x.shape(2));
  d.units = static_cast<int>(projection ? projection->shape(0) : recurrent.shape(0));
  d.out_units = static_cast<int>(projection ? projection->shape(1) : d.units);
  CheckShape(fn, "recurrent_kernel", recurrent,
             {d.out_units, static_cast<py::ssize_t>(gates) * d.units});
  return d;
}

inline const char* WeightTypeName(WeightType t) {
  return t == WeightType::kFloat32 ? "float32" : t == WeightType::kFloat16 ? "float16" : "int8";
}

// A weight matrix argument in its storage type, from the array's dtype: int8 (with per-column
// scales from `<arg>_scale`, length columns or 1), float16, or anything else cast to float32.
struct WeightArg {
  py::array data;
  WeightType type = WeightType::kFloat32;
  std::vector<float> scales;  // int8: one per column

  WeightMatrix matrix() const {
    switch (type) {
      case WeightType::kFloat16:
        return WeightMatrix::Float16(static_cast<const uint16_t*>(data.data()));
      case WeightType::kInt8:
        return WeightMatrix::Int8(static_cast<const int8_t*>(data.data()), scales.data());
      case WeightType::kFloat32:
        break;
    }
    return static_cast<const float*>(data.data());
  }
};

inline WeightArg ParseWeight(const char* arg, const py::array& a,
                             const std::optional<FloatArray>& scale) {
  WeightArg w;
  const py::dtype dt = a.dtype();
  const std::string scale_arg = std::string(arg) + "_scale";
  if (dt.kind() == 'i' && dt.itemsize() == 1) {
    w.type = WeightType::kInt8;
    w.data = py::array::ensure(a, py::array::c_style);
    const py::ssize_t cols = a.ndim() == 2 ? a.shape(1) : 0;
    if (!scale || (scale->ndim() != 1) || (scale->shape(0) != cols && scale->shape(0) != 1)) {
      throw py::value_error("argument '" + scale_arg + "': int8 '" + arg +
                            "' needs float32 scales of shape (" + std::to_string(cols) +
                            ",) or (1,), got " +
                            (scale ? ShapeString(ShapeOf(*scale)) : std::string("None")));
    }
    for (py::ssize_t c = 0; c < cols; ++c) {
      const float s = scale->data()[scale->shape(0) == 1 ? 0 : c];
      if (!(s > 0.0f) || !std::isfinite(s)) {
        throw py::value_error("argument '" + scale_arg + "': every scale must be finite and "
                              "> 0, got " + std::to_string(s) + " at index " + std::to_string(c));
      }
      w.scales.push_back(s);
    }
    return w;
  }
  if (scale) {
    throw py::value_error("argument '" + scale_arg + "' is only for int8 '" + arg + "'");
  }
  if (dt.kind() == 'f' && dt.itemsize() == 2) {
    w.type = WeightType::kFloat16;
    w.data = py::array::ensure(a, py::array::c_style);
    return w;
  }
  w.data = FloatArray::ensure(a);
  if (!w.data) throw py::value_error(std::string("argument '") + arg + "' must be numeric");
  return w;
}

// Every matrix of a kernel shares one storage type (the kernels' weight_type).
inline void CheckSameType(const char* fn, const WeightArg& first, const char* arg,
                          const WeightArg& other) {
  if (other.type == first.type) return;
  throw py::value_error(std::string(fn) + ": argument '" + arg + "' is " +
                        WeightTypeName(other.type) + " but 'kernel' is " +
                        WeightTypeName(first.type) + " (all weight matrices share one type)");
}

inline const float* OptionalArray(const char* fn, const char* arg,
                                  const std::optional<FloatArray>& a, const Shape& shape) {
  if (!a) return nullptr;
  CheckShape(fn, arg, *a, shape);
  return a->data();
}

inline const uint8_t* OptionalMask(const char* fn, const std::optional<MaskArray>& m,
                                   const SeqDims& d) {
  if (!m) return nullptr;
  CheckShape(fn, "mask", *m, d.Mask());
  return m->data();
}

inline const int32_t* OptionalLengths(const char* fn, const std::optional<LengthsArray>& lengths,
                                      bool has_mask, const SeqDims& d) {
  if (!lengths) return nullptr;
  if (has_mask) {
    throw py::value_error(std::string(fn) + ": arguments 'mask' and 'lengths' are exclusive");
  }
  CheckShape(fn, "lengths", *lengths, {d.batch});
  for (int b = 0; b < d.batch; ++b) {
    const int32_t len = lengths->data()[b];
    if (len < 0 || len > d.time) {
      throw py::value_error(std::string(fn) + ": argument 'lengths' must be in [0, " +
                            std::to_string(d.time) + "], got " + std::to_string(len) +
                            " at index " + std::to_string(b));
    }
  }
  return lengths->data();
}

}  // namespace binding
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_PYBIND_KERNELS_BINDING_UTIL_H_
