/* LiteRT 2.x CompiledModel route: our ops as LiteRT custom-op kernels.
 *
 * Link libtflite_rnn_ops_litert.a and libtflite_rnn_ops.a into an app that links libLiteRt.so:
 *
 *   LiteRtOptions options;
 *   LiteRtCreateOptions(&options);
 *   LiteRtSetOptionsHardwareAccelerators(options, kLiteRtHwAcceleratorCpu);
 *   TfLiteRnnOpsAddToLiteRtOptions(options);
 *   LiteRtCreateCompiledModel(environment, model, options, &compiled_model);
 *
 * LiteRT's custom-op kernel gets no node identity in GetOutputLayouts/Run, so a model may hold
 * at most one node of each of our ops on this route (docs/registration.md); the delegate and
 * the other routes have no such limit.
 */
#ifndef TFLITE_RNN_OPS_LITERT_H_
#define TFLITE_RNN_OPS_LITERT_H_

#include "tflite_rnn_ops/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct LiteRtOptionsT* LiteRtOptions;

/* Adds TFLiteRnnOps>LSTM, >GRU and >RNN (version 1). Returns LiteRT's status (0 = ok). */
TFLITE_RNN_OPS_API int TfLiteRnnOpsAddToLiteRtOptions(LiteRtOptions options);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* TFLITE_RNN_OPS_LITERT_H_ */
