#include "cc/tflite/options.h"

#include <cstring>

namespace tflite_rnn_ops {
namespace {

// Flexbuffer type codes we care about (see the flexbuffers format description).
enum FlexType : int {
  kNull = 0, kInt = 1, kUInt = 2, kFloat = 3, kKey = 4, kString = 5,
  kIndirectInt = 6, kIndirectUInt = 7, kIndirectFloat = 8, kMap = 9, kBool = 26,
};

// A bounds-checked view of the options buffer. Every accessor fails instead of reading outside.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool InBounds(size_t pos, size_t len) const { return pos <= size_ && len <= size_ - pos; }

  bool UInt(size_t pos, size_t width, uint64_t* out) const {
    if (!(width == 1 || width == 2 || width == 4 || width == 8) || !InBounds(pos, width)) {
      return false;
    }
    uint64_t v = 0;
    for (size_t b = 0; b < width; ++b) v |= static_cast<uint64_t>(data_[pos + b]) << (8 * b);
    *out = v;
    return true;
  }

  bool Int(size_t pos, size_t width, int64_t* out) const {
    uint64_t u;
    if (!UInt(pos, width, &u)) return false;
    const unsigned shift = static_cast<unsigned>(64 - 8 * width);
    *out = static_cast<int64_t>(u << shift) >> shift;  // sign-extend
    return true;
  }

  bool Float(size_t pos, size_t width, double* out) const {
    if (width == 4 && InBounds(pos, 4)) {
      float f;
      std::memcpy(&f, data_ + pos, 4);
      *out = f;
      return true;
    }
    if (width == 8 && InBounds(pos, 8)) {
      std::memcpy(out, data_ + pos, 8);
      return true;
    }
    return false;
  }

  // Offsets in flexbuffers point backwards from where they are stored.
  bool Indirect(size_t pos, size_t width, size_t* target) const {
    uint64_t off;
    if (!UInt(pos, width, &off) || off > pos) return false;
    *target = pos - static_cast<size_t>(off);
    return true;
  }

  bool CString(size_t pos, std::string* out) const {
    if (pos >= size_) return false;
    const void* end = std::memchr(data_ + pos, 0, size_ - pos);
    if (end == nullptr) return false;
    out->assign(reinterpret_cast<const char*>(data_ + pos),
                static_cast<const uint8_t*>(end) - (data_ + pos));
    return true;
  }

  bool SizedString(size_t pos, size_t width, std::string* out) const {
    uint64_t len;
    if (pos < width || !UInt(pos - width, width, &len) || !InBounds(pos, len)) return false;
    out->assign(reinterpret_cast<const char*>(data_ + pos), static_cast<size_t>(len));
    return true;
  }

  uint8_t Byte(size_t pos) const { return data_[pos]; }

 private:
  const uint8_t* data_;
  size_t size_;
};

// Decodes the map slot at `slot` (slot width `w`) whose packed type byte is `packed`.
bool ReadValue(const Reader& r, size_t slot, size_t w, uint8_t packed, OpOptions::Value* v) {
  using Kind = OpOptions::Kind;
  const int type = packed >> 2;
  const size_t child_width = size_t{1} << (packed & 3);
  size_t target = 0;
  switch (type) {
    case kInt: case kBool:
      v->kind = Kind::kInt;
      return r.Int(slot, w, &v->i);
    case kUInt: {
      uint64_t u = 0;
      v->kind = Kind::kInt;
      const bool ok = r.UInt(slot, w, &u);
      v->i = static_cast<int64_t>(u);
      return ok;
    }
    case kIndirectInt: case kIndirectUInt:
      v->kind = Kind::kInt;
      return r.Indirect(slot, w, &target) && r.Int(target, child_width, &v->i);
    case kFloat:
      v->kind = Kind::kFloat;
      return r.Float(slot, w, &v->f);
    case kIndirectFloat:
      v->kind = Kind::kFloat;
      return r.Indirect(slot, w, &target) && r.Float(target, child_width, &v->f);
    case kString:
      v->kind = Kind::kString;
      return r.Indirect(slot, w, &target) && r.SizedString(target, child_width, &v->s);
    case kKey:
      v->kind = Kind::kString;
      return r.Indirect(slot, w, &target) && r.CString(target, &v->s);
    default:
      v->kind = Kind::kOther;  // lists, maps, blobs: none of our attributes use them
      return true;
  }
}

}  // namespace

bool OpOptions::Parse(const uint8_t* data, size_t size, std::string* error) {
  values_.clear();
  if (data == nullptr || size < 3) {
    *error = "options are missing (expected a flexbuffer map)";
    return false;
  }
  const Reader r(data, size);
  const size_t root_width = data[size - 1];
  const uint8_t root_packed = data[size - 2];
  const bool root_width_ok = root_width == 1 || root_width == 2 || root_width == 4 ||
                             root_width == 8;
  if (!root_width_ok || (root_packed >> 2) != kMap || size < 2 + root_width) {
    *error = "options are not a flexbuffer map";
    return false;
  }
  const size_t root_pos = size - 2 - root_width;
  const size_t w = size_t{1} << (root_packed & 3);  // width of the map's slots
  size_t map_pos;
  uint64_t count, keys_width;
  size_t keys_pos;
  if (!r.Indirect(root_pos, root_width, &map_pos) || map_pos < 3 * w ||
      !r.UInt(map_pos - w, w, &count) || !r.UInt(map_pos - 2 * w, w, &keys_width) ||
      !r.Indirect(map_pos - 3 * w, w, &keys_pos) || count > size ||
      !r.InBounds(map_pos, count * w + count) || !r.InBounds(keys_pos, count * keys_width)) {
    *error = "options flexbuffer map is malformed";
    return false;
  }
  for (size_t i = 0; i < count; ++i) {
    size_t key_pos;
    std::string key;
    if (!r.Indirect(keys_pos + i * keys_width, keys_width, &key_pos) || !r.CString(key_pos, &key)) {
      *error = "options flexbuffer map has a malformed key";
      return false;
    }
    const size_t slot = map_pos + i * w;
    Value v;
    const bool ok = ReadValue(r, slot, w, r.Byte(map_pos + count * w + i), &v);
    if (!ok) {
      *error = "options value for '" + key + "' is malformed";
      return false;
    }
    values_[key] = std::move(v);
  }
  return true;
}

std::vector<std::string> OpOptions::Keys() const {
  std::vector<std::string> keys;
  for (const auto& entry : values_) keys.push_back(entry.first);
  return keys;
}

bool OpOptions::GetInt(const std::string& key, int64_t* out, std::string* error) const {
  const auto it = values_.find(key);
  if (it == values_.end()) {
    *error = "option '" + key + "' is missing (expected an int)";
    return false;
  }
  if (it->second.kind != Kind::kInt) {
    *error = "option '" + key + "' expected an int";
    return false;
  }
  *out = it->second.i;
  return true;
}

bool OpOptions::GetBool(const std::string& key, bool* out, std::string* error) const {
  int64_t v;
  if (!GetInt(key, &v, error)) {
    if (!Has(key)) *error = "option '" + key + "' is missing (expected a bool)";
    else *error = "option '" + key + "' expected a bool";
    return false;
  }
  *out = v != 0;
  return true;
}

bool OpOptions::GetString(const std::string& key, std::string* out, std::string* error) const {
  const auto it = values_.find(key);
  if (it == values_.end()) {
    *error = "option '" + key + "' is missing (expected a string)";
    return false;
  }
  if (it->second.kind != Kind::kString) {
    *error = "option '" + key + "' expected a string";
    return false;
  }
  *out = it->second.s;
  return true;
}

bool OpOptions::GetBoolOr(const std::string& key, bool fallback, bool* out,
                          std::string* error) const {
  if (!Has(key)) {
    *out = fallback;
    return true;
  }
  return GetBool(key, out, error);
}

bool OpOptions::GetStringOr(const std::string& key, const std::string& fallback, std::string* out,
                            std::string* error) const {
  if (!Has(key)) {
    *out = fallback;
    return true;
  }
  return GetString(key, out, error);
}

bool OpOptions::GetFloatOr(const std::string& key, float fallback, float* out,
                           std::string* error) const {
  const auto it = values_.find(key);
  if (it == values_.end()) {
    *out = fallback;
    return true;
  }
  if (it->second.kind == Kind::kFloat) {
    *out = static_cast<float>(it->second.f);
  } else if (it->second.kind == Kind::kInt) {
    *out = static_cast<float>(it->second.i);
  } else {
    *error = "option '" + key + "' expected a float";
    return false;
  }
  return true;
}

bool OpOptions::GetIntOr(const std::string& key, int64_t fallback, int64_t* out,
                         std::string* error) const {
  if (!Has(key)) {
    *out = fallback;
    return true;
  }
  return GetInt(key, out, error);
}

}  // namespace tflite_rnn_ops
