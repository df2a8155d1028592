/*
 * switchyard embedding API: run the proxy on a caller's libuv loop.
 *
 *   sy_proxy *proxy = sy_proxy_new(loop, &options);
 *   if (sy_proxy_load_config_file(proxy, "proxy.yaml") != 0 ||
 *       sy_proxy_start(proxy) != 0) {
 *     fprintf(stderr, "%s\n", sy_proxy_last_error(proxy));
 *   }
 *   uv_run(loop, UV_RUN_DEFAULT);            // the caller's own handles too
 *   ... later, from a callback on the loop:
 *   sy_proxy_drain(proxy, 15000, on_drained, ctx); // on_drained: sy_proxy_free
 *
 * All calls are made on the loop's thread. With options.concurrency == 0 the
 * whole proxy runs on the caller's loop; with N > 0 it runs N worker threads
 * (each with its own loop, listeners shared with SO_REUSEPORT) and uses the
 * caller's loop only for the admin listener and control.
 */
#ifndef SWITCHYARD_EMBED_H
#define SWITCHYARD_EMBED_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sy_proxy sy_proxy;

typedef struct sy_proxy_options {
  uint32_t size; /* sizeof(sy_proxy_options) */
  /* 0: everything on the caller's loop; N: N worker threads. */
  uint32_t concurrency;
  /* Module directories searched before the config's module_paths and the
   * built-in default path. Copied by sy_proxy_new. */
  const char *const *module_paths;
  size_t module_path_count;
} sy_proxy_options;

/* The engine's version string, e.g. "0.1.0". */
const char *sy_version(void);
/* The filter ABI this engine implements, e.g. "1.0". */
const char *sy_filter_abi_version(void);
/* 0 trace, 1 debug, 2 info (default), 3 warn, 4 error, 5 off. */
void sy_set_log_level(int level);

sy_proxy *sy_proxy_new(uv_loop_t *loop, const sy_proxy_options *options);

/* Load and validate a config (YAML or JSON), load its modules and build
 * their configs, without serving. Return 0, or -1 with every problem in
 * sy_proxy_last_error (one per line, each naming the file and field). Before
 * start the new config replaces any earlier one; after start it is refused. */
int sy_proxy_load_config_file(sy_proxy *proxy, const char *path);
int sy_proxy_load_config_text(sy_proxy *proxy, const char *text, size_t length,
                              const char *source_name);

/* Bind the listeners and admin and start serving. 0, or -1 (see
 * sy_proxy_last_error), e.g. when an address is in use. If SIGPIPE still
 * has its default action (terminate), it is set to ignored: a client that
 * closes its socket mid-response must not kill the process. A handler the
 * caller installed is left alone. */
int sy_proxy_start(sy_proxy *proxy);

typedef void (*sy_proxy_done_fn)(sy_proxy *proxy, void *user_data);
/* Stop accepting, let in-flight requests finish for up to timeout_ms, then
 * close every handle the proxy owns on every loop and call `done` on the
 * caller's loop. Free the proxy from `done` or after it. A timeout_ms of 0
 * uses the config: the longest listener timeouts.drain_timeout (default
 * 15 s). */
void sy_proxy_drain(sy_proxy *proxy, uint64_t timeout_ms, sy_proxy_done_fn done,
                    void *user_data);

/* Reopen every access log file (log rotation: rename the file, then call
 * this, e.g. from a SIGUSR1 handler). Returns at once; each file's writer
 * thread reopens its path before its next write, creating the file, so
 * lines already queued may still go to the renamed one. 0, or -1 when no
 * config is loaded. */
int sy_proxy_reopen_logs(sy_proxy *proxy);

/* Free a proxy that was never started or has finished draining. */
void sy_proxy_free(sy_proxy *proxy);

/* The last error message, or "" when there is none. Owned by the proxy. */
const char *sy_proxy_last_error(const sy_proxy *proxy);

#ifdef __cplusplus
}
#endif

#endif /* SWITCHYARD_EMBED_H */
