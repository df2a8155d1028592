// Opens a listening TCP socket with SO_REUSEPORT, so that every worker can
// have its own socket on the same address and the kernel spreads
// connections between them (libuv 1.44 cannot ask for SO_REUSEPORT itself).
#pragma once

#include <sys/socket.h>

#include <string>

namespace switchyard::server {

// Returns the descriptor, or -1 with *error naming the address and reason.
int openListenSocket(const sockaddr_storage& address, std::string* error);

}  // namespace switchyard::server
