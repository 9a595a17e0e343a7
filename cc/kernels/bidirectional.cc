#include "cc/kernels/bidirectional.h"

#include <unistd.h>

namespace tflite_rnn_ops {
namespace {

size_t L2CacheBytes() {
#ifdef _SC_LEVEL2_CACHE_SIZE
  const long bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (bytes > 0) return static_cast<size_t>(bytes);
#endif
  return size_t{1} << 20;  // a typical mobile L2 when the OS does not say
}

}  // namespace

bool InterleaveDirections(size_t recurrent_weight_bytes_per_direction) {
  static const size_t l2 = L2CacheBytes();
  return 2 * recurrent_weight_bytes_per_direction <= l2 / 2;
}

}  // namespace tflite_rnn_ops
