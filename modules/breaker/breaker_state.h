/* One circuit breaker's failure state machine, shared by every worker
 * thread without a lock: closed -> open -> half-open -> closed (or open
 * again). Pure logic over C11 atomics and a caller-supplied clock, so that
 * test/unit/breaker drives it directly.
 *
 * The whole state that transitions read and write sits in one 64-bit word
 * (state, generation and two small counts), so every transition is a single
 * compare-and-swap: two workers that see the same failure cannot both trip
 * the breaker, and a probe slot cannot be handed out twice.
 *
 * Generations: each transition starts a new generation. A request remembers
 * the generation it was admitted under (its ticket), and its results move
 * the breaker only while that generation is current, so a slow response
 * from before a trip cannot close or re-open the breaker afterwards. */
#ifndef SWITCHYARD_BREAKER_STATE_H
#define SWITCHYARD_BREAKER_STATE_H

#include <stdint.h>

/* C11 atomics; the same objects seen from C++ (the unit tests) as
 * std::atomic, which GCC and Clang lay out identically for lock-free types. */
#ifdef __cplusplus
#include <atomic>
#define BREAKER_ATOMIC(type) std::atomic<type>
extern "C" {
#else
#include <stdatomic.h>
#define BREAKER_ATOMIC(type) _Atomic type
#endif

typedef enum breaker_phase {
  BREAKER_CLOSED = 0,
  BREAKER_OPEN = 1,
  BREAKER_HALF_OPEN = 2,
} breaker_phase;

/* When the breaker trips and how it recovers. A count or percentage of 0
 * turns that trigger off. */
typedef struct breaker_policy {
  uint32_t consecutive_failures;          /* trip after this many in a row */
  uint32_t failure_rate_percent;          /* trip above this failure rate ... */
  uint32_t failure_rate_minimum_requests; /* ... over at least this many results ... */
  uint64_t failure_rate_window_ms;        /* ... in this sliding window */
  uint64_t open_interval_ms;              /* first time open; doubles with each re-trip */
  uint64_t max_open_interval_ms;          /* the cap on that growth */
  uint32_t half_open_max_probes;          /* concurrent probe requests when half-open */
  uint32_t half_open_successes;           /* successful probes that close it */
  uint64_t probe_timeout_ms;              /* a probe unanswered this long failed */
} breaker_policy;

/* The largest count a policy may ask for (the word's count fields). */
#define BREAKER_MAX_COUNT 10000u

#define BREAKER_WINDOW_BUCKETS 10

typedef struct breaker_window_bucket {
  BREAKER_ATOMIC(uint64_t) epoch; /* which window slice the counts belong to */
  BREAKER_ATOMIC(uint32_t) results;
  BREAKER_ATOMIC(uint32_t) failures;
} breaker_window_bucket;

typedef struct breaker_state {
  BREAKER_ATOMIC(uint64_t) word;          /* phase, generation, counts: see breaker_state.c */
  BREAKER_ATOMIC(uint64_t) open_until_ns; /* valid for the generation in open_generation */
  BREAKER_ATOMIC(uint64_t) open_generation;
  BREAKER_ATOMIC(uint32_t) trips_in_a_row; /* opens since it last closed: the interval grows */
  breaker_window_bucket window[BREAKER_WINDOW_BUCKETS];
  /* What the admin API and stats report. */
  BREAKER_ATOMIC(uint64_t) trips;
  BREAKER_ATOMIC(uint64_t) probes_admitted;
  BREAKER_ATOMIC(uint64_t) probes_succeeded;
  BREAKER_ATOMIC(uint64_t) probes_failed;
} breaker_state;

/* What admission gave a request: the generation its results belong to, and
 * whether it holds a probe slot (to hand back with breaker_release_probe). */
typedef struct breaker_ticket {
  uint32_t generation;
  int probe;
} breaker_ticket;

typedef enum breaker_admission {
  BREAKER_ADMITTED = 0,
  BREAKER_REFUSED_OPEN = 1, /* open, or half-open with every probe slot taken */
} breaker_admission;

/* How a recorded result changed the breaker, for stats. */
typedef enum breaker_transition {
  BREAKER_NO_CHANGE = 0,
  BREAKER_TRIPPED,         /* closed -> open */
  BREAKER_REOPENED,        /* half-open -> open (a probe failed) */
  BREAKER_CLOSED_AGAIN,    /* half-open -> closed */
  BREAKER_WENT_HALF_OPEN,  /* open -> half-open (from admission) */
  BREAKER_PROBE_SUCCEEDED, /* half-open, one more success, not yet enough to close */
} breaker_transition;

void breaker_state_init(breaker_state *state);

/* Admits a request at time `now_ns`, or refuses it while open. An open
 * breaker whose interval has passed goes half-open here (*transition says
 * so) and the request may take a probe slot. */
breaker_admission breaker_admit(breaker_state *state, const breaker_policy *policy, uint64_t now_ns,
                                breaker_ticket *ticket, breaker_transition *transition);

/* Records one result of a request admitted with `ticket`; `failed` by the
 * breaker's failure classification. Ignored when the generation moved on. */
breaker_transition breaker_record(breaker_state *state, const breaker_policy *policy,
                                  const breaker_ticket *ticket, int failed, uint64_t now_ns);

/* A probe request ended (completed, reset or timed out): its slot frees. */
void breaker_release_probe(breaker_state *state, const breaker_ticket *ticket);

/* The current phase, for reports. */
breaker_phase breaker_current_phase(const breaker_state *state);
/* Nanoseconds until an open breaker may go half-open; 0 otherwise. */
uint64_t breaker_open_remaining_ns(const breaker_state *state, uint64_t now_ns);
const char *breaker_phase_name(breaker_phase phase);

#ifdef __cplusplus
}
#endif

#endif
