#include "timeout_deadline.h"

enum { NS_PER_MS = 1000000 };

int parse_decimal(const char *text, size_t length, uint64_t *value_out) {
  if (length == 0) return 0;
  uint64_t value = 0;
  for (size_t i = 0; i < length; ++i) {
    if (text[i] < '0' || text[i] > '9') return 0;
    uint64_t digit = (uint64_t)(text[i] - '0');
    value = value > (UINT64_MAX - digit) / 10 ? UINT64_MAX : value * 10 + digit;
  }
  *value_out = value;
  return 1;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

int parse_timeout_header(const char *value, size_t length, uint64_t *ms_out) {
  while (length > 0 && is_space(value[0])) {
    value++;
    length--;
  }
  while (length > 0 && is_space(value[length - 1])) length--;
  uint64_t ms;
  if (!parse_decimal(value, length, &ms) || ms == 0) return 0;
  *ms_out = ms;
  return 1;
}

void deadline_init(request_deadline *deadline, uint64_t timeout_ms) {
  deadline->timeout_ms = timeout_ms;
  deadline->started = 0;
  deadline->expires_at_ns = 0;
}

void deadline_lower(request_deadline *deadline, uint64_t header_ms) {
  if (header_ms == 0) return;
  if (deadline->timeout_ms == 0 || header_ms < deadline->timeout_ms) deadline->timeout_ms = header_ms;
}

void deadline_start(request_deadline *deadline, uint64_t now_ns) {
  uint64_t span_ns =
      deadline->timeout_ms > UINT64_MAX / NS_PER_MS ? UINT64_MAX : deadline->timeout_ms * NS_PER_MS;
  deadline->expires_at_ns = span_ns > UINT64_MAX - now_ns ? UINT64_MAX : now_ns + span_ns;
  deadline->started = 1;
}

uint64_t deadline_ms_left(const request_deadline *deadline, uint64_t now_ns) {
  if (deadline->timeout_ms == 0) return 0;
  if (!deadline->started) return deadline->timeout_ms;
  uint64_t left_ms = now_ns < deadline->expires_at_ns ? (deadline->expires_at_ns - now_ns) / NS_PER_MS : 0;
  return left_ms > 0 ? left_ms : 1;
}
