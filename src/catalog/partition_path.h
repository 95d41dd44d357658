// Hive-style partition paths: `key1=value1/key2=value2/` under a table's location, with
// characters such as '/', '=' and '%' in values escaped as %XX. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"

namespace tarn::catalog {

// Escapes a partition value for a folder name as Hive does: control characters and
// " # % ' * / : = ? \ { [ ] ^ become %XX.
std::string EscapePathValue(std::string_view value);

// Decodes %XX escapes; anything else is kept as it is.
std::string UnescapePathValue(std::string_view text);

// The partition values named by the first folders of `relative` (a path below the table's
// location, "name=a/d=2023-06-01/file.gz"), one per key in key order; std::nullopt when the
// folders do not follow the keys.
std::optional<std::vector<std::string>> PartitionValuesFromPath(const std::vector<Column>& keys,
                                                                std::string_view relative);

// "name=a/d=2023-06-01": how SHOW PARTITIONS and error messages name a partition.
std::string PartitionSpecText(const std::vector<Column>& keys,
                              const std::vector<std::string>& values);

}  // namespace tarn::catalog
