/* Stable TFLite C API route: our ops as TfLiteOperator for TfLiteInterpreterOptions.
 *
 * Link libtflite_rnn_ops_c_api.a and libtflite_rnn_ops.a into an app that links
 * libtensorflowlite_c (which provides the TfLite* symbols this route calls):
 *
 *   TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
 *   TfLiteRnnOpsAddToInterpreterOptions(options);
 *   TfLiteInterpreter* interpreter = TfLiteInterpreterCreate(model, options);
 */
#ifndef TFLITE_RNN_OPS_C_API_H_
#define TFLITE_RNN_OPS_C_API_H_

#include "tflite_rnn_ops/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct TfLiteInterpreterOptions TfLiteInterpreterOptions;

/* Adds TFLiteRnnOps>LSTM, >GRU and >RNN (version 1). The operators live for the whole process.
 * Returns 0. */
TFLITE_RNN_OPS_API int TfLiteRnnOpsAddToInterpreterOptions(TfLiteInterpreterOptions* options);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* TFLITE_RNN_OPS_C_API_H_ */
