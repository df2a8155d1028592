#include "request_id.h"

namespace tracing {

bool usableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c <= ' ' || c >= 127) return false;
  }
  return true;
}

std::string uuidV4(uint64_t high, uint64_t low) {
  high = (high & ~uint64_t(0xf000)) | 0x4000;                    // version 4
  low = (low & ~(uint64_t(0xc) << 60)) | (uint64_t(0x8) << 60);  // variant 10
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (int i = 0; i < 32; ++i) {
    uint64_t word = i < 16 ? high : low;
    int shift = 60 - 4 * (i % 16);
    if (i == 8 || i == 12 || i == 16 || i == 20) text += '-';
    text += kDigits[(word >> shift) & 15];
  }
  return text;
}

}  // namespace tracing
