#include "catalog/partition_path.h"

#include <fmt/format.h>

#include <cctype>

namespace tarn::catalog {

std::string UnescapePathValue(std::string_view text) {
  auto hex = [](char c) {
    return std::isdigit(static_cast<unsigned char>(c))
               ? c - '0'
               : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Hive's escaping of partition values in folder names (FileUtils.escapePathName's set).
std::string EscapePathValue(std::string_view value) {
  static constexpr std::string_view kSpecial = "\"#%'*/:=?\\{[]^";
  std::string out;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || kSpecial.find(c) != std::string_view::npos) {
      out += fmt::format("%{:02X}", u);
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::vector<std::string>> PartitionValuesFromPath(const std::vector<Column>& keys,
                                                                std::string_view relative) {
  std::vector<std::string> values;
  size_t pos = 0;
  for (const Column& key : keys) {
    const size_t slash = relative.find('/', pos);
    if (slash == std::string_view::npos) return std::nullopt;  // A partition is a folder.
    const std::string_view folder = relative.substr(pos, slash - pos);
    if (folder.size() <= key.name.size() || folder.substr(0, key.name.size()) != key.name ||
        folder[key.name.size()] != '=') {
      return std::nullopt;
    }
    values.push_back(UnescapePathValue(folder.substr(key.name.size() + 1)));
    pos = slash + 1;
  }
  return values;
}

std::string PartitionSpecText(const std::vector<Column>& keys,
                              const std::vector<std::string>& values) {
  std::string out;
  for (size_t k = 0; k < keys.size() && k < values.size(); ++k) {
    if (k > 0) out += "/";
    out += keys[k].name + "=" + values[k];
  }
  return out;
}

}  // namespace tarn::catalog
