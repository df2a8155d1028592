// What the fuzz targets share: an invariant check that stays on in release
// builds (assert() is compiled out there), and the split of an input into
// the message and the read sizes it is delivered in.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/header_map.h"

namespace switchyard::fuzz {

// A failed invariant aborts, which libFuzzer reports as a crash and saves the
// input that caused it.
#define SY_FUZZ_CHECK(condition)                                                             \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)

// An input for the decoder targets: the message bytes come first, and the
// control bytes at the end say how to deliver them, read from the last byte
// backwards (FuzzedDataProvider's order for integers):
//   last byte         the number of reads, 1 + (byte % 16)
//   the one before    flags for the target (see each target)
//   then one per read but the last: its size in bytes, 0-255
// The last read takes whatever is left; reads past the end are empty. A seed
// is therefore a raw message followed by these bytes (see README.md).
struct SplitInput {
  std::string message;
  uint8_t flags = 0;
  std::vector<std::string_view> reads;  // views into `message`, in order
};

inline SplitInput splitInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider provider(data, size);
  SplitInput input;
  size_t read_count = provider.ConsumeIntegralInRange<size_t>(1, 16);
  input.flags = provider.ConsumeIntegral<uint8_t>();
  std::vector<size_t> sizes;
  for (size_t i = 0; i + 1 < read_count; ++i) sizes.push_back(provider.ConsumeIntegral<uint8_t>());
  input.message = provider.ConsumeRemainingBytesAsString();
  std::string_view rest = input.message;
  for (size_t read_size : sizes) {
    size_t taken = std::min(read_size, rest.size());
    input.reads.push_back(rest.substr(0, taken));
    rest.remove_prefix(taken);
  }
  input.reads.push_back(rest);
  return input;
}

// The same fields with the same bytes in the same order (the split-reads
// invariant of the decoder targets compares decoded messages exactly).
inline bool sameFields(const std::vector<http::HeaderField>& a, const std::vector<http::HeaderField>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].value != b[i].value) return false;
  }
  return true;
}

}  // namespace switchyard::fuzz
