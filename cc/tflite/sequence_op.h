// One TFLite op implementation for all three cells (LSTM, GRU, SimpleRNN), in one direction or
// both. A Cell traits struct (see lstm_op.cc) supplies the kernel type, the weight shapes and the
// state names; everything else (input layout, validation, output sizing, bidirectional merge)
// is shared here so that the three ops cannot drift apart.
//
// Tensor layout (docs/ops.md): inputs x, then per direction kernel, recurrent_kernel, bias, then
// the optional mask, then the optional initial states (per direction, per state), then with
// column_scales (v4) the int8 scales (per direction, per weight matrix). Outputs: the
// sequence output (two with a bidirectional merge_mode "none"), then the final states (per
// direction, per state).
#ifndef TFLITE_RNN_OPS_TFLITE_SEQUENCE_OP_H_
#define TFLITE_RNN_OPS_TFLITE_SEQUENCE_OP_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "cc/kernels/bidirectional.h"
#include "cc/kernels/dispatch.h"
#include "cc/tflite/op_common.h"
#include "cc/tflite/sequence_layout.h"
#include "cc/tflite/weight_tensors.h"

namespace tflite_rnn_ops {

// A weight input of a cell: kernel, recurrent_kernel, bias, or an extra (e.g. LSTM peepholes).
struct ExtraWeightSpec {
  std::string name;
  std::vector<int> dims;
  const char* layout;
};

template <class Cell>
struct SequenceOpData {
  std::string init_error;  // reported from Prepare: Init has no way to fail loudly
  SequenceAttrs attrs;
  SequenceLayout layout;
  typename Cell::Options options[2];
  typename Cell::Kernel kernels[2];
  bool kernels_ready = false;
  bool weights_constant = false;
  // Storage of every weight matrix (kernel, recurrent_kernel, projection), from the tensors' type;
  // the kernels were Init'ed for prepared_type.
  WeightType weight_type = WeightType::kFloat32;
  WeightType prepared_type = WeightType::kFloat32;
  // int8 only: per direction and weight input, one scale per output column (per-tensor scales
  // expanded), kept for the kernels' Pack.
  std::vector<float> column_scales[2][8];
  std::vector<float> backward_output;  // sum/mul/ave merges: the backward half before merging
  // The interpreter's num_threads (context->recommended_num_threads) beyond one; made in Prepare.
  std::unique_ptr<ThreadPool> pool;
};

template <class Cell>
class SequenceOp {
 public:
  using Data = SequenceOpData<Cell>;

  static void* Init(TfLiteContext*, const char* buffer, size_t length) {
    auto* data = new Data;
    OpOptions options;
    typename Cell::Options cell;
    std::string& error = data->init_error;
    if (options.Parse(reinterpret_cast<const uint8_t*>(buffer), length, &error) &&
        CheckOptionKeys(options, Cell::kName, &error) &&
        ParseSequenceAttrs(options, &data->attrs, &error) &&
        Cell::ParseOptions(options, &cell, &error)) {
      data->layout = SequenceLayout(data->attrs, Cell::kNumStates, Cell::NumWeights(cell),
                                    NumMatrices(cell));
      for (int d = 0; d < 2; ++d) data->options[d] = DirectionOptions(data->attrs, cell, d);
    }
    return data;
  }

  static void Free(TfLiteContext*, void* buffer) { delete static_cast<Data*>(buffer); }

  // Scratch sized from the shapes may not fit in memory: a clean error, not an exception
  // unwinding into the interpreter.
  static TfLiteStatus Prepare(TfLiteContext* context, TfLiteNode* node) {
    try {
      return PrepareSized(context, node);
    } catch (const std::bad_alloc&) {
    } catch (const std::length_error&) {
    }
    ReportOpError(context, Cell::kName, "out of memory allocating the scratch for input 'x' of "
                                        "shape " + ShapeString(NodeInput(context, node, 0)));
    return abi::kTfLiteError;
  }

  static TfLiteStatus PrepareSized(TfLiteContext* context, TfLiteNode* node) {
    auto* data = static_cast<Data*>(node->user_data);
    if (!data->init_error.empty()) {
      ReportOpError(context, Cell::kName, data->init_error);
      return abi::kTfLiteError;
    }
    SequenceShape s;
    const typename Cell::Options& o = data->options[0];
    const int state_units[2] = {Cell::StateUnits(o, 0), Cell::StateUnits(o, Cell::kNumStates - 1)};
    if (!CheckInputs(context, node, data, &s) ||
        !CheckSizes(context, Cell::kName, s, Cell::kGates, data->attrs.units, state_units[0],
                    data->layout.directions) ||
        ResizeOutputs(context, Cell::kName, node, data->attrs, data->layout, s,
                      Cell::StateUnits(o, 0), state_units) != abi::kTfLiteOk) {
      return abi::kTfLiteError;
    }
    if (!data->kernels_ready || data->prepared_type != data->weight_type) {
      PrepareKernels(context, node, data, s.features);
    }
    PrepareThreads(EffectiveThreads(context->recommended_num_threads), data);
    // An empty batch runs nothing (Eval returns early): nothing to reserve.
    for (int d = 0; d < data->layout.directions && s.batch > 0; ++d) {
      data->kernels[d].Reserve(s.batch, s.time);
    }
    if (data->layout.NeedsBackwardBuffer()) {
      data->backward_output.resize(static_cast<size_t>(s.batch) * s.time *
                                   Cell::StateUnits(data->options[0], 0));
    }
    return abi::kTfLiteOk;
  }

  static TfLiteStatus Eval(TfLiteContext* context, TfLiteNode* node) {
    auto* data = static_cast<Data*>(node->user_data);
    const SequenceLayout& l = data->layout;
    // Weights computed by other ops (e.g. a DEQUANTIZE) only exist now; packing reuses buffers
    // sized in Prepare.
    if (!data->weights_constant) {
      if (!RereadInputScales(context, node, data)) return abi::kTfLiteError;
      PackWeights(context, node, data);
    }
    typename Cell::Io io[2];
    OutputPlacement placement[2];
    const TfLiteTensor& x = NodeInput(context, node, 0);
    for (int d = 0; d < l.directions; ++d) {
      BindIo(context, node, *data, d, &io[d], &placement[d]);
    }
    if (io[0].batch == 0) return abi::kTfLiteOk;
    if (data->attrs.lengths &&
        !CheckLengthValues(context, Cell::kName, NodeInput(context, node, l.Mask()), io[0].time)) {
      return abi::kTfLiteError;
    }
    if (l.directions == 1) {
      RunDirection(data->kernels[0], io[0], placement[0]);
    } else {
      RunBidirectional(data->kernels[0], io[0], placement[0], data->kernels[1], io[1],
                       placement[1], data->pool.get());
      MergeBackward(*data, static_cast<float*>(NodeOutput(context, node, 0).data),
                    OutputElements(x, data->attrs, Cell::StateUnits(data->options[0], 0)));
    }
    if (data->attrs.stateful) WriteBackStates(context, node, l);
    return abi::kTfLiteOk;
  }

  static const abi::TfLiteRegistration* Registration() {
    static const abi::TfLiteRegistration registration = [] {
      abi::TfLiteRegistration r{};
      r.init = Init;
      r.free = Free;
      r.prepare = Prepare;
      r.invoke = Eval;
      r.builtin_code = abi::kTfLiteBuiltinCustom;
      r.custom_name = Cell::kName;
      r.version = 1;
      return r;
    }();
    return &registration;
  }

 private:
  static typename Cell::Options DirectionOptions(const SequenceAttrs& a,
                                                 typename Cell::Options cell, int d) {
    cell.units = a.units;
    cell.time_major = a.time_major;
    cell.return_sequences = a.return_sequences;
    cell.zero_output_for_mask = a.zero_output_for_mask;
    // The backward half of a pair, and a lone reverse direction, iterate from the end.
    cell.go_backwards = d == 1 || a.direction == Direction::kReverse || a.go_backwards;
    return cell;
  }

  static int NumMatrices(const typename Cell::Options& o) {
    int n = 0;
    for (int k = 0; k < Cell::NumWeights(o); ++k) n += Cell::IsMatrix(o, k) ? 1 : 0;
    return n;
  }

  // Name, shape and layout of weight input k (0 kernel, 1 recurrent_kernel, 2 bias, 3.. extras).
  static ExtraWeightSpec WeightSpec(const typename Cell::Options& o, int units, int features,
                                    int k) {
    switch (k) {
      case 0: return {"kernel", {features, Cell::kGates * units}, Cell::kKernelLayout};
      case 1:
        return {"recurrent_kernel", {Cell::StateUnits(o, 0), Cell::kGates * units},
                Cell::RecurrentLayout(o)};
      case 2: return {"bias", Cell::BiasShape(o, units), Cell::BiasLayout(o)};
      default: return Cell::ExtraWeight(o, k - 3);
    }
  }

  // The weight matrices' storage type, read from the first kernel; kTfLiteNoType (LiteRT's
  // shape-only Prepare) counts as float32 until the typed Prepare.
  static bool CheckWeightType(TfLiteContext* context, const TfLiteTensor& kernel,
                              const SequenceAttrs& attrs, WeightType* type) {
    if (kernel.type == abi::kTfLiteNoType) {
      *type = WeightType::kFloat32;
      return true;
    }
    if (!WeightTypeOfTensor(kernel.type, type)) {
      ReportOpError(context, Cell::kName, std::string("input 'kernel' expected float32, float16 or "
                                                      "int8 weights, got ") + TypeName(kernel.type));
      return false;
    }
    if (attrs.column_scales && *type != WeightType::kInt8) {
      ReportOpError(context, Cell::kName,
                    std::string("option 'column_scales' gives the scales of int8 weight "
                                "matrices, but input 'kernel' is ") + WeightTypeName(*type));
      return false;
    }
    if (*type != WeightType::kFloat32 && attrs.version < kQuantizedWeightsVersion) {
      ReportOpError(context, Cell::kName,
                    std::string("input 'kernel' is ") + WeightTypeName(*type) +
                        ": float16 and int8 weights need option 'version' >= " +
                        std::to_string(kQuantizedWeightsVersion) + ", the op says " +
                        std::to_string(attrs.version) +
                        " (a damaged or hand-edited model; convert it again)");
      return false;
    }
    return true;
  }

  static bool CheckWeights(TfLiteContext* context, const TfLiteNode* node, Data* data,
                           int features) {
    const SequenceLayout& l = data->layout;
    const typename Cell::Options& o = data->options[0];
    const TfLiteTensor& kernel = NodeInput(context, node, l.Kernel(0));
    WeightType type;
    if (!CheckWeightType(context, kernel, data->attrs, &type)) return false;
    const int matrix_type = kernel.type == abi::kTfLiteNoType ? abi::kTfLiteFloat32 : kernel.type;
    for (int d = 0; d < l.directions; ++d) {
      const std::string prefix = d == 0 ? "" : "backward_";
      int m = 0;  // weight matrices so far in this direction
      for (int k = 0; k < l.weights; ++k) {
        const ExtraWeightSpec spec = WeightSpec(o, data->attrs.units, features, k);
        const std::string name = prefix + spec.name;
        const TfLiteTensor& tensor = NodeInput(context, node, l.Kernel(d) + k);
        const bool matrix = Cell::IsMatrix(o, k);
        if (matrix && tensor.type != matrix_type && tensor.type != abi::kTfLiteNoType) {
          ReportOpError(context, Cell::kName,
                        "input '" + name + "' expected " + TypeName(matrix_type) +
                            " like input 'kernel' (an op's weight matrices share one type), got " +
                            TypeName(tensor.type));
          return false;
        }
        if (!CheckTensor(context, Cell::kName, name.c_str(), tensor,
                         matrix ? matrix_type : abi::kTfLiteFloat32, spec.dims, spec.layout) ||
            (matrix && type == WeightType::kInt8 &&
             !CheckInt8Scales(context, node, *data, d, m, name, tensor, spec.dims,
                              &data->column_scales[d][k]))) {
          return false;
        }
        m += matrix ? 1 : 0;
      }
    }
    data->weight_type = type;
    return true;
  }

  // Matrix m of direction d: its scales from TFLite affine quantization, or with column_scales
  // (v4) from that input.
  static bool CheckInt8Scales(TfLiteContext* context, const TfLiteNode* node, const Data& data,
                              int d, int m, const std::string& name, const TfLiteTensor& tensor,
                              const std::vector<int>& dims, std::vector<float>* column_scales) {
    if (!data.attrs.column_scales) {
      return Int8ColumnScales(context, Cell::kName, name, tensor, dims[0], dims[1], column_scales);
    }
    return Int8InputScales(context, Cell::kName, name, tensor, name + "_scales",
                           NodeInput(context, node, data.layout.ColumnScales(d, m)), dims[0],
                           dims[1], column_scales);
  }

  // Scales inputs (column_scales) that are not constants may change between invokes, like the
  // weights they go with: read again before every repack. The message path runs the full check.
  static bool RereadInputScales(TfLiteContext* context, const TfLiteNode* node, Data* data) {
    if (!data->attrs.column_scales || data->weight_type != WeightType::kInt8) return true;
    const SequenceLayout& l = data->layout;
    for (int d = 0; d < l.directions; ++d) {
      int m = 0;
      for (int k = 0; k < l.weights; ++k) {
        if (!Cell::IsMatrix(data->options[0], k)) continue;
        const TfLiteTensor& scales = NodeInput(context, node, l.ColumnScales(d, m++));
        if (!ReadInputScales(scales, &data->column_scales[d][k])) {
          CheckWeights(context, node, data, data->options[d].input_size);  // reports the value
          return false;
        }
      }
    }
    return true;
  }

  static bool CheckStates(TfLiteContext* context, const TfLiteNode* node, const Data& data,
                          const SequenceShape& s) {
    const SequenceLayout& l = data.layout;
    if (!data.attrs.has_initial_state) return true;
    for (int d = 0; d < l.directions; ++d) {
      for (int k = 0; k < Cell::kNumStates; ++k) {
        const std::string name =
            std::string(d == 0 ? "" : "backward_") + "initial_" + Cell::kStateNames[k];
        if (!CheckTensor(context, Cell::kName, name.c_str(),
                         NodeInput(context, node, l.InitialState(d, k)), abi::kTfLiteFloat32,
                         {s.batch, Cell::StateUnits(data.options[0], k)},
                         Cell::StateLayout(data.options[0], k))) {
          return false;
        }
      }
    }
    return true;
  }

  static bool CheckInputs(TfLiteContext* context, const TfLiteNode* node, Data* data,
                          SequenceShape* s) {
    const SequenceAttrs& a = data->attrs;
    return CheckArity(context, Cell::kName, node, data->layout) &&
           CheckSequenceInput(context, Cell::kName, NodeInput(context, node, 0), a.time_major, s) &&
           CheckWeights(context, node, data, s->features) &&
           (!a.has_mask ||
            CheckMask(context, Cell::kName, NodeInput(context, node, data->layout.Mask()), a, *s)) &&
           CheckStates(context, node, *data, *s) &&
           CheckOutputTypes(context, Cell::kName, node);
  }

  static typename Cell::Weights WeightsOf(TfLiteContext* context, const TfLiteNode* node,
                                          const Data& data, int d) {
    WeightMatrix tensors[8];
    const typename Cell::Options& o = data.options[0];
    for (int k = 0; k < data.layout.weights; ++k) {
      const TfLiteTensor& t = NodeInput(context, node, data.layout.Kernel(d) + k);
      tensors[k] = Cell::IsMatrix(o, k) ? MatrixOf(t, data.weight_type, data.column_scales[d][k])
                                        : WeightMatrix(static_cast<const float*>(t.data));
    }
    return Cell::MakeWeights(o, tensors);
  }

  static void PackWeights(TfLiteContext* context, const TfLiteNode* node, Data* data) {
    for (int d = 0; d < data->layout.directions; ++d) {
      data->kernels[d].Pack(WeightsOf(context, node, *data, d));
    }
  }

  static void PrepareKernels(TfLiteContext* context, const TfLiteNode* node, Data* data,
                             int features) {
    data->weights_constant = true;
    data->prepared_type = data->weight_type;
    for (int d = 0; d < data->layout.directions; ++d) {
      data->options[d].input_size = features;
      data->options[d].weight_type = data->weight_type;
      // Contract v4's int8 scheme centres the activation rows; v3's (TFLite's hybrid) does not.
      data->options[d].centre_rows = data->attrs.column_scales;
      data->kernels[d].Init(ActiveIsa(), data->options[d]);
      for (int k = 0; k < data->layout.weights; ++k) {
        data->weights_constant &=
            IsConstantTensor(NodeInput(context, node, data->layout.Kernel(d) + k));
      }
      for (int m = 0; m < data->layout.matrices && data->layout.has_column_scales(); ++m) {
        data->weights_constant &=
            IsConstantTensor(NodeInput(context, node, data->layout.ColumnScales(d, m)));
      }
    }
    if (data->weights_constant) PackWeights(context, node, data);
    data->kernels_ready = true;
  }

  static void BindIo(TfLiteContext* context, const TfLiteNode* node, Data& data, int d,
                     typename Cell::Io* io, OutputPlacement* placement) {
    const SequenceAttrs& a = data.attrs;
    const SequenceLayout& l = data.layout;
    const TfLiteTensor& x = NodeInput(context, node, 0);
    io->batch = x.dims->data[a.time_major ? 1 : 0];
    io->time = x.dims->data[a.time_major ? 0 : 1];
    io->x = static_cast<const float*>(x.data);
    const void* mask = a.has_mask ? NodeInput(context, node, l.Mask()).data : nullptr;
    if (a.lengths) {
      io->lengths = static_cast<const int32_t*>(mask);
    } else {
      io->mask = static_cast<const uint8_t*>(mask);
    }
    const float* initial[2] = {nullptr, nullptr};
    float* final_states[2] = {nullptr, nullptr};
    for (int k = 0; k < Cell::kNumStates; ++k) {
      if (a.has_initial_state) {
        initial[k] = static_cast<const float*>(NodeInput(context, node, l.InitialState(d, k)).data);
      }
      final_states[k] = static_cast<float*>(NodeOutput(context, node, l.FinalState(d, k)).data);
    }
    Cell::BindStates(initial, final_states, io);
    *placement = OutputPlacement();
    placement->time_order = d == 1 || a.direction == Direction::kReverse;
    float* out0 = static_cast<float*>(NodeOutput(context, node, 0).data);
    switch (l.Target(d)) {
      case OutputTarget::kOwnTensor: io->output = out0; break;
      case OutputTarget::kSecondTensor: io->output = static_cast<float*>(NodeOutput(context, node, 1).data); break;
      case OutputTarget::kConcatHalf: {
        const int h = Cell::StateUnits(data.options[0], 0);
        io->output = out0 + (d == 0 ? 0 : h);
        placement->row_stride = 2 * h;
        break;
      }
      case OutputTarget::kBackwardBuffer: io->output = data.backward_output.data(); break;
    }
  }

  // One direction splits its work across the pool; two directions get a thread each instead.
  static void PrepareThreads(int threads, Data* data) {
    if (threads == 1) {
      data->pool.reset();
    } else if (data->pool == nullptr || data->pool->size() != threads) {
      data->pool = std::make_unique<ThreadPool>(threads);
    }
    ThreadPool* per_kernel = data->layout.directions == 1 ? data->pool.get() : nullptr;
    for (int d = 0; d < data->layout.directions; ++d) data->kernels[d].SetThreadPool(per_kernel);
  }

  // The initial-state inputs of a stateful op are variable tensors that persist across invokes.
  static void WriteBackStates(TfLiteContext* context, const TfLiteNode* node,
                              const SequenceLayout& l) {
    for (int d = 0; d < l.directions; ++d) {
      for (int k = 0; k < Cell::kNumStates; ++k) {
        const TfLiteTensor& final_state = NodeOutput(context, node, l.FinalState(d, k));
        TfLiteTensor& variable = NodeInput(context, node, l.InitialState(d, k));
        std::memcpy(variable.data, final_state.data, final_state.bytes);
      }
    }
  }

  static void MergeBackward(const Data& data, float* output, size_t n) {
    if (!data.layout.NeedsBackwardBuffer()) return;
    MergeInPlace(data.attrs.merge_mode, data.backward_output.data(), output, n);
  }
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_TFLITE_SEQUENCE_OP_H_
