// Schema check of a JSON document against a protobuf message type.
//
// protobuf's JSON parser stops at the first unknown field or wrong type and
// words it in its own terms ("(listeners[0]) nmae: Cannot find field.").
// This walk reads the same document the way that parser would and reports
// every such problem, each with the full field path as the user wrote it:
//   listeners[0].filters[1].nmae: unknown field, did you mean "name"?
//   listeners[0].port: expected an integer from 0 to 4294967295, got string "http"
//
// It is stricter than the parser in a few places that are almost always
// mistakes in a hand-written file: a null list item, a boolean written as a
// string, a duration with spaces or a '+' sign, and an enum number that
// names no value. Range rules that are not about types (a port above 65535)
// belong to the semantic validator, not here.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>

#include <string>
#include <vector>

namespace switchyard::config {

// Returns one "FIELD.PATH: problem" line per problem, fields in declaration
// order and map keys sorted, so the output is stable; empty when protobuf's
// JSON parser will accept `document` as `message_type`. Keys of non-string
// map fields, and well-known types other than Duration, Struct, Value and
// ListValue, are left to the parser.
std::vector<std::string> checkJsonAgainstSchema(const google::protobuf::Value& document,
                                                const google::protobuf::Descriptor& message_type);

}  // namespace switchyard::config
