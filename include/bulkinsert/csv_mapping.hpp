#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "catalog.hpp"
#include "csv_convert.hpp"
#include "csv_options.hpp"
#include "error.hpp"

namespace bulkinsert {

// Which CSV column feeds which table column.

/// One CSV column routed to one table column.
struct CsvTarget {
  std::size_t field = 0;  ///< 0-based CSV field
  ColumnInfo column;      ///< the table column, from the catalog
};


/// Routes CSV header names to table columns: explicit pairs first, then same name (exact, else
/// case-insensitive when unique). Throws InputError for a duplicate or unknown name, a CSV column with no
/// table column (unless ignore_unmapped), a table column fed twice, or a required column (NOT NULL
/// without a default) that no CSV column feeds.
[[nodiscard]] inline std::vector<CsvTarget> map_csv_columns(const std::vector<std::string>& header,
                                                            const std::vector<ColumnInfo>& columns,
                                                            const CsvLoadOptions& options) {
  const std::string& table = options.table;
  auto find_header = [&](std::string_view name) -> std::size_t {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  auto find_column = [&](std::string_view name) -> const ColumnInfo* {
    const auto it = std::find_if(columns.begin(), columns.end(), [&](const ColumnInfo& c) { return c.name == name; });
    if (it != columns.end()) return &*it;
    const ColumnInfo* found = nullptr;
    for (const ColumnInfo& c : columns) {
      if (!detail::csv::iequals(c.name, name)) continue;
      if (found != nullptr) return nullptr;  // ambiguous: only an exact match will do
      found = &c;
    }
    return found;
  };

  std::vector<const ColumnInfo*> routed(header.size(), nullptr);
  std::vector<bool> explicit_pair(header.size(), false);
  for (const auto& [csv_name, column_name] : options.map) {
    const std::size_t f = find_header(csv_name);
    if (f == header.size())
      throw InputError(fmt::format("--map {}={}: the CSV header has no column \"{}\" (it has: {})", csv_name,
                                   column_name, csv_name, fmt::join(header, ", ")));
    // An init-capture: clang before 16 cannot capture a structured binding.
    const auto it = std::find_if(columns.begin(), columns.end(),
                                 [&wanted = column_name](const ColumnInfo& c) { return c.name == wanted; });
    if (it == columns.end())
      throw InputError(fmt::format("--map {}={}: table \"{}\" has no column \"{}\"", csv_name, column_name, table,
                                   column_name));
    if (explicit_pair[f]) throw InputError(fmt::format("CSV column \"{}\" is mapped twice", csv_name));
    routed[f] = &*it;
    explicit_pair[f] = true;
  }
  for (std::size_t f = 0; f < header.size(); ++f) {
    if (std::find(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(f), header[f]) !=
        header.begin() + static_cast<std::ptrdiff_t>(f))
      throw InputError(fmt::format("the CSV header names column \"{}\" twice", header[f]));
    if (explicit_pair[f]) continue;
    routed[f] = find_column(header[f]);
    if (routed[f] == nullptr && !options.ignore_unmapped) {
      // A loop, not columns | views::transform: clang 14 rejects that pipe against libstdc++ 12's ranges.
      std::vector<std::string_view> names;
      for (const ColumnInfo& c : columns) names.push_back(c.name);
      throw InputError(fmt::format(
          "CSV column \"{}\" has no column in table \"{}\" (it has: {}); map it with --map {}=COLUMN, or ignore "
          "unmapped columns",
          header[f], table, fmt::join(names, ", "), header[f]));
    }
  }

  std::vector<CsvTarget> targets;
  for (std::size_t f = 0; f < header.size(); ++f) {
    if (routed[f] == nullptr) continue;
    for (const CsvTarget& t : targets)
      if (t.column.name == routed[f]->name)
        throw InputError(fmt::format("CSV columns \"{}\" and \"{}\" both go to column \"{}\" of table \"{}\"",
                                     header[t.field], header[f], routed[f]->name, table));
    targets.push_back({f, *routed[f]});
  }
  std::vector<std::string> missing;
  for (const ColumnInfo& c : columns) {
    if (!c.not_null || c.has_default) continue;
    if (std::none_of(targets.begin(), targets.end(), [&](const CsvTarget& t) { return t.column.name == c.name; }))
      missing.push_back(c.name);
  }
  if (!missing.empty())
    throw InputError(fmt::format("table \"{}\" requires column{} {} (NOT NULL, no default), but no CSV column feeds it",
                                 table, missing.size() > 1 ? "s" : "", fmt::join(missing, ", ")));
  if (targets.empty()) throw InputError(fmt::format("no CSV column maps to a column of table \"{}\"", table));
  return targets;
}

}  // namespace bulkinsert
