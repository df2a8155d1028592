/* The breakers and bulkhead counts of the whole process, by name: one entry
 * per cluster, per host of a cluster and per route, shared by every worker
 * and every listener whose config names them, and kept for the module's
 * life (so a breaker's state does not depend on which listener saw the
 * traffic). Lookup and insertion are lock-free: a fixed table of atomic
 * pointers, filled by compare-and-swap. */
#ifndef SWITCHYARD_BREAKER_REGISTRY_H
#define SWITCHYARD_BREAKER_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "breaker_state.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a request or host was refused: the x-switchyard-overloaded value.
 * X(constant, token). */
#define BREAKER_REASON_TABLE(X)                            \
  X(BREAKER_REASON_MAX_REQUESTS, "max_requests")           \
  X(BREAKER_REASON_MAX_PENDING, "max_pending_requests")    \
  X(BREAKER_REASON_MAX_RETRIES, "max_retries")             \
  X(BREAKER_REASON_MAX_CONNECTIONS, "max_connections")     \
  X(BREAKER_REASON_OPEN, "open")                           \
  X(BREAKER_REASON_HOST_MAX_REQUESTS, "host_max_requests") \
  X(BREAKER_REASON_HOST_OPEN, "host_open")                 \
  X(BREAKER_REASON_ROUTE_MAX_REQUESTS, "route_max_requests")

typedef enum breaker_reason {
#define BREAKER_REASON_ENUM(name, token) name,
  BREAKER_REASON_TABLE(BREAKER_REASON_ENUM)
#undef BREAKER_REASON_ENUM
      BREAKER_REASON_COUNT
} breaker_reason;

const char *breaker_reason_token(breaker_reason reason);

typedef enum breaker_scope {
  BREAKER_SCOPE_CLUSTER = 0, /* name: the cluster */
  BREAKER_SCOPE_HOST = 1,    /* name: the cluster; host: "ip:port" */
  BREAKER_SCOPE_ROUTE = 2,   /* name: the listener; host: the route */
} breaker_scope;

typedef struct breaker_entry {
  breaker_scope scope;
  char *name;
  char *host; /* "" for a cluster */
  breaker_state state;
  /* The bulkhead's count: requests on a cluster or route, attempts on a host. */
  BREAKER_ATOMIC(uint32_t) active;
  BREAKER_ATOMIC(uint64_t) rejected[BREAKER_REASON_COUNT];
} breaker_entry;

/* The entry for (scope, name, host), made on first use; NULL only when the
 * table is full or memory ran out (the caller then applies no breaker). */
breaker_entry *breaker_registry_get(breaker_scope scope, const char *name, size_t name_len, const char *host,
                                    size_t host_len);

/* Calls `visit` for every entry of `scope` whose name is `name`, in no
 * particular order. Safe beside concurrent insertions. */
void breaker_registry_visit(breaker_scope scope, const char *name, size_t name_len,
                            void (*visit)(const breaker_entry *entry, void *user_data), void *user_data);

/* Frees every entry: module_shutdown only, when no stream can hold one. */
void breaker_registry_clear(void);

/* Takes one unit of `limit` (0: unlimited) from the entry's bulkhead; 0 and
 * nothing taken when it is full. */
int breaker_entry_take(breaker_entry *entry, uint32_t limit);
void breaker_entry_give_back(breaker_entry *entry);
void breaker_entry_count_rejection(breaker_entry *entry, breaker_reason reason);

#ifdef __cplusplus
}
#endif

#endif
