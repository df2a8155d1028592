/* Chances as the fault filter keeps them: parts per million, so that a
 * percentage over a hundred, ten thousand or a million (0.0001%) is exact.
 * Pure C, no host calls. */
#ifndef SWITCHYARD_FAULT_CHANCE_H
#define SWITCHYARD_FAULT_CHANCE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" { /* the unit tests are C++ */
#endif

#define FAULT_PPM_ALL 1000000u

/* Reads a percentage written as decimal text ("50", "0.01", "100.0"), as a
 * runtime value or a request header carries it, into *ppm_out. Returns 1,
 * or 0 (leaving *ppm_out alone) for text that is not a number from 0 to
 * 100 with at most four decimals. */
int fault_percent_text_to_ppm(const char *text, size_t length, uint32_t *ppm_out);

/* Reads a whole number written as decimal text, from min to max, into
 * *value_out. Returns 1, or 0 (leaving *value_out alone). */
int fault_integer_text(const char *text, size_t length, uint64_t min, uint64_t max, uint64_t *value_out);

/* Whether a uniformly random `draw` falls within a chance of `ppm`. */
int fault_chance_hits(uint32_t ppm, uint64_t draw);

/* The `index`-th number of the reproducible sequence that `seed` starts
 * (SplitMix64): the same seed and index give the same number everywhere. */
uint64_t fault_seeded_draw(uint64_t seed, uint64_t index);

#ifdef __cplusplus
}
#endif

#endif
