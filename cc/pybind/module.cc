// tflite_rnn_ops._native: version, the kernel ISA in use, and the kernels themselves for tests.
// All logic lives in cc/kernels; this file only binds.
#include <pybind11/pybind11.h>

#include "cc/kernels/dispatch.h"

namespace tflite_rnn_ops {
void RegisterKernelBindings(pybind11::module_& m);
}

PYBIND11_MODULE(_native, m) {
  m.doc() = "Native core of tflite-rnn-ops (private).";
  m.attr("__version__") = TRO_VERSION;
  tflite_rnn_ops::RegisterKernelBindings(m);
}
