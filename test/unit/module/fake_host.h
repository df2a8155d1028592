// A sy_host_api for tests that drive modules directly, without a proxy: it
// keeps header maps and stream properties in plain containers and records
// what modules do (log lines, metric definitions and recordings).
#pragma once

#include <switchyard/filter.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::module {

// A header map behind an sy_headers handle. Names match case-insensitively.
struct FakeHeaders {
  std::vector<std::pair<std::string, std::string>> fields;

  // Every value of `name`, in order.
  std::vector<std::string> values(std::string_view name) const;
  sy_headers* handle() { return reinterpret_cast<sy_headers*>(this); }
};

// A stream behind an sy_stream handle; a property it lacks is NOT_FOUND.
struct FakeStream {
  std::map<sy_stream_property, std::string> properties;

  sy_stream* handle() { return reinterpret_cast<sy_stream*>(this); }
};

// What modules did through the fake host since the last clear().
struct FakeHostRecord {
  std::vector<std::string> log;           // one entry per log call
  std::vector<std::string> metric_names;  // "<filter>.<metric>"; the index is the id
  std::map<uint32_t, int64_t> metric_totals;

  void clear();
};

// The table to hand to ModuleLoader. It has logging, header maps, stream
// properties and metrics; the rest (buffers, timers, local replies,
// attributes, clock) is NULL, since no module under test calls it.
const sy_host_api* fakeHost();
FakeHostRecord& fakeHostRecord();

}  // namespace switchyard::module
