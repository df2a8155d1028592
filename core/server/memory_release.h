// MemoryRelease: gives the heap memory of a connection flood back to the
// system once the flood is over.
//
// glibc's malloc keeps freed memory in its arenas for reuse, so after
// thousands of connections close the process stays at its peak size.
// That is only worth undoing when the peak was large and has passed: when a
// worker's connections fall to a quarter of a high-water mark of at least
// kFloodConnections, a timer runs malloc_trim a second later (off the
// request path, once per flood), which returns the free pages of every
// arena. The next flood reuses or regrows the heap as usual.
#pragma once

#include <uv.h>

#include <cstddef>

namespace switchyard::server {

class MemoryRelease {
 public:
  explicit MemoryRelease(uv_loop_t* loop);
  ~MemoryRelease();
  MemoryRelease(const MemoryRelease&) = delete;
  MemoryRelease& operator=(const MemoryRelease&) = delete;

  // The worker's open connections after each accept and close.
  void onConnectionCount(size_t open);

  static constexpr size_t kFloodConnections = 1024;
  static constexpr uint64_t kSettleMs = 1000;

 private:
  static void onSettled(uv_timer_t* timer);

  uv_timer_t* timer_;
  size_t high_water_ = 0;
  size_t open_ = 0;
};

}  // namespace switchyard::server
