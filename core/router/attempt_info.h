// sy_attempt_info for an attempt, as the filters' attempt hooks see it: a
// borrowed view of the attempt, valid while the hook runs.
#pragma once

#include <switchyard/filter.h>

#include <string_view>

#include "router/upstream_attempt.h"

namespace switchyard::router {

inline sy_slice sliceOf(std::string_view text) { return sy_slice{text.data(), text.size()}; }

inline sy_attempt_info attemptInfo(const UpstreamAttempt& attempt) {
  sy_attempt_info info{};
  info.size = sizeof info;
  info.number = attempt.number();
  info.upstream_host = sliceOf(attempt.hostText());
  info.hedged = attempt.hedged() ? 1 : 0;
  return info;
}

}  // namespace switchyard::router
