#include "server/memory_release.h"

#include <malloc.h>

#include "common/log.h"
#include "common/uv_util.h"

namespace switchyard::server {

MemoryRelease::MemoryRelease(uv_loop_t* loop) : timer_(new uv_timer_t) {
  uv_timer_init(loop, timer_);
  timer_->data = this;
  // The timer never keeps a loop (or an embedding daemon) alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
}

MemoryRelease::~MemoryRelease() { closeAndDelete(timer_); }

void MemoryRelease::onConnectionCount(size_t open) {
  open_ = open;
  if (open > high_water_) high_water_ = open;
  bool flood_passed = high_water_ >= kFloodConnections && open <= high_water_ / 4;
  if (flood_passed && !uv_is_active(reinterpret_cast<uv_handle_t*>(timer_))) {
    uv_timer_start(timer_, &MemoryRelease::onSettled, kSettleMs, 0);
  }
}

void MemoryRelease::onSettled(uv_timer_t* timer) {
  auto* self = static_cast<MemoryRelease*>(timer->data);
  if (self->open_ > self->high_water_ / 4) return;  // a new flood began meanwhile
  SY_LOG(kDebug, "%zu connections open after a high-water mark of %zu: returning free heap memory",
         self->open_, self->high_water_);
  malloc_trim(0);
  self->high_water_ = self->open_;
}

}  // namespace switchyard::server
