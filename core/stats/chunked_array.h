// ChunkedArray: an array that grows by fixed chunks that never move, so one
// thread can grow it (under its caller's lock) while others index elements
// that already exist without any lock. Elements are value-initialised.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>

namespace switchyard::stats {

template <typename T, size_t kChunkSize, size_t kMaxChunks>
class ChunkedArray {
 public:
  static constexpr size_t kCapacity = kChunkSize * kMaxChunks;

  ChunkedArray() = default;
  ~ChunkedArray() {
    for (auto& chunk : chunks_) delete[] chunk.load(std::memory_order_relaxed);
  }
  ChunkedArray(const ChunkedArray&) = delete;
  ChunkedArray& operator=(const ChunkedArray&) = delete;

  // Makes elements [0, count) exist; false (nothing added) past kCapacity.
  // Callers serialise calls to growTo.
  bool growTo(size_t count) {
    if (count > kCapacity) return false;
    size_t chunks = (count + kChunkSize - 1) / kChunkSize;
    for (size_t i = 0; i < chunks; ++i) {
      if (chunks_[i].load(std::memory_order_relaxed) == nullptr) {
        chunks_[i].store(new T[kChunkSize](), std::memory_order_release);
      }
    }
    return true;
  }

  // An element growTo made exist (this thread learnt its index after the
  // growth, through whatever published the index).
  T& operator[](size_t index) const {
    return chunks_[index / kChunkSize].load(std::memory_order_acquire)[index % kChunkSize];
  }

 private:
  std::array<std::atomic<T*>, kMaxChunks> chunks_{};
};

}  // namespace switchyard::stats
