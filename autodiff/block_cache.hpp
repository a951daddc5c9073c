#pragma once
// Storage for the library's vectors and matrices. Blocks of 64 KiB and more are kept in a
// per-thread cache when freed and handed out again, so that the large temporaries a model builds
// on every evaluation (a 256 x 32 matrix of Vars is 128 KiB) do not go back to the operating
// system between gradient calls: glibc returns such blocks (mmap threshold and heap trimming),
// and faulting them in again costs more than the arithmetic on them.
#include <bit>
#include <cstddef>
#include <new>
#include <vector>

namespace tapir::autodiff {

namespace detail {

class BlockCache {
 public:
  static constexpr int min_log2 = 16;  // blocks below 64 KiB go straight to operator new
  static constexpr int max_log2 = 40;
  static constexpr std::size_t max_cached_bytes = std::size_t{512} << 20;

  BlockCache() { alive() = true; }
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;
  ~BlockCache() {
    alive() = false;
    for (auto& list : free_)
      for (void* p : list) ::operator delete(p);
  }

  static int size_class(std::size_t bytes) { return std::bit_width(bytes - 1); }

  void* allocate(std::size_t bytes) {
    const int c = size_class(bytes);
    if (c > max_log2) throw std::bad_array_new_length();
    auto& list = free_[c - min_log2];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      cached_ -= std::size_t{1} << c;
      return p;
    }
    return ::operator new(std::size_t{1} << c);
  }
  void deallocate(void* p, std::size_t bytes) {
    const int c = size_class(bytes);
    const std::size_t size = std::size_t{1} << c;
    if (cached_ + size > max_cached_bytes) {
      ::operator delete(p);
      return;
    }
    free_[c - min_log2].push_back(p);
    cached_ += size;
  }
  // False once this thread's cache is destroyed (thread exit): later frees bypass it.
  static bool& alive() {
    thread_local bool flag = false;
    return flag;
  }

 private:
  std::vector<void*> free_[max_log2 - min_log2 + 1];
  std::size_t cached_ = 0;
};

inline BlockCache& block_cache() {
  thread_local BlockCache cache;
  return cache;
}

}  // namespace detail

template <class T>
struct CachingAllocator {
  using value_type = T;
  CachingAllocator() noexcept = default;
  template <class U>
  CachingAllocator(const CachingAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < (std::size_t{1} << detail::BlockCache::min_log2)) return static_cast<T*>(::operator new(bytes));
    return static_cast<T*>(detail::block_cache().allocate(bytes));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < (std::size_t{1} << detail::BlockCache::min_log2)) return ::operator delete(p);
    // A block is always a whole size class, so any thread may keep or free it.
    if (!detail::BlockCache::alive()) return ::operator delete(p);
    detail::block_cache().deallocate(p, bytes);
  }
  template <class U>
  bool operator==(const CachingAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace tapir::autodiff
