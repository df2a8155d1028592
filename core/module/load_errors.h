// Why a filter module could not be used. One table yields the enum, the
// short name and the message, so every report of a load failure reads the
// same way: "<context>: <message> (<name>): <detail>".
#pragma once

#include <string>

namespace switchyard::module {

#define SY_LOAD_ERROR_TABLE(X)                                                                     \
  X(kInvalidName, "invalid_name", "module names may only use a-z, 0-9, '_' and '-'")              \
  X(kNotFound, "not_found", "module not found on the search path")                                \
  X(kOpenFailed, "open_failed", "dlopen failed")                                                  \
  X(kNoEntrySymbol, "no_entry_symbol", "the module exports no sy_filter_module_entry")            \
  X(kBadTable, "bad_table", "the module table is missing or incomplete")                          \
  X(kAbiMismatch, "abi_mismatch", "the module was built for a filter ABI this host cannot serve") \
  X(kInitFailed, "init_failed", "module_init failed")                                             \
  X(kConfigRejected, "config_rejected", "the module rejected its config")

enum class LoadError {
#define SY_LOAD_ERROR_ENUM(id, name, message) id,
  SY_LOAD_ERROR_TABLE(SY_LOAD_ERROR_ENUM)
#undef SY_LOAD_ERROR_ENUM
};

inline const char* loadErrorName(LoadError error) {
  switch (error) {
#define SY_LOAD_ERROR_NAME(id, name, message) \
  case LoadError::id:                         \
    return name;
    SY_LOAD_ERROR_TABLE(SY_LOAD_ERROR_NAME)
#undef SY_LOAD_ERROR_NAME
  }
  return "unknown";
}

inline const char* loadErrorMessage(LoadError error) {
  switch (error) {
#define SY_LOAD_ERROR_MESSAGE(id, name, message) \
  case LoadError::id:                            \
    return message;
    SY_LOAD_ERROR_TABLE(SY_LOAD_ERROR_MESSAGE)
#undef SY_LOAD_ERROR_MESSAGE
  }
  return "unknown load error";
}

// The one format every load failure is reported in.
inline std::string formatLoadError(LoadError error, const std::string& context, const std::string& detail) {
  return context + ": " + loadErrorMessage(error) + " (" + loadErrorName(error) + "): " + detail;
}

}  // namespace switchyard::module
