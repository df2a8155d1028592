#include "common/uv_util.h"

#include <arpa/inet.h>

#include <cstring>

namespace switchyard {

bool parseSocketAddress(const std::string& ip, uint16_t port, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  if (uv_ip4_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in*>(out)) == 0) return true;
  return uv_ip6_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in6*>(out)) == 0;
}

std::string addressIp(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    uv_ip4_name(reinterpret_cast<const sockaddr_in*>(&address), text, sizeof text);
  } else if (address.ss_family == AF_INET6) {
    uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(&address), text, sizeof text);
  }
  return text;
}

uint16_t addressPort(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  return 0;
}

std::string formatSocketAddress(const sockaddr_storage& address) {
  std::string ip = addressIp(address);
  std::string port = std::to_string(addressPort(address));
  return address.ss_family == AF_INET6 ? "[" + ip + "]:" + port : ip + ":" + port;
}

uint64_t monotonicNowMs() { return uv_hrtime() / 1000000; }

uv_buf_t threadReadBuffer() {
  static constexpr size_t kReadBufferBytes = 64 * 1024;
  thread_local char buffer[kReadBufferBytes];
  return uv_buf_init(buffer, kReadBufferBytes);
}

}  // namespace switchyard
