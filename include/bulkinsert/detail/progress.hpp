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
#include "committed_rows.hpp"
#include "query.hpp"
#include "sql_builder.hpp"

namespace bulkinsert::detail {

/// The progress table: one row per commit of a resumable import, naming the input rows it covered.
inline constexpr std::string_view progress_table = "bulkinsert_progress";
/// The longest import_id every dialect's progress table holds (a key column has a bounded length in some).
inline constexpr std::size_t max_import_id_bytes = 255;

/// Creates the progress table if needed (in its own statement, outside any load transaction) and reads
/// what earlier runs of `import_id` committed.
template <backend B>
CommittedRows load_progress(B& b, const std::string& import_id) {
  using D = typename B::dialect_type;
  std::string name;
  D::quote(name, progress_table, "table");
  if (import_id.size() > max_import_id_bytes)
    throw InputError(fmt::format("import_id \"{}...\" is {} bytes; the progress table holds at most {}",
                                 import_id.substr(0, 32), import_id.size(), max_import_id_bytes));
  b.execute(D::progress_table_ddl(name));
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

}  // namespace bulkinsert::detail
