#include "fault_chance.h"

int fault_integer_text(const char *text, size_t length, uint64_t min, uint64_t max, uint64_t *value_out) {
  /* Twenty digits may overflow 64 bits; no value the filter reads needs them. */
  if (length == 0 || length > 19) return 0;
  uint64_t value = 0;
  for (size_t i = 0; i < length; ++i) {
    if (text[i] < '0' || text[i] > '9') return 0;
    value = value * 10 + (uint64_t)(text[i] - '0');
  }
  if (value < min || value > max) return 0;
  *value_out = value;
  return 1;
}

int fault_percent_text_to_ppm(const char *text, size_t length, uint32_t *ppm_out) {
  size_t dot = 0;
  while (dot < length && text[dot] != '.') ++dot;
  uint64_t whole = 0;
  if (!fault_integer_text(text, dot, 0, 100, &whole)) return 0;
  uint64_t fraction = 0; /* in ten-thousandths of a percent: ppm */
  if (dot < length) {
    size_t decimals = length - dot - 1;
    if (decimals == 0 || decimals > 4) return 0;
    if (!fault_integer_text(text + dot + 1, decimals, 0, 9999, &fraction)) return 0;
    for (size_t i = decimals; i < 4; ++i) fraction *= 10;
  }
  uint64_t ppm = whole * 10000 + fraction;
  if (ppm > FAULT_PPM_ALL) return 0;
  *ppm_out = (uint32_t)ppm;
  return 1;
}

int fault_chance_hits(uint32_t ppm, uint64_t draw) {
  if (ppm == 0) return 0;
  if (ppm >= FAULT_PPM_ALL) return 1;
  /* The modulo's bias is below one in 10^13: far under any test's notice. */
  return draw % FAULT_PPM_ALL < ppm;
}

uint64_t fault_seeded_draw(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
