// Raw config text: what may be in it, and how to quote it in a message.
//
// A config is UTF-8 text without control characters (other than tab and
// line breaks); anything else is refused before a parser sees it, with the
// line and column of the first offending byte. Whatever a message quotes
// from a config goes through excerpt() or quotedExcerpt(): a control byte or a
// byte that is not UTF-8 prints as \xNN, and a long value is cut short, so
// an error message never writes raw binary or a megabyte to a terminal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchyard::config {

// A problem at a place in a text.
struct TextError {
  // 1-based; both 0 when the place is not known.
  int line = 0;
  int column = 0;
  std::string message;
};

// The first control byte (other than tab, CR and LF) or byte that is not
// part of valid UTF-8, or nullopt when there is none.
std::optional<TextError> findUnreadableByte(std::string_view text);

// Where JSON text opens more than kMaxNestingDepth mappings and lists inside
// each other, or nullopt. Only brackets outside strings count; the text need
// not be valid JSON otherwise (the parser reports that).
std::optional<TextError> findJsonNestingTooDeep(std::string_view json);

// The words for a nesting depth past the limit, shared by YAML and JSON.
std::string nestingTooDeepMessage();

// `text` escaped (backslash as \\, control bytes and bytes that are not
// UTF-8 as \xNN) and cut to its first kMaxQuotedBytes bytes, never inside
// a character, with "…(N bytes)" added when cut.
std::string excerpt(std::string_view text);

// excerpt() in double quotes, with quotes inside escaped as \".
std::string quotedExcerpt(std::string_view text);

}  // namespace switchyard::config
