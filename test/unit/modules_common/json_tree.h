// The parsed-document fixture that the modules_common tests share: json_parse
// into an owning pointer, failing the test (with the parser's message) when
// the document does not parse.
#ifndef TEST_UNIT_MODULES_COMMON_JSON_TREE_H
#define TEST_UNIT_MODULES_COMMON_JSON_TREE_H

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "json.h"

struct JsonTreeDeleter {
  void operator()(json_value* value) const { json_free(value); }
};
using JsonTree = std::unique_ptr<json_value, JsonTreeDeleter>;

inline JsonTree ParseJsonTree(const std::string& json) {
  char error[256] = "";
  JsonTree tree(json_parse(json.data(), json.size(), error, sizeof error));
  EXPECT_NE(tree, nullptr) << json << ": " << error;
  return tree;
}

#endif
