#include "access_log/access_log_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"

namespace switchyard::access_log {

namespace {

int standardStream(const std::string& path) {
  if (path == "/dev/stdout") return STDOUT_FILENO;
  if (path == "/dev/stderr") return STDERR_FILENO;
  return -1;
}

int openForAppend(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

}  // namespace

std::shared_ptr<AccessLogFile> AccessLogFile::open(const std::string& path, std::string* error) {
  if (int fd = standardStream(path); fd >= 0) {
    return std::shared_ptr<AccessLogFile>(new AccessLogFile(path, fd, false));
  }
  int fd = openForAppend(path);
  if (fd < 0) {
    *error = "cannot open " + path + " for appending: " + strerror(errno);
    return nullptr;
  }
  return std::shared_ptr<AccessLogFile>(new AccessLogFile(path, fd, true));
}

AccessLogFile::AccessLogFile(std::string path, int fd, bool owns_fd)
    : path_(std::move(path)), fd_(fd), owns_fd_(owns_fd), writer_([this] { run(); }) {}

AccessLogFile::~AccessLogFile() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  writer_.join();
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

bool AccessLogFile::append(std::string_view lines) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() + lines.size() > kMaxPendingBytes) {
      dropped_lines_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    // Only the first line of a batch wakes the writer; later ones ride along.
    wake = pending_.empty();
    pending_.append(lines);
    ++appended_batches_;
  }
  if (wake) wake_writer_.notify_one();
  return true;
}

void AccessLogFile::reopen() {
  if (!owns_fd_) return;
  {
    std::lock_guard lock(mutex_);
    reopen_requested_ = true;
  }
  wake_writer_.notify_one();
}

void AccessLogFile::flush() {
  std::unique_lock lock(mutex_);
  uint64_t target = appended_batches_;
  wake_writer_.notify_one();
  written_.wait(lock, [&] { return written_batches_ >= target; });
}

void AccessLogFile::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_writer_.wait(lock, [&] { return stopping_ || reopen_requested_ || !pending_.empty(); });
    if (reopen_requested_) {
      reopen_requested_ = false;
      lock.unlock();
      reopenNow();
      lock.lock();
      continue;
    }
    if (pending_.empty()) {
      if (stopping_) return;
      continue;
    }
    std::string batch;
    batch.swap(pending_);
    uint64_t taken = appended_batches_;
    lock.unlock();
    writeBatch(batch);
    reportDrops();
    lock.lock();
    written_batches_ = taken;
    written_.notify_all();
  }
}

void AccessLogFile::writeBatch(const std::string& batch) {
  size_t done = 0;
  while (done < batch.size()) {
    ssize_t wrote = ::write(fd_, batch.data() + done, batch.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      if (!write_failed_) SY_LOG(kWarn, "access log %s: write failed: %s", path_.c_str(), strerror(errno));
      write_failed_ = true;
      return;
    }
    done += size_t(wrote);
  }
  write_failed_ = false;
}

void AccessLogFile::reopenNow() {
  int fd = openForAppend(path_);
  if (fd < 0) {
    SY_LOG(kError, "access log %s: reopen failed, still writing to the old file: %s", path_.c_str(),
           strerror(errno));
    return;
  }
  ::close(fd_);
  fd_ = fd;
}

void AccessLogFile::reportDrops() {
  uint64_t dropped = dropped_lines_.load(std::memory_order_relaxed);
  if (dropped == reported_drops_) return;
  SY_LOG(kWarn, "access log %s: %llu line(s) dropped so far: the disk does not keep up", path_.c_str(),
         static_cast<unsigned long long>(dropped));
  reported_drops_ = dropped;
}

}  // namespace switchyard::access_log
