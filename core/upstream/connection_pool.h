// The seam between a request's attempt and the connections it borrows:
// ConnectionPool hands out PooledConnections for one upstream host. HostPool
// and UpstreamConnection are the real ones (sockets, keep-alive); tests
// drive the router with fakes.
#pragma once

#include <cstdint>
#include <string>

#include "config/proxy_config.h"
#include "http/header_map.h"
#include "http/response_decoder.h"

namespace switchyard::upstream {

enum class UpstreamFailure {
  kConnectFailure,      // could not connect (refused, unreachable, timed out)
  kResetBeforeHeaders,  // closed or reset before a complete response head
  kResetAfterHeaders,   // closed or reset in the middle of the body
  kProtocolError,       // the response was malformed
};

const char* upstreamFailureName(UpstreamFailure failure);

// Implemented by whoever borrows a busy connection (an attempt).
class UpstreamResponseHandler {
 public:
  virtual ~UpstreamResponseHandler() = default;
  virtual void onUpstreamHeaders(http::HeaderMap&& headers, const http::ResponseInfo& info) = 0;
  virtual void onUpstreamBody(std::string_view data) = 0;
  virtual void onUpstreamTrailers(http::HeaderMap&& trailers) = 0;
  virtual void onUpstreamComplete() = 0;
  virtual void onUpstreamFailure(UpstreamFailure failure, const std::string& reason) = 0;
  // The write queue fell below the low watermark after being above the high.
  virtual void onUpstreamWriteDrained() = 0;
};

// A connection lent to one request at a time.
class PooledConnection {
 public:
  // Lends the connection to a request; `handler` gets the response.
  virtual void attach(UpstreamResponseHandler* handler, bool request_is_head) = 0;
  // Takes it back (before release to the pool, or close).
  virtual void detach() = 0;
  virtual void write(std::string&& data) = 0;
  virtual void pauseReading() = 0;
  virtual void resumeReading() = 0;
  virtual size_t writeQueueBytes() const = 0;
  // Closes it for good; it is gone afterwards.
  virtual void close() = 0;
  // How long it sat idle in its pool before this request.
  virtual uint64_t idleMs() const = 0;
  // Bytes read since the current request attached.
  virtual uint64_t responseBytesReceived() const = 0;

 protected:
  ~PooledConnection() = default;
};

class PoolCallbacks {
 public:
  virtual ~PoolCallbacks() = default;
  virtual void onPoolReady(PooledConnection& connection, bool reused) = 0;
  virtual void onPoolFailure(UpstreamFailure failure, const std::string& reason) = 0;
};

class ConnectionPool {
 public:
  virtual ~ConnectionPool() = default;
  // Asks for a connection. The answer may come before this returns (an idle
  // connection) or later; cancel() withdraws the request.
  virtual void request(PoolCallbacks& callbacks) = 0;
  // The same, but never an idle connection: for a request whose reused
  // connection proved stale (the other idle ones may be too).
  virtual void requestNew(PoolCallbacks& callbacks) = 0;
  virtual void cancel(PoolCallbacks& callbacks) = 0;
  // A borrowed connection comes back after a clean exchange.
  virtual void release(PooledConnection& connection) = 0;
  virtual const config::EndpointConfig& endpoint() const = 0;
  // Closes idle connections and keeps no new ones (a drain).
  virtual void closeIdle() = 0;
  // While draining (its host left the cluster) a pool closes its idle
  // connections and each connection a request gives back, once no request
  // waits for one; it keeps them again when its host comes back.
  virtual void setDraining(bool draining) = 0;
};

}  // namespace switchyard::upstream
