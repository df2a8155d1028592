#include "config/config_loader.h"

#include <google/protobuf/util/json_util.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "config/config_limits.h"
#include "config/config_text.h"
#include "config/config_validator.h"
#include "config/schema_checker.h"
#include "config/yaml_to_json.h"

namespace switchyard::config {

namespace {

ConfigFormat resolveFormat(ConfigFormat format, std::string_view source_name) {
  if (format != ConfigFormat::kAuto) return format;
  constexpr std::string_view kJsonExtension = ".json";
  if (source_name.size() < kJsonExtension.size()) return ConfigFormat::kYaml;
  std::string_view extension = source_name.substr(source_name.size() - kJsonExtension.size());
  for (size_t i = 0; i < extension.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(extension[i])) != kJsonExtension[i]) {
      return ConfigFormat::kYaml;
    }
  }
  return ConfigFormat::kJson;
}

bool isBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

// protobuf words a JSON syntax error as "<problem>\n<up to 40 bytes around
// the spot>\n<spaces>^", with no line number. Fold that into one line that
// quotes the text at the caret, which is what a reader can search for.
std::string describeJsonSyntaxError(std::string_view message) {
  size_t first_newline = message.find('\n');
  size_t last_newline = message.rfind('\n');
  std::string problem(message.substr(0, first_newline));
  if (first_newline == last_newline) return problem;
  std::string_view caret_line = message.substr(last_newline + 1);
  size_t caret_column = caret_line.find('^');
  if (caret_column == std::string_view::npos || caret_line.find_first_not_of(' ') != caret_column) {
    return problem;
  }
  std::string_view context = message.substr(first_newline + 1, last_newline - first_newline - 1);
  if (caret_column >= context.size()) return problem + " (at end of input)";
  std::string_view at_caret = context.substr(caret_column);
  at_caret = at_caret.substr(0, at_caret.find('\n'));
  return problem + " (near " + quotedExcerpt(at_caret) + ")";
}

std::string formatTextError(const std::string& source, const TextError& error) {
  if (error.line <= 0) return source + ": " + error.message;
  return source + ":" + std::to_string(error.line) + ":" + std::to_string(error.column) + ": " +
         error.message;
}

std::string sizeLimitProblem(uint64_t size) {
  return "is " + std::to_string(size) + " bytes, larger than the " + std::to_string(kMaxConfigBytes) +
         " bytes a config may have";
}

}  // namespace

LoadedConfig loadConfigText(std::string_view text, std::string_view source_name, ConfigFormat format) {
  LoadedConfig result;
  const std::string source(source_name);
  auto report = [&](const std::string& problem) { result.errors.push_back(source + ": " + problem); };

  if (text.size() > kMaxConfigBytes) {
    report(sizeLimitProblem(text.size()));
    return result;
  }
  if (isBlank(text)) {
    report("config is empty");
    return result;
  }
  if (auto unreadable = findUnreadableByte(text)) {
    result.errors.push_back(formatTextError(source, *unreadable));
    return result;
  }

  std::string json;
  bool from_yaml = resolveFormat(format, source_name) == ConfigFormat::kYaml;
  if (from_yaml) {
    YamlToJsonResult converted = yamlToJson(text);
    if (!converted.ok()) {
      result.errors.push_back(formatTextError(source, *converted.error));
      return result;
    }
    json = std::move(converted.json);
  } else {
    // protobuf's parser would take time growing faster than the square of
    // the depth, and then fail without saying where.
    if (auto too_deep = findJsonNestingTooDeep(text)) {
      result.errors.push_back(formatTextError(source, *too_deep));
      return result;
    }
    json = std::string(text);
  }

  google::protobuf::Value document;
  auto parsed = google::protobuf::util::JsonStringToMessage(json, &document);
  if (!parsed.ok()) {
    std::string problem = describeJsonSyntaxError(parsed.message().as_string());
    report(from_yaml ? problem : "invalid JSON: " + problem);
    return result;
  }
  if (document.kind_case() == google::protobuf::Value::kNullValue) {
    report("config is empty");  // a YAML file holding only comments or "---"
    return result;
  }

  for (const std::string& problem : checkJsonAgainstSchema(document, *Bootstrap::descriptor())) {
    report(problem);
  }
  if (!result.errors.empty()) return result;

  auto bootstrap = std::make_shared<Bootstrap>();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto converted = google::protobuf::util::JsonStringToMessage(json, bootstrap.get(), options);
  if (!converted.ok()) {
    // Something the schema check does not model (such as a bad key of a
    // non-string map); protobuf's own words are the best available.
    report(converted.message().as_string());
    return result;
  }

  for (const std::string& problem : validateBootstrap(*bootstrap)) report(problem);
  if (result.errors.empty()) result.bootstrap = std::move(bootstrap);
  return result;
}

LoadedConfig loadConfigFile(const std::string& path, ConfigFormat format) {
  LoadedConfig result;
  std::string text;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  int read_errno = file == nullptr ? errno : 0;
  bool too_large = false;
  if (file != nullptr) {
    // A regular file too large is refused unread; a pipe or a device has
    // no size to ask, so reading stops one byte past the limit.
    struct stat status;
    if (fstat(fileno(file), &status) == 0 && S_ISREG(status.st_mode) &&
        static_cast<uint64_t>(status.st_size) > kMaxConfigBytes) {
      result.errors.push_back(path + ": " + sizeLimitProblem(static_cast<uint64_t>(status.st_size)));
      std::fclose(file);
      return result;
    }
    char buffer[64 * 1024];
    size_t count;
    errno = 0;
    while (!too_large && (count = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
      text.append(buffer, count);
      too_large = text.size() > kMaxConfigBytes;
    }
    // A directory opens fine and fails here, with EISDIR.
    if (std::ferror(file)) read_errno = errno != 0 ? errno : EIO;
    std::fclose(file);
  }
  if (read_errno != 0) {
    result.errors.push_back(path + ": cannot read: " + std::strerror(read_errno));
    return result;
  }
  if (too_large) {
    result.errors.push_back(path + ": is larger than the " + std::to_string(kMaxConfigBytes) +
                            " bytes a config may have");
    return result;
  }
  return loadConfigText(text, path, format);
}

std::string structToJson(const google::protobuf::Struct& config) {
  std::string json;
  // protobuf prints every Struct (non-finite numbers become the strings
  // "NaN" and "Infinity"), so the status carries nothing to act on.
  (void)google::protobuf::util::MessageToJsonString(config, &json);
  return json;
}

}  // namespace switchyard::config
