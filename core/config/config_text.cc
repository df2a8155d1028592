#include "config/config_text.h"

#include <cstdint>
#include <cstdio>

#include "config/config_limits.h"

namespace switchyard::config {

namespace {

// The length of the UTF-8 sequence starting at text[at], or 0 when the
// bytes there are not one (a stray continuation byte, an overlong form, a
// surrogate, beyond U+10FFFF, or cut off by the end of the text).
size_t utf8SequenceLength(std::string_view text, size_t at) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t lead = byte(at);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong
    if (lead == 0xED) second_max = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong
    if (lead == 0xF4) second_max = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < second_min || byte(at + 1) > second_max) return 0;
  for (size_t i = at + 2; i < at + length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

// C0 controls and DEL; tab and line breaks are text.
bool isControlByte(char c) {
  auto byte = static_cast<uint8_t>(c);
  return (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7F;
}

// C1 controls (U+0080 to U+009F, encoded C2 80 to C2 9F): some terminals
// act on them, as on ESC.
bool isC1Control(std::string_view text, size_t at, size_t length) {
  return length == 2 && static_cast<uint8_t>(text[at]) == 0xC2 && static_cast<uint8_t>(text[at + 1]) <= 0x9F;
}

void appendHexEscape(std::string& out, char c) {
  char escaped[5];
  std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(static_cast<uint8_t>(c)));
  out += escaped;
}

std::string escapedExcerpt(std::string_view text, bool escape_double_quotes) {
  std::string out;
  size_t at = 0;
  while (at < text.size() && at < kMaxQuotedBytes) {
    size_t length = utf8SequenceLength(text, at);
    if (length > 1 && at + length > kMaxQuotedBytes) break;  // never split a character
    char c = text[at];
    if (c == '\t' || c == '\n' || c == '\r') {
      out += c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r";  // one line per message
      at += 1;
    } else if (length == 0 || isControlByte(c)) {
      appendHexEscape(out, c);
      at += 1;
    } else if (isC1Control(text, at, length)) {
      appendHexEscape(out, text[at]);
      appendHexEscape(out, text[at + 1]);
      at += 2;
    } else {
      if (c == '\\' || (c == '"' && escape_double_quotes)) out += '\\';
      out.append(text.substr(at, length));
      at += length;
    }
  }
  if (at < text.size()) out.append("\u2026(").append(std::to_string(text.size())).append(" bytes)");
  return out;
}

}  // namespace

std::optional<TextError> findUnreadableByte(std::string_view text) {
  int line = 1;
  int column = 1;
  size_t at = 0;
  while (at < text.size()) {
    char c = text[at];
    size_t length = utf8SequenceLength(text, at);
    if (isControlByte(c)) {
      return TextError{line, column,
                       "control character " + excerpt(text.substr(at, 1)) +
                           " is not allowed in config text (inside a double-quoted string, write it as an "
                           "escape sequence)"};
    }
    if (length == 0) {
      return TextError{
          line, column,
          "byte " + excerpt(text.substr(at, 1)) + " is not valid UTF-8 (a config is UTF-8 text)"};
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    at += length;
  }
  return std::nullopt;
}

std::optional<TextError> findJsonNestingTooDeep(std::string_view json) {
  int line = 1;
  int column = 1;
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNestingDepth) return TextError{line, column, nestingTooDeepMessage()};
    } else if (c == ']' || c == '}') {
      --depth;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) {  // count characters, not UTF-8 bytes
      ++column;
    }
  }
  return std::nullopt;
}

std::string nestingTooDeepMessage() {
  return "mappings and lists nested more than " + std::to_string(kMaxNestingDepth) +
         " levels deep (the limit)";
}

std::string excerpt(std::string_view text) { return escapedExcerpt(text, false); }

std::string quotedExcerpt(std::string_view text) {
  std::string result(1, '"');
  result.append(escapedExcerpt(text, true)).append(1, '"');
  return result;
}

}  // namespace switchyard::config
