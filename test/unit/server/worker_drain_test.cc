// A drain closes the listener; connections the kernel already completed and
// queued must not be reset by that close. Clients connect while the worker's
// loop is not running, so their connections are still in the accept queue
// when the drain begins: the one that sent a request gets an answer with
// Connection: close, the one that sent nothing a clean close, neither a reset.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <string>

#include "config/config_loader.h"
#include "module/host_api.h"
#include "module/module_loader.h"
#include "server/listen_socket.h"
#include "server/serving_config.h"
#include "server/worker.h"

namespace switchyard::server {
namespace {

int connectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(uint16_t(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

// Everything the peer sends until it closes; false if it reset instead.
bool readUntilClose(int fd, std::string* received) {
  char buffer[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      received->append(buffer, size_t(n));
      continue;
    }
    return n == 0;  // n < 0: ECONNRESET
  }
}

int boundPort(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

TEST(WorkerDrainTest, ConnectionsQueuedWhenTheListenerClosesAreAnsweredOrClosedNeverReset) {
  // The cluster's endpoint refuses connections: the queued request is
  // answered 503 by the proxy itself, which is all this test needs.
  const char* config_text = R"(
listeners:
  - name: edge
    address: 127.0.0.1
    port: 1
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: nowhere }
clusters:
  - name: nowhere
    connect_timeout: 1s
    endpoints:
      - { address: 127.0.0.1, port: 1 }
)";
  auto loaded = config::loadConfigText(config_text, "drain.yaml", config::ConfigFormat::kYaml);
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front();
  module::ModuleLoader loader({}, module::hostApi());
  std::vector<std::string> errors;
  auto serving = buildServingConfig(loaded.bootstrap, "drain.yaml", loader, &errors);
  ASSERT_TRUE(serving) << errors.front();

  sockaddr_storage any_port{};
  auto* address = reinterpret_cast<sockaddr_in*>(&any_port);
  address->sin_family = AF_INET;
  address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string error;
  int listen_fd = openListenSocket(any_port, &error);
  ASSERT_GE(listen_fd, 0) << error;
  int port = boundPort(listen_fd);

  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    Worker worker(&loop, serving);
    ASSERT_TRUE(worker.startListening({listen_fd}, &error)) << error;
    // The loop has not run: both connections wait in the accept queue.
    int with_request = connectTo(port);
    int silent = connectTo(port);
    std::string request = "GET /queued HTTP/1.1\r\nHost: test.local\r\n\r\n";
    ASSERT_EQ(::send(with_request, request.data(), request.size(), 0), ssize_t(request.size()));

    bool drained = false;
    worker.drain(5000, [&] { drained = true; });
    while (!drained && uv_run(&loop, UV_RUN_ONCE) != 0) {
    }
    EXPECT_TRUE(drained);

    std::string answer;
    EXPECT_TRUE(readUntilClose(with_request, &answer)) << "the queued request's connection was reset";
    EXPECT_EQ(answer.rfind("HTTP/1.1 503 ", 0), 0u) << answer;
    EXPECT_NE(answer.find("connection: close\r\n"), std::string::npos) << answer;
    std::string nothing;
    EXPECT_TRUE(readUntilClose(silent, &nothing)) << "the silent queued connection was reset";
    EXPECT_EQ(nothing, "");
    ::close(with_request);
    ::close(silent);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace switchyard::server
