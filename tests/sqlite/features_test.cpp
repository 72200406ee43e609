// On SQLite: insert_returning in input order (AUTOINCREMENT ids), and COPY upserts refused. Upserts,
// defaults, parents then children, streaming and insert_async on every backend are in
// conformance/features_test.cpp.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <SQLiteCpp/Statement.h>

#include <bulkinsert/sqlite.hpp>

#include "support/features.hpp"
#include "support/sqlite.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::ExecuteMany;
using bulkinsert::PerRow;
using bulkinsert::SqliteBackend;

// --- returning -----------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("insert_returning gives back generated ids in input order", "[sqlite][returning]", ExecuteMany, PerRow) {
  test::SqliteDb db;
  // AUTOINCREMENT after a high row: ids are neither positions nor contiguous with them.
  db.exec("CREATE TABLE named (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL, qty INTEGER)");
  db.exec("INSERT INTO named (id, name, qty) VALUES (4999, 'seed', 0)");
  db.exec("DELETE FROM named");
  const std::size_t n = 100'000;
  const auto rows = test::named_rows(n);
  const auto out = BulkInserter{db.backend()}.insert_returning(test::named_table(), rows, {"id", "name", "qty"}, test::with_chunk_rows<TestType>(7'000));
  CHECK(out.report.rows == n);
  CHECK(out.report.chunks == 15);
  REQUIRE(out.rows.size() == n);
  std::unordered_map<std::int64_t, std::string> stored;
  SQLite::Statement q{db.db(), "SELECT id, name FROM named"};
  while (q.executeStep()) stored[q.getColumn(0).getInt64()] = q.getColumn(1).getString();
  REQUIRE(stored.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    INFO("input row " << i);
    REQUIRE(out.rows[i].size() == 3);
    const std::int64_t id = std::get<std::int64_t>(out.rows[i][0]);
    REQUIRE(id == 5000 + static_cast<std::int64_t>(i));
    REQUIRE(stored.at(id) == rows[i].name);
    REQUIRE(std::get<std::string>(out.rows[i][1]) == rows[i].name);
    REQUIRE(std::get<std::int64_t>(out.rows[i][2]) == rows[i].qty);
  }
}

TEST_CASE("insert_returning defaults to execute_many and takes strategies by name", "[sqlite][returning]") {
  test::SqliteDb db;
  db.exec("CREATE TABLE named (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER)");
  BulkInserter ins{db.backend()};
  CHECK(ins.insert_returning(test::named_table(), test::named_rows(10), {"id"}).report.strategy == "execute_many");
  const auto by_name = ins.insert_returning(test::named_table(), test::named_rows(10), {"id"}, "per_row");
  CHECK(by_name.report.strategy == "per_row");
  REQUIRE(by_name.rows.size() == 10);
  CHECK(std::get<std::int64_t>(by_name.rows[0][0]) == 11);
}

// --- upsert ---------------------------------------------------------------------------------------

TEST_CASE("copy upsert is refused on SQLite", "[sqlite][upsert]") {
  test::SqliteDb db;
  test::prepare_prices(db, "INTEGER", "TEXT");
  STATIC_REQUIRE_FALSE(bulkinsert::strategy_for<bulkinsert::Copy, SqliteBackend>);
  CHECK_THROWS_AS(BulkInserter{db.backend()}.insert(test::price_table().on_conflict_do_nothing({"sku"}), test::upsert_rows(), "copy"),
                  bulkinsert::UnsupportedStrategy);
  CHECK(db.count("prices") == 600);
}
