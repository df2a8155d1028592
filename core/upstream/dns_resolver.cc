#include "upstream/dns_resolver.h"

#include <cstring>
#include <mutex>

#include "common/uv_util.h"

namespace switchyard::upstream {

struct DnsResolver::Lookup {
  DnsResolver* resolver;
  AddressFamilies families;
  Callback callback;
};

namespace {

std::string joinServers(const std::vector<std::string>& servers) {
  std::string csv;
  for (const auto& server : servers) csv += (csv.empty() ? "" : ",") + server;
  return csv;
}

int queriedFamily(AddressFamilies families) {
  switch (families) {
    case AddressFamilies::kIpv4Only: return AF_INET;
    case AddressFamilies::kIpv6Only: return AF_INET6;
    default: return AF_UNSPEC;  // A and AAAA
  }
}

// Of the addresses of both families, the ones `families` keeps.
std::vector<ResolvedAddress> keptAddresses(std::vector<ResolvedAddress> ipv4, std::vector<ResolvedAddress> ipv6,
                                           AddressFamilies families) {
  switch (families) {
    case AddressFamilies::kIpv4Only: return ipv4;
    case AddressFamilies::kIpv6Only: return ipv6;
    case AddressFamilies::kIpv4Preferred: return ipv4.empty() ? ipv6 : ipv4;
    case AddressFamilies::kIpv6Preferred: return ipv6.empty() ? ipv4 : ipv6;
    case AddressFamilies::kAll: break;
  }
  ipv4.insert(ipv4.end(), ipv6.begin(), ipv6.end());
  return ipv4;
}

}  // namespace

DnsResolver::DnsResolver(uv_loop_t* loop) : loop_(loop), timer_(new uv_timer_t) {
  uv_timer_init(loop_, timer_);
  timer_->data = this;
}

std::unique_ptr<DnsResolver> DnsResolver::create(uv_loop_t* loop, const std::vector<std::string>& servers,
                                                 std::string* error) {
  // Process-wide and not thread-safe in c-ares; a no-op on Linux, but the
  // API asks for it.
  static std::once_flag library_init;
  std::call_once(library_init, [] { ares_library_init(ARES_LIB_INIT_ALL); });

  std::unique_ptr<DnsResolver> resolver(new DnsResolver(loop));
  ares_options options{};
  options.sock_state_cb = &DnsResolver::onSocketState;
  options.sock_state_cb_data = resolver.get();
  options.timeout = kQueryTimeoutMs;
  options.tries = kQueryTries;
  int status = ares_init_options(&resolver->channel_, &options,
                                 ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
  if (status == ARES_SUCCESS && !servers.empty()) {
    status = ares_set_servers_ports_csv(resolver->channel_, joinServers(servers).c_str());
  }
  if (status != ARES_SUCCESS) {
    *error = std::string("c-ares: ") + ares_strerror(status);
    return nullptr;
  }
  return resolver;
}

DnsResolver::~DnsResolver() {
  destroying_ = true;
  // Calls every pending lookup back with ARES_EDESTRUCTION (ignored) and
  // closes its sockets through onSocketState.
  if (channel_ != nullptr) ares_destroy(channel_);
  for (auto& [socket, poll] : polls_) closeAndDelete(poll);
  closeAndDelete(timer_);
}

void DnsResolver::resolve(const std::string& hostname, AddressFamilies families, Callback callback) {
  ares_addrinfo_hints hints{};
  hints.ai_family = queriedFamily(families);
  // Sorting would connect a UDP socket to each address (RFC 6724 source
  // selection); the balancer does not care about order.
  hints.ai_flags = ARES_AI_NOSORT;
  auto* lookup = new Lookup{this, families, std::move(callback)};
  ares_getaddrinfo(channel_, hostname.c_str(), nullptr, &hints, &DnsResolver::onLookupDone, lookup);
  armTimer();
}

void DnsResolver::onLookupDone(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  std::unique_ptr<Lookup> lookup(static_cast<Lookup*>(arg));
  DnsAnswer answer;
  if (status == ARES_SUCCESS && result != nullptr) {
    std::vector<ResolvedAddress> ipv4, ipv6;
    for (const ares_addrinfo_node* node = result->nodes; node != nullptr; node = node->ai_next) {
      bool known_family = node->ai_family == AF_INET || node->ai_family == AF_INET6;
      if (!known_family || node->ai_addrlen > sizeof(sockaddr_storage)) continue;
      ResolvedAddress address;
      std::memcpy(&address.address, node->ai_addr, node->ai_addrlen);
      address.ttl_s = node->ai_ttl < 0 ? 0 : uint32_t(node->ai_ttl);
      (node->ai_family == AF_INET ? ipv4 : ipv6).push_back(address);
    }
    answer.addresses = keptAddresses(std::move(ipv4), std::move(ipv6), lookup->families);
  }
  if (result != nullptr) ares_freeaddrinfo(result);
  answer.ok = !answer.addresses.empty();
  if (!answer.ok) answer.error = status == ARES_SUCCESS ? "no address in the answer" : ares_strerror(status);
  if (status == ARES_EDESTRUCTION || lookup->resolver->destroying_) return;
  lookup->callback(std::move(answer));
}

void DnsResolver::onSocketState(void* data, ares_socket_t socket, int readable, int writable) {
  auto* resolver = static_cast<DnsResolver*>(data);
  auto it = resolver->polls_.find(socket);
  if (!readable && !writable) {
    if (it == resolver->polls_.end()) return;
    closeAndDelete(it->second);
    resolver->polls_.erase(it);
    return;
  }
  if (it == resolver->polls_.end()) {
    auto* poll = new uv_poll_t;
    if (uv_poll_init_socket(resolver->loop_, poll, socket) != 0) {
      delete poll;  // never initialised: not a handle to close
      return;       // c-ares times the query out
    }
    poll->data = resolver;
    it = resolver->polls_.emplace(socket, poll).first;
  }
  int events = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);
  uv_poll_start(it->second, events, &DnsResolver::onSocketReady);
}

void DnsResolver::onSocketReady(uv_poll_t* poll, int status, int events) {
  auto* resolver = static_cast<DnsResolver*>(poll->data);
  ares_socket_t socket = ARES_SOCKET_BAD;
  for (const auto& [fd, watched] : resolver->polls_) {
    if (watched == poll) socket = fd;
  }
  if (socket == ARES_SOCKET_BAD) return;
  // On a socket error let c-ares read and write, so that it sees the error.
  bool readable = status < 0 || (events & UV_READABLE) != 0;
  bool writable = status < 0 || (events & UV_WRITABLE) != 0;
  resolver->process(readable ? socket : ARES_SOCKET_BAD, writable ? socket : ARES_SOCKET_BAD);
}

void DnsResolver::process(ares_socket_t readable, ares_socket_t writable) {
  ares_process_fd(channel_, readable, writable);
  armTimer();
}

void DnsResolver::armTimer() {
  timeval next{};
  if (ares_timeout(channel_, nullptr, &next) == nullptr) {
    uv_timer_stop(timer_);  // nothing pending
    return;
  }
  uint64_t ms = uint64_t(next.tv_sec) * 1000 + uint64_t(next.tv_usec) / 1000;
  uv_timer_start(timer_, [](uv_timer_t* timer) {
    static_cast<DnsResolver*>(timer->data)->process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  }, ms, 0);
}

}  // namespace switchyard::upstream
