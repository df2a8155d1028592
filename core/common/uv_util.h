// Small helpers for libuv handle lifetimes and socket addresses.
#pragma once

#include <uv.h>

#include <string>

namespace switchyard {

// Closes a heap-allocated handle and deletes it once libuv is done with it.
// After this call the handle's callback never runs again.
template <typename Handle>
void closeAndDelete(Handle* handle) {
  if (handle == nullptr) return;
  uv_handle_t* base = reinterpret_cast<uv_handle_t*>(handle);
  if (uv_is_closing(base)) return;
  uv_close(base, [](uv_handle_t* h) { delete reinterpret_cast<Handle*>(h); });
}

// Parses an IPv4 or IPv6 literal and port; false if the literal is invalid.
bool parseSocketAddress(const std::string& ip, uint16_t port, sockaddr_storage* out);
// "ip" (without port) of a socket address.
std::string addressIp(const sockaddr_storage& address);
uint16_t addressPort(const sockaddr_storage& address);
// "ip:port", with [brackets] for IPv6.
std::string formatSocketAddress(const sockaddr_storage& address);

uint64_t monotonicNowMs();

// The buffer every socket read on this thread goes into (a uv_alloc_cb
// hands it out). One per thread instead of one per connection: libuv runs
// alloc, read and the read callback for one stream at a time, and the read
// callbacks copy whatever they keep, so a connection costs no read buffer
// while it waits — 5,000 idle connections would otherwise pin 5,000 buffers.
uv_buf_t threadReadBuffer();

}  // namespace switchyard
