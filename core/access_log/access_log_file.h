// AccessLogFile: one access log destination (a file, /dev/stdout or
// /dev/stderr), shared by every worker and listener that names its path.
//
// Workers never write to the disk: append() copies the line into an
// in-memory buffer under a mutex held only for that copy, and a writer
// thread of the file's own takes the whole buffer and writes it, so a slow
// disk never stalls an event loop. The buffer is bounded: when the disk
// cannot keep up and it holds kMaxPendingBytes, further lines are dropped
// and counted (droppedLines, and a warning in the proxy log) rather than
// growing memory without bound.
//
// reopen() makes the writer close and reopen the path before its next
// write (log rotation: the operator renames the file, then signals).
// Destruction writes what is pending first.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace switchyard::access_log {

class AccessLogFile {
 public:
  static constexpr size_t kMaxPendingBytes = 4 * 1024 * 1024;

  // Opens (creating, appending) `path`; null with *error (the system's
  // reason) when it cannot be opened for writing.
  static std::shared_ptr<AccessLogFile> open(const std::string& path, std::string* error);
  ~AccessLogFile();
  AccessLogFile(const AccessLogFile&) = delete;
  AccessLogFile& operator=(const AccessLogFile&) = delete;

  // Queues whole lines for the writer; false (and the line dropped) when the
  // buffer is full. Any thread.
  bool append(std::string_view lines);
  // Asks the writer to reopen the path; returns at once. Standard streams
  // are not reopened. Any thread.
  void reopen();
  // Returns once every line appended before the call has been written (or
  // failed to be). Any thread but the writer's.
  void flush();

  const std::string& path() const { return path_; }
  uint64_t droppedLines() const { return dropped_lines_.load(std::memory_order_relaxed); }

 private:
  AccessLogFile(std::string path, int fd, bool owns_fd);
  void run();
  void writeBatch(const std::string& batch);
  void reopenNow();
  void reportDrops();

  const std::string path_;
  int fd_;  // the writer thread's after construction
  const bool owns_fd_;

  std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable written_;
  std::string pending_;
  uint64_t appended_batches_ = 0;  // append() calls that queued lines
  uint64_t written_batches_ = 0;   // of those, taken and written
  bool reopen_requested_ = false;
  bool stopping_ = false;

  std::atomic<uint64_t> dropped_lines_{0};
  uint64_t reported_drops_ = 0;  // writer thread only
  bool write_failed_ = false;    // writer thread only: warn once per failure run
  std::thread writer_;
};

}  // namespace switchyard::access_log
