/*
 * A small libuv daemon that embeds switchyard the way an existing service
 * would: its own loop, its own handles (a ticking timer and a TCP status
 * server), and the proxy started on the same loop through embed.h alone.
 *
 *   embedding_daemon CONFIG STATUS_PORT [MODULE_DIR]
 *
 * A connection to STATUS_PORT gets one line, "ticks=N proxy=STATE\n", and is
 * closed; STATE is serving, draining or drained. The first SIGTERM drains
 * and frees the proxy while the daemon's own handles keep running; the
 * second closes them. The daemon then closes its loop, which fails if the
 * proxy left any handle behind, and exits 0 only if it did not.
 *
 * Exit codes: 0 clean, 1 config or start error (the proxy's message on
 * stderr), 2 usage, 3 the loop could not be closed.
 */
/* libuv's headers need POSIX threads types, hidden by strict -std=c11. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <switchyard/embed.h>
#include <uv.h>

#define TICK_INTERVAL_MS 5
#define DRAIN_TIMEOUT_MS 5000

typedef enum { PROXY_SERVING, PROXY_DRAINING, PROXY_DRAINED } proxy_state;
static const char *const proxy_state_names[] = {"serving", "draining", "drained"};

typedef struct daemon_state {
  uv_loop_t loop;
  uv_timer_t ticker;
  uv_tcp_t status_server;
  uv_signal_t sigterm;
  sy_proxy *proxy;
  proxy_state proxy_state;
  unsigned long ticks;
} daemon_state;

/* One status reply in flight: the request owns its text. */
typedef struct status_reply {
  uv_write_t write;
  uv_tcp_t connection;
  char text[64];
} status_reply;

static void on_tick(uv_timer_t *timer) {
  daemon_state *state = timer->data;
  ++state->ticks;
}

static void free_status_reply(uv_handle_t *handle) { free(handle->data); }

static void on_status_written(uv_write_t *write, int status) {
  (void)status;
  status_reply *reply = write->data;
  uv_close((uv_handle_t *)&reply->connection, free_status_reply);
}

static void on_status_connection(uv_stream_t *server, int status) {
  daemon_state *state = server->data;
  if (status < 0) return;
  status_reply *reply = calloc(1, sizeof *reply);
  if (reply == NULL) return;
  uv_tcp_init(&state->loop, &reply->connection);
  reply->connection.data = reply;
  reply->write.data = reply;
  if (uv_accept(server, (uv_stream_t *)&reply->connection) != 0) {
    uv_close((uv_handle_t *)&reply->connection, free_status_reply);
    return;
  }
  int length = snprintf(reply->text, sizeof reply->text, "ticks=%lu proxy=%s\n", state->ticks,
                        proxy_state_names[state->proxy_state]);
  uv_buf_t buffer = uv_buf_init(reply->text, (unsigned)length);
  if (uv_write(&reply->write, (uv_stream_t *)&reply->connection, &buffer, 1, on_status_written) != 0) {
    uv_close((uv_handle_t *)&reply->connection, free_status_reply);
  }
}

static void on_proxy_drained(sy_proxy *proxy, void *user_data) {
  daemon_state *state = user_data;
  sy_proxy_free(proxy);
  state->proxy = NULL;
  state->proxy_state = PROXY_DRAINED;
  fprintf(stderr, "embedding_daemon: proxy drained and freed; own handles still running\n");
}

static void on_sigterm(uv_signal_t *signal, int signum) {
  (void)signum;
  daemon_state *state = signal->data;
  switch (state->proxy_state) {
    case PROXY_SERVING:
      state->proxy_state = PROXY_DRAINING;
      sy_proxy_drain(state->proxy, DRAIN_TIMEOUT_MS, on_proxy_drained, state);
      break;
    case PROXY_DRAINING:
      break; /* the drain deadline bounds this */
    case PROXY_DRAINED:
      uv_close((uv_handle_t *)&state->ticker, NULL);
      uv_close((uv_handle_t *)&state->status_server, NULL);
      uv_close((uv_handle_t *)&state->sigterm, NULL);
      break;
  }
}

static int start_own_handles(daemon_state *state, int status_port) {
  struct sockaddr_in address;
  int error = uv_ip4_addr("127.0.0.1", status_port, &address);
  if (error == 0) error = uv_timer_init(&state->loop, &state->ticker);
  if (error == 0) error = uv_timer_start(&state->ticker, on_tick, TICK_INTERVAL_MS, TICK_INTERVAL_MS);
  if (error == 0) error = uv_tcp_init(&state->loop, &state->status_server);
  if (error == 0) error = uv_tcp_bind(&state->status_server, (const struct sockaddr *)&address, 0);
  if (error == 0) error = uv_listen((uv_stream_t *)&state->status_server, 64, on_status_connection);
  if (error == 0) error = uv_signal_init(&state->loop, &state->sigterm);
  if (error == 0) error = uv_signal_start(&state->sigterm, on_sigterm, SIGTERM);
  if (error != 0) fprintf(stderr, "embedding_daemon: own handles: %s\n", uv_strerror(error));
  state->ticker.data = state;
  state->status_server.data = state;
  state->sigterm.data = state;
  return error;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: embedding_daemon CONFIG STATUS_PORT [MODULE_DIR]\n");
    return 2;
  }
  static daemon_state state;
  if (uv_loop_init(&state.loop) != 0 || start_own_handles(&state, atoi(argv[2])) != 0) return 1;

  const char *module_dirs[1] = {argc == 4 ? argv[3] : NULL};
  sy_proxy_options options = {
      .size = sizeof options,
      .concurrency = 0, /* everything on this daemon's loop */
      .module_paths = module_dirs,
      .module_path_count = argc == 4 ? 1 : 0,
  };
  state.proxy = sy_proxy_new(&state.loop, &options);
  if (sy_proxy_load_config_file(state.proxy, argv[1]) != 0 || sy_proxy_start(state.proxy) != 0) {
    fprintf(stderr, "embedding_daemon: %s\n", sy_proxy_last_error(state.proxy));
    sy_proxy_free(state.proxy);
    return 1;
  }
  fprintf(stderr, "embedding_daemon: serving\n");

  uv_run(&state.loop, UV_RUN_DEFAULT);
  int close_error = uv_loop_close(&state.loop);
  if (close_error != 0) {
    fprintf(stderr, "embedding_daemon: loop still has handles after the proxy was freed: %s\n",
            uv_strerror(close_error));
    return 3;
  }
  fprintf(stderr, "embedding_daemon: loop closed cleanly\n");
  return 0;
}
