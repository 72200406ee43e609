#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <string>
#include <unordered_set>
#include <variant>
#include <vector>

#include "../chunk.hpp"
#include "../table.hpp"
#include "../value.hpp"

namespace bulkinsert::detail {

/// Whether statements carrying many rows must be split where a conflict key repeats: an upsert that
/// updates. Such a row applies to the row an earlier one wrote, which one statement may not do (PostgreSQL
/// refuses "ON CONFLICT DO UPDATE command cannot affect row a second time"); split, the rows apply in input
/// order, the last one winning, exactly as one statement per row (execute_many, per_row) applies them.
[[nodiscard]] inline bool splits_at_repeated_keys(const TableSpec& t) noexcept {
  return updates_on_conflict(t) && !t.on_conflict->target.empty();
}

/// The lengths of the consecutive runs of `chunk` in which no conflict key appears twice (one run, the
/// whole chunk, when none repeats). Rows whose key holds a NULL conflict with nothing. Keys are compared
/// as the values bulkinsert sends, so a key the database alone considers equal (a case-insensitive
/// citext, a collation) is not seen here, and the database's own error then names it.
[[nodiscard]] inline std::vector<std::size_t> runs_without_repeated_keys(const Chunk& chunk) {
  const TableSpec& t = chunk.table();
  std::vector<std::size_t> key_columns;
  for (const std::string& name : t.on_conflict->target) {
    const auto it = std::find(t.columns.begin(), t.columns.end(), name);
    if (it == t.columns.end()) return {chunk.size()};  // a key the rows do not carry cannot be compared here
    key_columns.push_back(static_cast<std::size_t>(it - t.columns.begin()));
  }
  if (key_columns.empty()) return {chunk.size()};
  std::vector<std::size_t> runs;
  std::unordered_set<std::string> seen;
  std::size_t run_start = 0;
  std::string key;
  for (std::size_t r = 0; r < chunk.size(); ++r) {
    key.clear();
    bool has_null = false;
    for (const std::size_t c : key_columns) {
      const ValueRef v = chunk.value(r, c);
      // Each part as its kind, its length and its bytes: no two different keys make the same string.
      std::string_view bytes;
      std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Null>) has_null = true;
            else if constexpr (std::is_same_v<T, std::string_view>) bytes = x;
            else if constexpr (std::is_same_v<T, BytesView>) bytes = {reinterpret_cast<const char*>(x.data()), x.size()};
            else bytes = {reinterpret_cast<const char*>(&x), sizeof x};
          },
          v);
      const std::size_t length = bytes.size();
      key += static_cast<char>(kind_of(v));
      key.append(reinterpret_cast<const char*>(&length), sizeof length);
      key.append(bytes);
    }
    if (has_null) continue;
    if (!seen.insert(key).second) {
      runs.push_back(r - run_start);
      run_start = r;
      seen.clear();
      seen.insert(key);
    }
  }
  runs.push_back(chunk.size() - run_start);
  return runs;
}

}  // namespace bulkinsert::detail
