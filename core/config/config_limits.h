// What a config may ask of the loader. Each limit is checked before the
// work it bounds, so a hostile or broken file costs milliseconds, not
// gigabytes; README.md (Configuration) lists them for operators.
#pragma once

#include <cstddef>

namespace switchyard::config {

// Thousands of listeners and clusters fit in a few MiB, and a file this
// size already takes seconds to load. A file's size is checked before it is
// read; text handed to the embed API is checked the same way.
inline constexpr size_t kMaxConfigBytes = 16 * 1024 * 1024;

// What aliases may add to a YAML document, counted as the bytes of every
// scalar they repeat (keys included) plus one per node: close to the JSON the
// loader builds from them. Without it a few hundred bytes of nested aliases
// ("billion laughs") expand to gigabytes. An anchored block of shared
// settings (some 300 bytes) may be repeated thousands of times, and what
// aliases may add costs no more time to load than a file of that size.
inline constexpr size_t kMaxAliasExpansionBytes = 1024 * 1024;

// Deepest nesting of mappings and lists (the top-level mapping is level 1).
// switchyard's own schema reaches about 12 levels at a route's
// filter_overrides, and Envoy-style configs rarely pass 30. The bound that
// decides it is protobuf: its JSON parser nests at most 100 messages, and a
// JSON object inside a Struct costs three of them, so more than 34 levels
// fail there anyway, with a message that names nothing and in time that
// grows faster than the square of the depth.
inline constexpr int kMaxNestingDepth = 32;

// Config text quoted in an error message (a value, a key) is cut after this
// many bytes, so a 1 MB scalar costs a line of stderr, not a megabyte.
inline constexpr size_t kMaxQuotedBytes = 64;

}  // namespace switchyard::config
