#include "sampling.h"

namespace tracing {

bool decideSampling(const SamplingInputs& inputs, uint64_t random) {
  if (inputs.forced) return true;
  if (inputs.caller_decided) return *inputs.caller_decided;
  if (inputs.percent >= 100) return true;
  if (inputs.percent <= 0) return false;
  // The top 53 bits as a fraction in [0, 1): exact in a double.
  double draw = double(random >> 11) / double(uint64_t(1) << 53);
  return draw * 100 < inputs.percent;
}

}  // namespace tracing
