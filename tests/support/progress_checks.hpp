#pragma once

// Checks of a resumable import against its progress table, for any backend: a Reader is anything with
// rows(sql) and scalar(sql) (a conformance fixture's reader(), test::SqliteReader, test::PgReader), so
// the same checks serve the fixture's database and a connection a backend-specific test made itself.

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <bulkinsert/bulkinsert.hpp>

#include "schema.hpp"

namespace test {

/// Rows of `t (id, name)`: row i is id i + 1 and a unique name of about 200 bytes holding characters
/// COPY text must escape.
using IdName = std::tuple<std::int64_t, std::string>;

inline const bulkinsert::Table<IdName>& id_name_table() {
  static const bulkinsert::Table<IdName> t{"t", {"id", "name"}};
  return t;
}

inline IdName id_name(std::size_t i) {
  return {static_cast<std::int64_t>(i) + 1, fmt::format("{:0>200}\t{}\\{}", i, i, i * 7919 % 1000)};
}

inline std::vector<IdName> id_names(std::size_t n) {
  std::vector<IdName> rows;
  for (std::size_t i = 0; i < n; ++i) rows.push_back(id_name(i));
  return rows;
}

/// Options committing every `every` chunks of a resumable import named `id`.
inline bulkinsert::InsertOptions resumable(std::size_t every, std::string id) {
  bulkinsert::InsertOptions o = checkpoint_every(every);
  o.import_id = std::move(id);
  return o;
}

/// Rows committed according to the progress table. (Import ids here are literals of the tests.)
template <class Reader>
std::int64_t progress_rows(const Reader& db, const std::string& import_id) {
  return db.scalar(fmt::format(
      "SELECT coalesce(sum(last_row - first_row), 0) FROM bulkinsert_progress WHERE import_id = '{}'", import_id));
}

/// Every row of t is an input row inside a range the progress table records, and their numbers agree:
/// the database holds exactly the committed chunks.
template <class Reader>
void check_table_matches_progress(const Reader& db, const std::string& import_id) {
  CHECK(db.scalar(fmt::format("SELECT count(*) FROM t WHERE NOT EXISTS (SELECT 1 FROM bulkinsert_progress p "
                              "WHERE p.import_id = '{}' AND t.id - 1 >= p.first_row AND t.id - 1 < p.last_row)",
                              import_id)) == 0);
  CHECK(db.scalar("SELECT count(*) FROM t") == progress_rows(db, import_id));
}

/// Table t holds exactly input rows [0, n): count, ids and names.
template <class Reader>
void check_table_equals(const Reader& db, std::size_t n) {
  const TextRows got = db.rows("SELECT id, name FROM t ORDER BY id");
  REQUIRE(got.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto [id, name] = id_name(i);
    REQUIRE(got[i][0] == std::to_string(id));
    REQUIRE(got[i][1] == name);
  }
}

}  // namespace test
