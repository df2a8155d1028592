// Whether a request's spans are recorded and exported. The context is
// propagated (with the decision) either way.
#pragma once

#include <cstdint>
#include <optional>

namespace tracing {

struct SamplingInputs {
  bool forced = false;                 // the force header asked for a trace
  std::optional<bool> caller_decided;  // the incoming sampled flag, when there was one
  double percent = 100;                // sampling.percent, 0 to 100
};

// The force header wins, then the caller's decision, then `random` (a
// uniform 64-bit number) against the percentage.
bool decideSampling(const SamplingInputs& inputs, uint64_t random);

}  // namespace tracing
