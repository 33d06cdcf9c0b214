// How JSON values and parse errors appear in messages for users.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "host/core/error.h"

namespace lscan {

// The value as written in the file, cut to 60 characters.
inline std::string json_excerpt(const nlohmann::json& j) {
  std::string s = j.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// "parse error at line 2, column 4: ..." without nlohmann's "[json.exception.parse_error.101] ".
inline std::string json_parse_message(const nlohmann::json::exception& e) {
  const std::string s = e.what();
  const auto close = s.find("] ");
  return close == std::string::npos ? s : s.substr(close + 2);
}

// The JSON text [begin, end). Throws InputError("<source>: <field>: not valid JSON: ...") on a
// syntax error and on a number beyond double's range, which nlohmann reports as out_of_range.
template <class It>
nlohmann::json parse_json_text(It begin, It end, const std::string& source,
                               const std::string& field) {
  try {
    return nlohmann::json::parse(begin, end);
  } catch (const nlohmann::json::parse_error& e) {
    input_error(source, field, "not valid JSON: " + json_parse_message(e));
  } catch (const nlohmann::json::out_of_range& e) {
    input_error(source, field, "not valid JSON: " + json_parse_message(e));
  }
}

}  // namespace lscan
