// Merging a route's filter_overrides into the listener's filter config, as
// nginx merges a location's config into its server's: the route states only
// what differs.
#pragma once

#include <google/protobuf/struct.pb.h>

namespace switchyard::config {

// `base` with `override_layer` merged in. Objects merge key by key,
// recursively; arrays and scalars in `override_layer` replace what `base`
// has; a null member of `override_layer` removes that key. Nulls are
// removed from objects the override adds whole too, so a null never reads
// differently depending on whether `base` had the key; nulls inside arrays
// are kept (arrays are replaced, not merged).
google::protobuf::Struct mergeStructs(const google::protobuf::Struct& base,
                                      const google::protobuf::Struct& override_layer);

}  // namespace switchyard::config
