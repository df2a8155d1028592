#include "common/log.h"

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <unistd.h>

namespace switchyard::log {

namespace {
std::atomic<int> g_level{int(Level::kInfo)};
constexpr std::string_view kLevelNames[] = {"trace", "debug", "info", "warn", "error", "off"};
}  // namespace

void setLevel(Level level) { g_level.store(int(level), std::memory_order_relaxed); }

Level level() { return Level(g_level.load(std::memory_order_relaxed)); }

std::string_view levelName(Level level) { return kLevelNames[int(level)]; }

std::optional<Level> parseLevel(std::string_view name) {
  for (int i = 0; i <= int(Level::kOff); ++i) {
    if (kLevelNames[i] == name) return Level(i);
  }
  return std::nullopt;
}

bool enabled(Level level) { return int(level) >= g_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message) {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  char line[8192];
  int prefix = snprintf(line, sizeof line, "[%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ] [%s] ",
                        utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                        utc.tm_sec, now.tv_nsec / 1000000, levelName(level).data());
  size_t room = sizeof line - size_t(prefix) - 1;
  size_t body = message.size() < room ? message.size() : room;
  std::copy_n(message.data(), body, line + prefix);
  line[size_t(prefix) + body] = '\n';
  // One write() per line keeps lines from different workers whole.
  ssize_t ignored = ::write(STDERR_FILENO, line, size_t(prefix) + body + 1);
  (void)ignored;
}

void writef(Level level, const char* format, ...) {
  char message[4096];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  write(level, message);
}

}  // namespace switchyard::log
