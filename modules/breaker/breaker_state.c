#include "breaker_state.h"

/* The word: bits 0-1 the phase, 2-33 the generation, 34-48 count A, 49-63
 * count B. Closed: A = consecutive failures. Half-open: A = probe requests
 * in flight, B = successful probe results. Open: both 0. */
#define PHASE_BITS 2
#define GENERATION_SHIFT 2
#define COUNT_A_SHIFT 34
#define COUNT_B_SHIFT 49
#define COUNT_MASK 0x7fffu

static breaker_phase phase_of(uint64_t word) { return (breaker_phase)(word & ((1u << PHASE_BITS) - 1)); }
static uint32_t generation_of(uint64_t word) { return (uint32_t)(word >> GENERATION_SHIFT); }
static uint32_t count_a_of(uint64_t word) { return (uint32_t)(word >> COUNT_A_SHIFT) & COUNT_MASK; }
static uint32_t count_b_of(uint64_t word) { return (uint32_t)(word >> COUNT_B_SHIFT) & COUNT_MASK; }

static uint64_t make_word(breaker_phase phase, uint32_t generation, uint32_t count_a, uint32_t count_b) {
  return (uint64_t)phase | ((uint64_t)generation << GENERATION_SHIFT) |
         ((uint64_t)(count_a & COUNT_MASK) << COUNT_A_SHIFT) |
         ((uint64_t)(count_b & COUNT_MASK) << COUNT_B_SHIFT);
}

void breaker_state_init(breaker_state *state) {
  atomic_init(&state->word, make_word(BREAKER_CLOSED, 0, 0, 0));
  atomic_init(&state->open_until_ns, 0);
  atomic_init(&state->open_generation, UINT64_MAX);
  atomic_init(&state->trips_in_a_row, 0);
  for (int i = 0; i < BREAKER_WINDOW_BUCKETS; ++i) {
    atomic_init(&state->window[i].epoch, 0);
    atomic_init(&state->window[i].results, 0);
    atomic_init(&state->window[i].failures, 0);
  }
  atomic_init(&state->trips, 0);
  atomic_init(&state->probes_admitted, 0);
  atomic_init(&state->probes_succeeded, 0);
  atomic_init(&state->probes_failed, 0);
}

/* The winner of a transition to open (the word already says open, with
 * `generation`) sets when it may go half-open: the interval doubles with
 * each open since the breaker last closed, up to the cap. */
static void set_open_interval(breaker_state *state, const breaker_policy *policy, uint32_t generation,
                              uint64_t now_ns) {
  uint32_t opens = atomic_fetch_add_explicit(&state->trips_in_a_row, 1, memory_order_relaxed) + 1;
  uint64_t interval_ms = policy->open_interval_ms;
  for (uint32_t i = 1; i < opens && interval_ms < policy->max_open_interval_ms; ++i) interval_ms *= 2;
  if (interval_ms > policy->max_open_interval_ms) interval_ms = policy->max_open_interval_ms;
  atomic_store_explicit(&state->open_until_ns, now_ns + interval_ms * 1000000u, memory_order_relaxed);
  /* Published last: a reader that sees this generation sees its deadline. */
  atomic_store_explicit(&state->open_generation, generation, memory_order_release);
  atomic_fetch_add_explicit(&state->trips, 1, memory_order_relaxed);
}

/* Slices of the failure-rate window, by time. */
static uint64_t window_epoch(const breaker_policy *policy, uint64_t now_ns) {
  uint64_t slice_ms = policy->failure_rate_window_ms / BREAKER_WINDOW_BUCKETS;
  if (slice_ms == 0) slice_ms = 1;
  return now_ns / 1000000u / slice_ms;
}

/* Adds one result to the window; true when the failure rate over the
 * window now exceeds the policy's. Counts are approximate under races (a
 * slice being recycled may lose a result), which a rate tolerates. */
static int window_record_and_check(breaker_state *state, const breaker_policy *policy, int failed,
                                   uint64_t now_ns) {
  if (policy->failure_rate_percent == 0) return 0;
  uint64_t epoch = window_epoch(policy, now_ns);
  breaker_window_bucket *bucket = &state->window[epoch % BREAKER_WINDOW_BUCKETS];
  uint64_t seen = atomic_load_explicit(&bucket->epoch, memory_order_acquire);
  if (seen != epoch && atomic_compare_exchange_strong(&bucket->epoch, &seen, epoch)) {
    atomic_store_explicit(&bucket->results, 0, memory_order_relaxed);
    atomic_store_explicit(&bucket->failures, 0, memory_order_relaxed);
  }
  atomic_fetch_add_explicit(&bucket->results, 1, memory_order_relaxed);
  if (failed) atomic_fetch_add_explicit(&bucket->failures, 1, memory_order_relaxed);
  if (!failed) return 0;
  uint64_t results = 0, failures = 0;
  for (int i = 0; i < BREAKER_WINDOW_BUCKETS; ++i) {
    uint64_t bucket_epoch = atomic_load_explicit(&state->window[i].epoch, memory_order_acquire);
    if (bucket_epoch + BREAKER_WINDOW_BUCKETS <= epoch) continue; /* outside the window */
    results += atomic_load_explicit(&state->window[i].results, memory_order_relaxed);
    failures += atomic_load_explicit(&state->window[i].failures, memory_order_relaxed);
  }
  return results >= policy->failure_rate_minimum_requests &&
         failures * 100 > (uint64_t)policy->failure_rate_percent * results;
}

static void window_clear(breaker_state *state) {
  for (int i = 0; i < BREAKER_WINDOW_BUCKETS; ++i) {
    atomic_store_explicit(&state->window[i].results, 0, memory_order_relaxed);
    atomic_store_explicit(&state->window[i].failures, 0, memory_order_relaxed);
  }
}

breaker_admission breaker_admit(breaker_state *state, const breaker_policy *policy, uint64_t now_ns,
                                breaker_ticket *ticket, breaker_transition *transition) {
  *transition = BREAKER_NO_CHANGE;
  for (;;) {
    uint64_t word = atomic_load_explicit(&state->word, memory_order_acquire);
    uint32_t generation = generation_of(word);
    switch (phase_of(word)) {
      case BREAKER_CLOSED:
        ticket->generation = generation;
        ticket->probe = 0;
        return BREAKER_ADMITTED;
      case BREAKER_OPEN: {
        /* Until the tripping thread has published the deadline, still open. */
        if (atomic_load_explicit(&state->open_generation, memory_order_acquire) != generation ||
            now_ns < atomic_load_explicit(&state->open_until_ns, memory_order_relaxed)) {
          return BREAKER_REFUSED_OPEN;
        }
        uint64_t half_open = make_word(BREAKER_HALF_OPEN, generation + 1, 0, 0);
        if (atomic_compare_exchange_weak(&state->word, &word, half_open))
          *transition = BREAKER_WENT_HALF_OPEN;
        continue; /* now take a probe slot, if one is left */
      }
      case BREAKER_HALF_OPEN: {
        uint32_t probes = count_a_of(word);
        if (probes >= policy->half_open_max_probes) return BREAKER_REFUSED_OPEN;
        uint64_t taken = make_word(BREAKER_HALF_OPEN, generation, probes + 1, count_b_of(word));
        if (!atomic_compare_exchange_weak(&state->word, &word, taken)) continue;
        ticket->generation = generation;
        ticket->probe = 1;
        atomic_fetch_add_explicit(&state->probes_admitted, 1, memory_order_relaxed);
        return BREAKER_ADMITTED;
      }
    }
  }
}

static breaker_transition open_from(breaker_state *state, const breaker_policy *policy, uint64_t word,
                                    uint64_t now_ns, breaker_transition kind) {
  uint32_t next = generation_of(word) + 1;
  if (!atomic_compare_exchange_strong(&state->word, &word, make_word(BREAKER_OPEN, next, 0, 0))) {
    return BREAKER_NO_CHANGE; /* someone else moved it first; the caller re-reads */
  }
  set_open_interval(state, policy, next, now_ns);
  window_clear(state);
  return kind;
}

breaker_transition breaker_record(breaker_state *state, const breaker_policy *policy,
                                  const breaker_ticket *ticket, int failed, uint64_t now_ns) {
  int rate_exceeded = -1; /* computed once: it adds this result to the window */
  for (;;) {
    uint64_t word = atomic_load_explicit(&state->word, memory_order_acquire);
    if (generation_of(word) != ticket->generation) return BREAKER_NO_CHANGE;
    switch (phase_of(word)) {
      case BREAKER_CLOSED: {
        if (rate_exceeded < 0) rate_exceeded = window_record_and_check(state, policy, failed, now_ns);
        uint32_t in_a_row = failed ? count_a_of(word) + 1 : 0;
        if (failed && (rate_exceeded ||
                       (policy->consecutive_failures > 0 && in_a_row >= policy->consecutive_failures))) {
          breaker_transition done = open_from(state, policy, word, now_ns, BREAKER_TRIPPED);
          if (done != BREAKER_NO_CHANGE) return done;
          continue;
        }
        if (in_a_row == count_a_of(word)) return BREAKER_NO_CHANGE;
        if (in_a_row > BREAKER_MAX_COUNT) in_a_row = BREAKER_MAX_COUNT;
        uint64_t counted = make_word(BREAKER_CLOSED, generation_of(word), in_a_row, 0);
        if (atomic_compare_exchange_weak(&state->word, &word, counted)) return BREAKER_NO_CHANGE;
        continue;
      }
      case BREAKER_HALF_OPEN: {
        if (failed) {
          breaker_transition done = open_from(state, policy, word, now_ns, BREAKER_REOPENED);
          if (done == BREAKER_NO_CHANGE) continue;
          atomic_fetch_add_explicit(&state->probes_failed, 1, memory_order_relaxed);
          return done;
        }
        uint32_t successes = count_b_of(word) + 1;
        if (successes >= policy->half_open_successes) {
          uint64_t closed = make_word(BREAKER_CLOSED, generation_of(word) + 1, 0, 0);
          if (!atomic_compare_exchange_weak(&state->word, &word, closed)) continue;
          atomic_store_explicit(&state->trips_in_a_row, 0, memory_order_relaxed);
          atomic_fetch_add_explicit(&state->probes_succeeded, 1, memory_order_relaxed);
          return BREAKER_CLOSED_AGAIN;
        }
        uint64_t counted = make_word(BREAKER_HALF_OPEN, generation_of(word), count_a_of(word), successes);
        if (!atomic_compare_exchange_weak(&state->word, &word, counted)) continue;
        atomic_fetch_add_explicit(&state->probes_succeeded, 1, memory_order_relaxed);
        return BREAKER_PROBE_SUCCEEDED;
      }
      case BREAKER_OPEN:
        return BREAKER_NO_CHANGE; /* admitted under this generation: impossible, but harmless */
    }
  }
}

void breaker_release_probe(breaker_state *state, const breaker_ticket *ticket) {
  if (!ticket->probe) return;
  for (;;) {
    uint64_t word = atomic_load_explicit(&state->word, memory_order_acquire);
    /* After a transition the slots were reset with the counts. */
    if (generation_of(word) != ticket->generation || phase_of(word) != BREAKER_HALF_OPEN) return;
    uint32_t probes = count_a_of(word);
    if (probes == 0) return;
    uint64_t freed = make_word(BREAKER_HALF_OPEN, generation_of(word), probes - 1, count_b_of(word));
    if (atomic_compare_exchange_weak(&state->word, &word, freed)) return;
  }
}

breaker_phase breaker_current_phase(const breaker_state *state) {
  return phase_of(atomic_load_explicit(&((breaker_state *)state)->word, memory_order_acquire));
}

uint64_t breaker_open_remaining_ns(const breaker_state *state, uint64_t now_ns) {
  breaker_state *s = (breaker_state *)state;
  uint64_t word = atomic_load_explicit(&s->word, memory_order_acquire);
  if (phase_of(word) != BREAKER_OPEN) return 0;
  if (atomic_load_explicit(&s->open_generation, memory_order_acquire) != generation_of(word)) return 0;
  uint64_t until = atomic_load_explicit(&s->open_until_ns, memory_order_relaxed);
  return until > now_ns ? until - now_ns : 0;
}

const char *breaker_phase_name(breaker_phase phase) {
  switch (phase) {
    case BREAKER_CLOSED:
      return "closed";
    case BREAKER_OPEN:
      return "open";
    case BREAKER_HALF_OPEN:
      return "half_open";
  }
  return "unknown";
}
