#include "tests/native/support/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace tro_test {
namespace {

std::atomic<bool> g_counting{false};
std::atomic<size_t> g_count{0};
std::atomic<size_t> g_max_bytes{0};  // 0 = no limit

void* Allocate(size_t size, size_t alignment) {
  if (g_counting.load(std::memory_order_relaxed)) g_count.fetch_add(1, std::memory_order_relaxed);
  const size_t max_bytes = g_max_bytes.load(std::memory_order_relaxed);
  if (max_bytes != 0 && size > max_bytes) return nullptr;
  if (size == 0) size = 1;
  void* p = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    p = std::malloc(size);
  } else if (posix_memalign(&p, alignment, size) != 0) {
    p = nullptr;
  }
  return p;
}

void* AllocateOrThrow(size_t size, size_t alignment) {
  void* p = Allocate(size, alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

AllocationCounter::AllocationCounter() {
  g_count.store(0);
  g_counting.store(true);
}
AllocationCounter::~AllocationCounter() { g_counting.store(false); }
size_t AllocationCounter::count() const { return g_count.load(); }

AllocationLimit::AllocationLimit(size_t max_bytes) { g_max_bytes.store(max_bytes); }
AllocationLimit::~AllocationLimit() { g_max_bytes.store(0); }

}  // namespace tro_test

// Replaceable global allocation functions ([new.delete]); each delete matches its new.
void* operator new(size_t size) { return tro_test::AllocateOrThrow(size, 0); }
void* operator new[](size_t size) { return tro_test::AllocateOrThrow(size, 0); }
void* operator new(size_t size, std::align_val_t a) {
  return tro_test::AllocateOrThrow(size, static_cast<size_t>(a));
}
void* operator new[](size_t size, std::align_val_t a) {
  return tro_test::AllocateOrThrow(size, static_cast<size_t>(a));
}
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return tro_test::Allocate(size, 0);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return tro_test::Allocate(size, 0);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
