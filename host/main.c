/*
 * switchyard: the proxy executable. Flags, signals and logging only; all
 * work happens through the core's embedding API (switchyard/embed.h).
 */
/* libuv's headers need POSIX threads types, hidden by strict -std=c11. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <switchyard/embed.h>
#include <unistd.h>
#include <uv.h>

#define MAX_MODULE_PATHS 64

static const char usage_text[] =
    "usage: switchyard -c CONFIG [options]\n"
    "\n"
    "  -c, --config FILE        serve with this config (YAML or JSON)\n"
    "      --check              validate the config, load its modules and\n"
    "                           build their configs, then exit: 0 when valid,\n"
    "                           1 with every error (file and field) on stderr\n"
    "      --module-path DIR    search DIR for filter modules; repeatable;\n"
    "                           searched before the config's module_paths and\n"
    "                           the default path (the build tree's modules/\n"
    "                           next to this binary, then the install dir)\n"
    "      --concurrency N      worker threads (default: number of cores);\n"
    "                           0 runs everything on the main loop\n"
    "      --drain-timeout MS   how long SIGTERM/SIGINT wait for in-flight\n"
    "                           requests before closing them (default: the\n"
    "                           listeners' timeouts.drain_timeout, else 15s)\n"
    "  -l, --log-level LEVEL    trace, debug, info (default), warn, error, off\n"
    "      --version            print the version and the filter ABI version\n"
    "  -h, --help               this text\n"
    "\n"
    "SIGTERM or SIGINT drains: stop accepting, finish in-flight requests up\n"
    "to the drain timeout, exit 0. SIGUSR1 reopens the access log files\n"
    "(rename them first: log rotation).\n";

typedef struct host_state {
  uv_loop_t *loop;
  sy_proxy *proxy;
  uv_signal_t sigterm;
  uv_signal_t sigint;
  uv_signal_t sigusr1;
  uint64_t drain_timeout_ms;
} host_state;

static int parse_log_level(const char *name) {
  static const char *const names[] = {"trace", "debug", "info", "warn", "error", "off"};
  for (int i = 0; i < 6; ++i) {
    if (strcmp(name, names[i]) == 0) return i;
  }
  return -1;
}

static void on_drained(sy_proxy *proxy, void *user_data) {
  host_state *state = user_data;
  (void)proxy;
  uv_close((uv_handle_t *)&state->sigterm, NULL);
  uv_close((uv_handle_t *)&state->sigint, NULL);
  uv_close((uv_handle_t *)&state->sigusr1, NULL);
}

static void on_reopen_signal(uv_signal_t *handle, int signum) {
  host_state *state = handle->data;
  (void)signum;
  sy_proxy_reopen_logs(state->proxy);
}

static void on_signal(uv_signal_t *handle, int signum) {
  host_state *state = handle->data;
  fprintf(stderr, "switchyard: %s received, draining\n", signum == SIGTERM ? "SIGTERM" : "SIGINT");
  sy_proxy_drain(state->proxy, state->drain_timeout_ms, on_drained, state);
}

int main(int argc, char **argv) {
  enum { OPT_CHECK = 256, OPT_MODULE_PATH, OPT_CONCURRENCY, OPT_DRAIN_TIMEOUT, OPT_VERSION };
  static const struct option long_options[] = {
      {"config", required_argument, NULL, 'c'},
      {"check", no_argument, NULL, OPT_CHECK},
      {"module-path", required_argument, NULL, OPT_MODULE_PATH},
      {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
      {"drain-timeout", required_argument, NULL, OPT_DRAIN_TIMEOUT},
      {"log-level", required_argument, NULL, 'l'},
      {"version", no_argument, NULL, OPT_VERSION},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *config_path = NULL;
  const char *module_paths[MAX_MODULE_PATHS];
  size_t module_path_count = 0;
  int check_only = 0;
  long concurrency = sysconf(_SC_NPROCESSORS_ONLN);
  long drain_timeout = 0; /* 0: the config decides */
  int option;
  while ((option = getopt_long(argc, argv, "c:l:h", long_options, NULL)) != -1) {
    switch (option) {
      case 'c': config_path = optarg; break;
      case OPT_CHECK: check_only = 1; break;
      case OPT_MODULE_PATH:
        if (module_path_count == MAX_MODULE_PATHS) {
          fprintf(stderr, "switchyard: at most %d --module-path options\n", MAX_MODULE_PATHS);
          return 2;
        }
        module_paths[module_path_count++] = optarg;
        break;
      case OPT_CONCURRENCY: {
        char *end = NULL;
        concurrency = strtol(optarg, &end, 10);
        if (*optarg == '\0' || *end != '\0' || concurrency < 0 || concurrency > 1024) {
          fprintf(stderr, "switchyard: --concurrency wants a number from 0 to 1024, got '%s'\n", optarg);
          return 2;
        }
        break;
      }
      case OPT_DRAIN_TIMEOUT: {
        char *end = NULL;
        drain_timeout = strtol(optarg, &end, 10);
        if (*optarg == '\0' || *end != '\0' || drain_timeout <= 0) {
          fprintf(stderr, "switchyard: --drain-timeout wants a positive number of milliseconds, got '%s'\n", optarg);
          return 2;
        }
        break;
      }
      case 'l': {
        int level = parse_log_level(optarg);
        if (level < 0) {
          fprintf(stderr, "switchyard: unknown log level '%s'\n", optarg);
          return 2;
        }
        sy_set_log_level(level);
        break;
      }
      case OPT_VERSION:
        printf("switchyard %s (filter ABI %s)\n", sy_version(), sy_filter_abi_version());
        return 0;
      case 'h': fputs(usage_text, stdout); return 0;
      default: fputs(usage_text, stderr); return 2;
    }
  }
  if (config_path == NULL) {
    fputs("switchyard: no config given (-c FILE)\n\n", stderr);
    fputs(usage_text, stderr);
    return 2;
  }

  host_state state = {0};
  state.loop = uv_default_loop();
  state.drain_timeout_ms = (uint64_t)drain_timeout;
  sy_proxy_options options = {sizeof(sy_proxy_options), (uint32_t)concurrency, module_paths, module_path_count};
  state.proxy = sy_proxy_new(state.loop, &options);
  if (sy_proxy_load_config_file(state.proxy, config_path) != 0) {
    fprintf(stderr, "%s\n", sy_proxy_last_error(state.proxy));
    if (check_only) fprintf(stderr, "switchyard: %s is not valid\n", config_path);
    sy_proxy_free(state.proxy);
    return 1;
  }
  if (check_only) {
    printf("switchyard: %s is valid\n", config_path);
    sy_proxy_free(state.proxy);
    return 0;
  }
  if (sy_proxy_start(state.proxy) != 0) {
    fprintf(stderr, "switchyard: cannot start: %s\n", sy_proxy_last_error(state.proxy));
    sy_proxy_free(state.proxy);
    return 1;
  }
  uv_signal_init(state.loop, &state.sigterm);
  uv_signal_init(state.loop, &state.sigint);
  state.sigterm.data = &state;
  state.sigint.data = &state;
  uv_signal_start(&state.sigterm, on_signal, SIGTERM);
  uv_signal_start(&state.sigint, on_signal, SIGINT);
  uv_signal_init(state.loop, &state.sigusr1);
  state.sigusr1.data = &state;
  uv_signal_start(&state.sigusr1, on_reopen_signal, SIGUSR1);
  uv_run(state.loop, UV_RUN_DEFAULT);
  sy_proxy_free(state.proxy);
  uv_run(state.loop, UV_RUN_DEFAULT);
  uv_loop_close(state.loop);
  fputs("switchyard: drained, exiting\n", stderr);
  return 0;
}
