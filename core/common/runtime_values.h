// RuntimeValues: process-wide key/value settings changed while serving
// (POST /runtime_modify on the admin API) and read by filters through
// sy_host_api.runtime_get, e.g. a fault percentage turned up during a test
// without a reload. Nothing is persisted: a restart starts empty.
//
// Writes are rare (an operator), reads are per request on every worker. A
// write publishes a new immutable snapshot and bumps a version; each reading
// thread keeps its own reference to the snapshot it last saw and only takes
// the lock when the version moved, so a read is one atomic load and a hash
// lookup.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::common {

class RuntimeValues {
 public:
  using Snapshot = std::map<std::string, std::string, std::less<>>;

  static RuntimeValues& global();

  // Sets `key` to `value`; an empty value removes the key.
  void set(std::string_view key, std::string_view value);
  // Removes every key (tests; a fresh process).
  void clear();
  // The value of `key` as this thread sees it now, without a copy: the view
  // stays valid until this thread's next get() (which may move it to a newer
  // snapshot). A filter reads runtime values on every request.
  std::optional<std::string_view> get(std::string_view key) const;
  // Every key and value, for GET /runtime.
  std::shared_ptr<const Snapshot> snapshot() const;

 private:
  const Snapshot& current() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> published_ = std::make_shared<Snapshot>();
  std::atomic<uint64_t> version_{1};
};

}  // namespace switchyard::common
