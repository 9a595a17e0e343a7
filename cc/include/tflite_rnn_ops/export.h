// Marks the functions libtflite_rnn_ops.so exports; everything else in it stays hidden.
#ifndef TFLITE_RNN_OPS_EXPORT_H_
#define TFLITE_RNN_OPS_EXPORT_H_

#if defined(_WIN32)
#define TFLITE_RNN_OPS_API
#else
#define TFLITE_RNN_OPS_API __attribute__((visibility("default")))
#endif

#endif  // TFLITE_RNN_OPS_EXPORT_H_
