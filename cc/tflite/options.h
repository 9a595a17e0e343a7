// Reads the flexbuffer map that the TFLite converter writes as a custom op's options.
//
// The converter encodes each attribute of a fusable composite function as one map entry: strings as
// strings, floats as floats, ints as ints and bools as ints (true = -1). We parse the whole map once
// (in the op's Init) into plain values, checking every offset against the buffer so that malformed
// options yield an error message rather than a wild read.
#ifndef TFLITE_RNN_OPS_TFLITE_OPTIONS_H_
#define TFLITE_RNN_OPS_TFLITE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tflite_rnn_ops {

class OpOptions {
 public:
  // Returns false and sets *error when the buffer is not a well-formed flexbuffer map.
  bool Parse(const uint8_t* data, size_t size, std::string* error);

  // Each getter returns false and sets *error (naming the key and what was expected) when the key
  // is missing or holds another type. Bools accept ints, as the converter writes them.
  bool GetInt(const std::string& key, int64_t* out, std::string* error) const;
  bool GetBool(const std::string& key, bool* out, std::string* error) const;
  bool GetString(const std::string& key, std::string* out, std::string* error) const;
  // Like GetBool/GetString but yields `fallback` when the key is absent.
  bool GetBoolOr(const std::string& key, bool fallback, bool* out, std::string* error) const;
  bool GetStringOr(const std::string& key, const std::string& fallback, std::string* out,
                   std::string* error) const;

  // Floats accept ints (an attribute written as 0 is an int in flexbuffers).
  bool GetFloatOr(const std::string& key, float fallback, float* out, std::string* error) const;
  bool GetIntOr(const std::string& key, int64_t fallback, int64_t* out, std::string* error) const;

  bool Has(const std::string& key) const { return values_.count(key) != 0; }
  // Every key of the map, sorted.
  std::vector<std::string> Keys() const;

 public:  // the parsed representation, shared with the parser's helpers in options.cc
  enum class Kind { kInt, kFloat, kString, kOther };
  struct Value {
    Kind kind = Kind::kOther;
    int64_t i = 0;
    double f = 0;
    std::string s;
  };

 private:
  std::map<std::string, Value> values_;
};

}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_TFLITE_OPTIONS_H_
