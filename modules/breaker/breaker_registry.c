#include "breaker_registry.h"

#include <stdlib.h>
#include <string.h>

/* A power of two. Clusters x hosts beyond this share no breaker: the table
 * refuses new entries rather than grow under concurrent readers. */
#define REGISTRY_SLOTS 8192u

static _Atomic(breaker_entry *) slots[REGISTRY_SLOTS];

const char *breaker_reason_token(breaker_reason reason) {
  switch (reason) {
#define BREAKER_REASON_CASE(name, token) \
  case name:                             \
    return token;
    BREAKER_REASON_TABLE(BREAKER_REASON_CASE)
#undef BREAKER_REASON_CASE
    case BREAKER_REASON_COUNT:
      break;
  }
  return "refused";
}

static uint64_t hash_bytes(uint64_t hash, const char *bytes, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    hash ^= (unsigned char)bytes[i];
    hash *= 1099511628211ull; /* FNV-1a */
  }
  return hash;
}

static int same_text(const char *text, const char *other, size_t other_len) {
  return strlen(text) == other_len && memcmp(text, other, other_len) == 0;
}

static int entry_is(const breaker_entry *entry, breaker_scope scope, const char *name, size_t name_len,
                    const char *host, size_t host_len) {
  return entry->scope == scope && same_text(entry->name, name, name_len) &&
         same_text(entry->host, host, host_len);
}

static char *copy_text(const char *text, size_t len) {
  char *copy = malloc(len + 1);
  if (copy == NULL) return NULL;
  if (len > 0) memcpy(copy, text, len);
  copy[len] = '\0';
  return copy;
}

static void free_entry(breaker_entry *entry) {
  if (entry == NULL) return;
  free(entry->name);
  free(entry->host);
  free(entry);
}

static breaker_entry *new_entry(breaker_scope scope, const char *name, size_t name_len, const char *host,
                                size_t host_len) {
  breaker_entry *entry = calloc(1, sizeof *entry);
  if (entry == NULL) return NULL;
  entry->scope = scope;
  entry->name = copy_text(name, name_len);
  entry->host = copy_text(host, host_len);
  if (entry->name == NULL || entry->host == NULL) {
    free_entry(entry);
    return NULL;
  }
  breaker_state_init(&entry->state);
  atomic_init(&entry->active, 0);
  for (int i = 0; i < BREAKER_REASON_COUNT; ++i) atomic_init(&entry->rejected[i], 0);
  return entry;
}

breaker_entry *breaker_registry_get(breaker_scope scope, const char *name, size_t name_len, const char *host,
                                    size_t host_len) {
  uint64_t hash = hash_bytes(14695981039346656037ull + (uint64_t)scope, name, name_len);
  hash = hash_bytes(hash_bytes(hash, "\n", 1), host, host_len);
  breaker_entry *created = NULL;
  for (uint32_t probe = 0; probe < REGISTRY_SLOTS; ++probe) {
    _Atomic(breaker_entry *) *slot = &slots[(hash + probe) & (REGISTRY_SLOTS - 1)];
    breaker_entry *entry = atomic_load_explicit(slot, memory_order_acquire);
    if (entry == NULL) {
      if (created == NULL) created = new_entry(scope, name, name_len, host, host_len);
      if (created == NULL) return NULL;
      if (atomic_compare_exchange_strong_explicit(slot, &entry, created, memory_order_acq_rel,
                                                  memory_order_acquire)) {
        return created;
      }
      /* Another thread filled the slot first: `entry` is what it put. */
    }
    if (entry_is(entry, scope, name, name_len, host, host_len)) {
      free_entry(created);
      return entry;
    }
  }
  free_entry(created);
  return NULL;
}

void breaker_registry_visit(breaker_scope scope, const char *name, size_t name_len,
                            void (*visit)(const breaker_entry *entry, void *user_data), void *user_data) {
  for (uint32_t i = 0; i < REGISTRY_SLOTS; ++i) {
    const breaker_entry *entry = atomic_load_explicit(&slots[i], memory_order_acquire);
    if (entry != NULL && entry->scope == scope && same_text(entry->name, name, name_len))
      visit(entry, user_data);
  }
}

void breaker_registry_clear(void) {
  for (uint32_t i = 0; i < REGISTRY_SLOTS; ++i) {
    free_entry(atomic_exchange_explicit(&slots[i], NULL, memory_order_acq_rel));
  }
}

int breaker_entry_take(breaker_entry *entry, uint32_t limit) {
  if (limit == 0) {
    atomic_fetch_add_explicit(&entry->active, 1, memory_order_relaxed);
    return 1;
  }
  uint32_t active = atomic_load_explicit(&entry->active, memory_order_relaxed);
  do {
    if (active >= limit) return 0;
  } while (!atomic_compare_exchange_weak_explicit(&entry->active, &active, active + 1, memory_order_relaxed,
                                                  memory_order_relaxed));
  return 1;
}

void breaker_entry_give_back(breaker_entry *entry) {
  atomic_fetch_sub_explicit(&entry->active, 1, memory_order_relaxed);
}

void breaker_entry_count_rejection(breaker_entry *entry, breaker_reason reason) {
  atomic_fetch_add_explicit(&entry->rejected[reason], 1, memory_order_relaxed);
}
