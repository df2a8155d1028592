// Why a filter module could not be used: one table yields the enum, the
// name and the message, so every report of a load failure reads the same.
#pragma once

namespace switchyard::module {

#define SY_LOAD_ERROR_TABLE(X)                                                        \
  X(kNotFound, "not_found", "module not found on the search path")                   \
  X(kOpenFailed, "open_failed", "the shared object could not be loaded")             \
  X(kNoEntrySymbol, "no_entry_symbol", "no sy_filter_module_entry symbol")           \
  X(kBadTable, "bad_table", "the module table is missing or incomplete")             \
  X(kAbiMismatch, "abi_mismatch", "incompatible filter ABI version")                 \
  X(kInitFailed, "init_failed", "module_init failed")                                \
  X(kConfigRejected, "config_rejected", "the module rejected its config")

enum class LoadError {
#define SY_LOAD_ERROR_ENUM(id, name, message) id,
  SY_LOAD_ERROR_TABLE(SY_LOAD_ERROR_ENUM)
#undef SY_LOAD_ERROR_ENUM
};

inline const char* loadErrorName(LoadError error) {
  switch (error) {
#define SY_LOAD_ERROR_NAME(id, name, message) \
  case LoadError::id: return name;
    SY_LOAD_ERROR_TABLE(SY_LOAD_ERROR_NAME)
#undef SY_LOAD_ERROR_NAME
  }
  return "unknown";
}

inline const char* loadErrorMessage(LoadError error) {
  switch (error) {
#define SY_LOAD_ERROR_MESSAGE(id, name, message) \
  case LoadError::id: return message;
    SY_LOAD_ERROR_TABLE(SY_LOAD_ERROR_MESSAGE)
#undef SY_LOAD_ERROR_MESSAGE
  }
  return "unknown error";
}

}  // namespace switchyard::module
