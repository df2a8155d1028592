#include "retry_overrides.h"

#include "retry_conditions.h"

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Narrows [*start, *end) past leading and trailing spaces and tabs. */
static void trim(const char *text, size_t *start, size_t *end) {
  while (*start < *end && is_space(text[*start])) ++*start;
  while (*end > *start && is_space(text[*end - 1])) --*end;
}

int retry_override_parse_conditions(const char *value, size_t length, uint32_t *conditions_out) {
  uint32_t conditions = 0;
  size_t item_start = 0;
  for (size_t at = 0; at <= length; ++at) {
    if (at < length && value[at] != ',') continue;
    size_t start = item_start;
    size_t end = at;
    trim(value, &start, &end);
    const uint32_t condition = retry_condition_from_word(value + start, end - start);
    if (condition == 0) return 0;
    conditions |= condition;
    item_start = at + 1;
  }
  *conditions_out = conditions;
  return 1;
}

int retry_override_parse_max_retries(const char *value, size_t length, uint32_t max_allowed,
                                     uint32_t *max_retries_out) {
  size_t start = 0;
  size_t end = length;
  trim(value, &start, &end);
  if (start == end) return 0;
  uint64_t number = 0;
  for (size_t at = start; at < end; ++at) {
    if (value[at] < '0' || value[at] > '9') return 0;
    number = number * 10 + (uint64_t)(value[at] - '0');
    if (number > max_allowed) return 0;
  }
  *max_retries_out = (uint32_t)number;
  return 1;
}
