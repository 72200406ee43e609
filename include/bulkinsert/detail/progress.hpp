#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "../backend.hpp"
#include "../chunk.hpp"
#include "../error.hpp"
#include "../table.hpp"
#include "sql_builder.hpp"

namespace bulkinsert::detail {

/// Runs `sql` with the values of `params` as its parameters and returns the rows it gives back.
/// For the library's own bookkeeping, not for loading: one statement, unprepared.
template <backend B>
std::vector<DynamicRow> query(B& b, std::string_view sql, const DynamicRow& params) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < params.size(); ++i) names.push_back(fmt::format("p{}", i));  // not "p" + to_string: GCC 12 -Wrestrict false positive
  const Table<DynamicRow> table{"query", std::move(names)};
  ValueArena arena;
  const void* row = &params;
  const Chunk chunk{table, &row, 1, 0, 0, arena};
  std::vector<DynamicRow> out;
  const RowSink sink = [&out](std::size_t, DynamicRow&& v) { out.push_back(std::move(v)); };
  b.run_once(sql, chunk, &sink);
  return out;
}

/// Input rows committed by earlier runs of a resumable import: sorted, merged [first, last) ranges.
class CommittedRows {
 public:
  void add(RowRange r) {
    if (r.first >= r.last) return;
    ranges_.push_back(r);
    std::sort(ranges_.begin(), ranges_.end(), [](RowRange a, RowRange b) { return a.first < b.first; });
    std::vector<RowRange> merged;
    for (const RowRange& x : ranges_) {
      if (!merged.empty() && x.first <= merged.back().last) merged.back().last = std::max(merged.back().last, x.last);
      else merged.push_back(x);
    }
    ranges_ = std::move(merged);
  }
  /// Whether input row `row` is committed; calls with rising rows cost O(1) each.
  [[nodiscard]] bool contains(std::size_t row) noexcept {
    while (cursor_ < ranges_.size() && ranges_[cursor_].last <= row) ++cursor_;
    return cursor_ < ranges_.size() && ranges_[cursor_].first <= row;
  }
  [[nodiscard]] const std::vector<RowRange>& ranges() const noexcept { return ranges_; }

 private:
  std::vector<RowRange> ranges_;
  std::size_t cursor_ = 0;
};

/// The progress table: one row per commit of a resumable import, naming the input rows it covered.
inline constexpr std::string_view progress_table = "bulkinsert_progress";

/// Creates the progress table if needed (in its own statement, outside any load transaction) and reads
/// what earlier runs of `import_id` committed.
template <backend B>
CommittedRows load_progress(B& b, const std::string& import_id) {
  using D = typename B::dialect_type;
  std::string name;
  D::quote(name, progress_table, "table");
  b.execute("CREATE TABLE IF NOT EXISTS " + name +
            " (import_id TEXT NOT NULL, first_row BIGINT NOT NULL, last_row BIGINT NOT NULL, "
            "PRIMARY KEY (import_id, first_row))");
  std::string sql = "SELECT first_row, last_row FROM " + name + " WHERE import_id = ";
  D::placeholder(sql, 1);
  CommittedRows done;
  b.begin();
  try {
    for (const DynamicRow& r : query(b, sql, DynamicRow{Value{import_id}})) {
      if (r.size() != 2 || !std::holds_alternative<std::int64_t>(r[0]) || !std::holds_alternative<std::int64_t>(r[1]))
        throw Error(fmt::format("{} holds a malformed row for import \"{}\"", progress_table, import_id));
      done.add({static_cast<std::size_t>(std::get<std::int64_t>(r[0])), static_cast<std::size_t>(std::get<std::int64_t>(r[1]))});
    }
    b.commit();
  } catch (...) {
    b.rollback();
    throw;
  }
  return done;
}

/// Records, inside the transaction about to commit, that input rows `rows` of `import_id` are committed.
template <backend B>
void record_progress(B& b, const std::string& import_id, RowRange rows) {
  TableSpec spec;
  spec.name = std::string{progress_table};
  spec.columns = {"import_id", "first_row", "last_row"};
  query(b, insert_values_sql<typename B::dialect_type>(spec, 1),
        DynamicRow{Value{import_id}, Value{static_cast<std::int64_t>(rows.first)}, Value{static_cast<std::int64_t>(rows.last)}});
}

/// A natural key's text, to look up parents by: text as it is, integers in decimal.
inline std::string key_text(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  throw InputError("a natural key must be text or an integer");
}

}  // namespace bulkinsert::detail
