// DnsResolver: c-ares driven by a libuv loop. c-ares owns the DNS sockets
// and tells us (sock_state_cb) which to watch; each gets a uv_poll_t, and
// one uv_timer_t fires at c-ares's next query timeout. Everything runs on
// the loop's thread. A lookup's callback usually runs from a loop callback,
// but may run inside resolve() (a name c-ares answers from /etc/hosts).
//
// A lookup asks for A records, AAAA records or both, and keeps the
// addresses its AddressFamilies choose. A query times out after
// kQueryTimeoutMs and is tried kQueryTries times per server, so a silent
// server fails a lookup within a few seconds rather than c-ares's default
// of a minute and more.
#pragma once

#include <ares.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace switchyard::upstream {

struct ResolvedAddress {
  sockaddr_storage address{};  // port 0
  uint32_t ttl_s = 0;
};

struct DnsAnswer {
  bool ok = false;                          // at least one address
  std::vector<ResolvedAddress> addresses;   // when ok
  std::string error;                        // when not: c-ares's words
};

// Which addresses of an answer a lookup keeps (Cluster.DnsLookupFamily).
enum class AddressFamilies {
  kIpv4Preferred,  // IPv4; IPv6 only when the name has no IPv4 address
  kIpv4Only,
  kIpv6Only,
  kIpv6Preferred,  // IPv6; IPv4 only when the name has no IPv6 address
  kAll,
};

class DnsResolver {
 public:
  using Callback = std::function<void(DnsAnswer)>;

  static constexpr int kQueryTimeoutMs = 1000;
  static constexpr int kQueryTries = 2;

  // `servers`: "ip:port" entries (config-validated); empty: /etc/resolv.conf.
  // Null with *error set when c-ares cannot start.
  static std::unique_ptr<DnsResolver> create(uv_loop_t* loop, const std::vector<std::string>& servers,
                                             std::string* error);
  // Cancels what is pending without calling back, and closes the handles.
  ~DnsResolver();
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;

  void resolve(const std::string& hostname, AddressFamilies families, Callback callback);

 private:
  struct Lookup;

  explicit DnsResolver(uv_loop_t* loop);
  static void onSocketState(void* data, ares_socket_t socket, int readable, int writable);
  static void onSocketReady(uv_poll_t* poll, int status, int events);
  static void onLookupDone(void* arg, int status, int timeouts, ares_addrinfo* result);
  // Lets c-ares handle what is due on `socket` (or only its timeouts) and
  // re-arms the timer for the next one.
  void process(ares_socket_t readable, ares_socket_t writable);
  void armTimer();

  uv_loop_t* loop_;
  ares_channel channel_ = nullptr;
  uv_timer_t* timer_;
  std::map<ares_socket_t, uv_poll_t*> polls_;
  bool destroying_ = false;
};

}  // namespace switchyard::upstream
