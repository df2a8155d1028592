#include "trace_context.h"

namespace tracing {

namespace {

int lowerHexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Exactly `text.size()` lowercase hex digits into `out` (big-endian).
bool parseHex(std::string_view text, uint8_t* out) {
  if (text.size() % 2 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 2) {
    int high = lowerHexDigit(text[i]);
    int low = lowerHexDigit(text[i + 1]);
    if (high < 0 || low < 0) return false;
    out[i / 2] = uint8_t(high * 16 + low);
  }
  return true;
}

bool allZero(const uint8_t* bytes, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

std::optional<uint64_t> parseSpanId(std::string_view text) {
  uint8_t bytes[8];
  if (text.size() != 16 || !parseHex(text, bytes) || allZero(bytes, 8)) return std::nullopt;
  uint64_t id = 0;
  for (uint8_t byte : bytes) id = id << 8 | byte;
  return id;
}

// 32 hex digits, or 16 (B3's 64-bit ids) padded on the left with zeros.
std::optional<TraceId> parseB3TraceId(std::string_view text) {
  TraceId id{};
  if (text.size() == 32) {
    if (!parseHex(text, id.data())) return std::nullopt;
  } else if (text.size() == 16) {
    if (!parseHex(text, id.data() + 8)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (allZero(id.data(), id.size())) return std::nullopt;
  return id;
}

std::optional<bool> parseB3SamplingState(std::string_view text) {
  if (text == "1" || text == "d") return true;
  if (text == "0") return false;
  return std::nullopt;
}

}  // namespace

std::optional<IncomingContext> parseTraceparent(std::string_view value) {
  // version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 bytes.
  constexpr size_t kLength = 55;
  if (value.size() < kLength) return std::nullopt;
  uint8_t version;
  if (!parseHex(value.substr(0, 2), &version) || version == 0xff) return std::nullopt;
  // Version 00 is exactly this long; a later one may only append "-...".
  if (version == 0 && value.size() != kLength) return std::nullopt;
  if (value.size() > kLength && value[kLength] != '-') return std::nullopt;
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
  IncomingContext context;
  if (!parseHex(value.substr(3, 32), context.trace_id.data()) || allZero(context.trace_id.data(), 16)) {
    return std::nullopt;
  }
  std::optional<uint64_t> parent = parseSpanId(value.substr(36, 16));
  uint8_t flags;
  if (!parent || !parseHex(value.substr(53, 2), &flags)) return std::nullopt;
  context.parent_span_id = *parent;
  context.sampled = (flags & 0x01) != 0;
  return context;
}

ParsedContext parseB3Single(std::string_view value) {
  ParsedContext parsed;
  if (value.size() == 1) {
    parsed.sampled = parseB3SamplingState(value);
    return parsed;
  }
  size_t first = value.find('-');
  if (first == std::string_view::npos) return parsed;
  std::optional<TraceId> trace_id = parseB3TraceId(value.substr(0, first));
  std::string_view rest = value.substr(first + 1);
  size_t second = rest.find('-');
  std::optional<uint64_t> span_id = parseSpanId(rest.substr(0, second));
  if (!trace_id || !span_id) return parsed;
  IncomingContext context;
  context.trace_id = *trace_id;
  context.parent_span_id = *span_id;
  if (second != std::string_view::npos) {
    rest = rest.substr(second + 1);
    size_t third = rest.find('-');
    std::optional<bool> sampled = parseB3SamplingState(rest.substr(0, third));
    if (!sampled) return parsed;
    // The parent of the caller's span is not ours to keep, but a malformed
    // one makes the whole header malformed.
    if (third != std::string_view::npos && !parseSpanId(rest.substr(third + 1))) return parsed;
    context.sampled = sampled;
  }
  parsed.sampled = context.sampled;
  parsed.context = context;
  return parsed;
}

ParsedContext parseB3Multi(std::string_view trace_id, std::string_view span_id, std::string_view sampled,
                           std::string_view flags) {
  ParsedContext parsed;
  if (flags == "1") {
    parsed.sampled = true;
  } else if (sampled == "1" || sampled == "true") {
    parsed.sampled = true;
  } else if (sampled == "0" || sampled == "false") {
    parsed.sampled = false;
  }
  if (trace_id.empty() && span_id.empty()) return parsed;
  std::optional<TraceId> trace = parseB3TraceId(trace_id);
  std::optional<uint64_t> span = parseSpanId(span_id);
  if (!trace || !span) return parsed;
  IncomingContext context;
  context.trace_id = *trace;
  context.parent_span_id = *span;
  context.sampled = parsed.sampled;
  parsed.context = context;
  return parsed;
}

std::string acceptedTracestate(std::string_view value) {
  constexpr size_t kMaxLength = 512;
  if (value.size() > kMaxLength) return "";
  for (char c : value) {
    bool allowed = (c >= 0x21 && c <= 0x7e) || c == ' ' || c == '\t';
    if (!allowed) return "";
  }
  return std::string(value);
}

std::string hex(const TraceId& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t byte : id) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 15];
  }
  return text;
}

std::string hex(uint64_t id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i, id >>= 4) text[size_t(i)] = kDigits[id & 15];
  return text;
}

// Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about
// chains of std::string operator+ with short literals.
std::string formatTraceparent(const TraceId& trace_id, uint64_t span_id, bool sampled) {
  std::string value = "00-";
  value.append(hex(trace_id)).append("-").append(hex(span_id)).append(sampled ? "-01" : "-00");
  return value;
}

std::string formatB3Single(const TraceId& trace_id, uint64_t span_id, bool sampled, uint64_t parent_span_id) {
  std::string value = hex(trace_id);
  value.append("-").append(hex(span_id)).append(sampled ? "-1" : "-0");
  if (parent_span_id != 0) value.append("-").append(hex(parent_span_id));
  return value;
}

TraceId newTraceId(uint64_t (*random)()) {
  TraceId id{};
  while (allZero(id.data(), id.size())) {
    uint64_t high = random();
    uint64_t low = random();
    for (int i = 0; i < 8; ++i) {
      id[size_t(i)] = uint8_t(high >> (56 - 8 * i));
      id[size_t(8 + i)] = uint8_t(low >> (56 - 8 * i));
    }
  }
  return id;
}

uint64_t newSpanId(uint64_t (*random)()) {
  uint64_t id = 0;
  while (id == 0) id = random();
  return id;
}

}  // namespace tracing
