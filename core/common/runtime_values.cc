#include "common/runtime_values.h"

namespace switchyard::common {

RuntimeValues& RuntimeValues::global() {
  static RuntimeValues values;
  return values;
}

void RuntimeValues::set(std::string_view key, std::string_view value) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<Snapshot>(*published_);
  if (value.empty()) {
    auto found = next->find(key);
    if (found != next->end()) next->erase(found);
  } else {
    (*next)[std::string(key)] = std::string(value);
  }
  published_ = std::move(next);
  version_.fetch_add(1, std::memory_order_release);
}

void RuntimeValues::clear() {
  std::lock_guard lock(mutex_);
  published_ = std::make_shared<Snapshot>();
  version_.fetch_add(1, std::memory_order_release);
}

std::shared_ptr<const RuntimeValues::Snapshot> RuntimeValues::snapshot() const {
  std::lock_guard lock(mutex_);
  return published_;
}

const RuntimeValues::Snapshot& RuntimeValues::current() const {
  // One cached snapshot per thread (per store, though in practice there is
  // only the global one); refreshed only when a write moved the version.
  struct Cached {
    const RuntimeValues* owner = nullptr;
    uint64_t version = 0;
    std::shared_ptr<const Snapshot> snapshot;
  };
  thread_local Cached cached;
  uint64_t version = version_.load(std::memory_order_acquire);
  if (cached.owner != this || cached.version != version) {
    cached.snapshot = snapshot();
    cached.owner = this;
    cached.version = version;
  }
  return *cached.snapshot;
}

std::optional<std::string_view> RuntimeValues::get(std::string_view key) const {
  const Snapshot& values = current();
  auto found = values.find(key);
  if (found == values.end()) return std::nullopt;
  return found->second;
}

}  // namespace switchyard::common
