/* The request deadline of one stream, as plain arithmetic on a monotonic
 * clock, so that it can be tested without a host: how long the request may
 * take, when the clock started, and how much of it is left. timeout.c owns
 * one per stream and feeds it the host's clock. */
#ifndef TIMEOUT_DEADLINE_H
#define TIMEOUT_DEADLINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" { /* the unit tests are C++ */
#endif

typedef struct request_deadline {
  uint64_t timeout_ms;    /* 0: the request has no timeout */
  int started;            /* the end of the request was seen */
  uint64_t expires_at_ns; /* on the monotonic clock, once started */
} request_deadline;

/* Reads a run of decimal digits, nothing else, saturating at UINT64_MAX so
 * that an absurd value still reads as "very large". Returns 0 for an empty
 * text or any other character (a sign, a point, an exponent). */
int parse_decimal(const char *text, size_t length, uint64_t *value_out);

/* Reads a timeout header value: a positive decimal millisecond count,
 * optionally surrounded by spaces or tabs. Returns 0 when malformed; 0 ms is
 * malformed too, since it can only mean "no deadline" (which a header must
 * not grant) or "already expired" (which no sender means). */
int parse_timeout_header(const char *value, size_t length, uint64_t *ms_out);

void deadline_init(request_deadline *deadline, uint64_t timeout_ms);

/* Applies a trusted header's `header_ms`: it can shorten the timeout, or set
 * one where there was none, but never lengthen it. */
void deadline_lower(request_deadline *deadline, uint64_t header_ms);

/* Starts the clock at `now_ns`; a timeout too long for the clock saturates. */
void deadline_start(request_deadline *deadline, uint64_t now_ns);

/* Milliseconds left to pass on to the next service: 0 when there is no
 * timeout; the whole timeout while the clock has not started; else the time
 * left rounded down (the next hop should give up no later than this one)
 * but at least 1, since 0 would read as "no deadline" or as malformed. */
uint64_t deadline_ms_left(const request_deadline *deadline, uint64_t now_ns);

#ifdef __cplusplus
}
#endif

#endif
