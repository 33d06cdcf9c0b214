// How JSON values and parse errors appear in messages for users.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace lscan {

// The value as written in the file, cut to 60 characters.
inline std::string json_excerpt(const nlohmann::json& j) {
  std::string s = j.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// "parse error at line 2, column 4: ..." without nlohmann's "[json.exception.parse_error.101] ".
inline std::string json_parse_message(const nlohmann::json::parse_error& e) {
  const std::string s = e.what();
  const auto close = s.find("] ");
  return close == std::string::npos ? s : s.substr(close + 2);
}

}  // namespace lscan
