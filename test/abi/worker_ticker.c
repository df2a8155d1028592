/* Fixture: a module that starts a worker timer on its first stream and
 * re-arms it forever. The host must still be able to drain and exit: it
 * closes worker timers when the worker stops, and the module frees the
 * inert timer at module_shutdown. Meant for one worker (--concurrency 1 or
 * 0). */
#include <stddef.h>
#include <switchyard/filter.h>

static const sy_host_api *host;
static sy_timer *ticker; /* one worker only, so no synchronisation */

static void on_tick(sy_timer *timer, void *user_data) {
  (void)user_data;
  host->timer_arm(timer, 10);
}

static void module_shutdown(void) {
  if (ticker != NULL) host->timer_free(ticker);
  ticker = NULL;
}

static sy_result config_new(sy_config_context *context, sy_slice json_config, void **config_out, char *error,
                            size_t error_capacity) {
  (void)context;
  (void)json_config;
  (void)error;
  (void)error_capacity;
  *config_out = NULL;
  return SY_OK;
}

static void config_destroy(void *config) { (void)config; }

static sy_result stream_new(sy_stream *stream, const void *config, void **stream_context_out) {
  (void)config;
  *stream_context_out = NULL;
  if (ticker == NULL) {
    ticker = host->timer_new_for_worker(host->stream_worker(stream), on_tick, NULL);
    host->timer_arm(ticker, 10);
  }
  return SY_OK;
}

static const sy_filter_module module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "worker_ticker",
    .version = "1.0.0",
    .module_shutdown = module_shutdown,
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = stream_new,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  host = host_api;
  return &module;
}
