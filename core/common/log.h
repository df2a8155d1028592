// Process-wide logging to stderr with a level check, shared by the core and
// (through sy_host_api.log) by filter modules.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace switchyard::log {

enum class Level : int { kTrace = 0, kDebug = 1, kInfo = 2, kWarn = 3, kError = 4, kOff = 5 };

void setLevel(Level level);
Level level();
bool enabled(Level level);
// "trace", "debug", "info", "warn", "error", "off".
std::string_view levelName(Level level);
std::optional<Level> parseLevel(std::string_view name);
// Writes one line: "<timestamp> <level> <message>".
void write(Level level, std::string_view message);
void writef(Level level, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace switchyard::log

#define SY_LOG(level, ...)                                                    \
  do {                                                                        \
    if (::switchyard::log::enabled(::switchyard::log::Level::level))          \
      ::switchyard::log::writef(::switchyard::log::Level::level, __VA_ARGS__); \
  } while (0)
