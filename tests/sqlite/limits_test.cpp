// Chunk sizes follow the live connection's SQLITE_LIMIT_VARIABLE_NUMBER, read at run time and lowered
// here with sqlite3_limit (which only SQLite can do from a client). A statement at exactly the limit
// every backend reads is in conformance/limits_test.cpp.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <bulkinsert/sqlite.hpp>

#include "support/five_columns.hpp"
#include "support/schema.hpp"
#include "support/sqlite.hpp"

using bulkinsert::BulkInserter;

using test::rows5;
using test::table5;

namespace {

void create_five(test::SqliteDb& db) { test::create_five(db, "INTEGER"); }

}  // namespace

TEST_CASE("sqlite limits are read from the live connection", "[sqlite][limits]") {
  test::SqliteDb db;
  sqlite3* h = db.db().getHandle();
  CHECK(db.backend().limits().max_params == static_cast<std::size_t>(sqlite3_limit(h, SQLITE_LIMIT_VARIABLE_NUMBER, -1)));
  CHECK(db.backend().limits().max_rows == 0);
  sqlite3_limit(h, SQLITE_LIMIT_VARIABLE_NUMBER, 999);
  CHECK(db.backend().limits() == bulkinsert::Limits{999, 0});
}

TEST_CASE("multi values chunks follow a lowered sqlite variable limit", "[sqlite][limits]") {
  test::SqliteDb db;
  create_five(db);
  sqlite3_limit(db.db().getHandle(), SQLITE_LIMIT_VARIABLE_NUMBER, 999);
  const auto rows = rows5(1000);

  SECTION("no hint: as many rows as 999 parameters hold") {
    // 999 / 5 = 199 rows per statement: 5 statements of 199 and one of 5.
    const auto r = BulkInserter{db.backend()}.insert(table5(), rows, bulkinsert::MultiValues{.rows_per_statement = 0});
    CHECK(r.chunks == 6);
    CHECK(r.statements == 6);
  }
  SECTION("the limit beats a larger hint") {
    const auto r = BulkInserter{db.backend()}.insert(table5(), rows, bulkinsert::MultiValues{.rows_per_statement = 500});
    CHECK(r.statements == 6);
  }
  SECTION("a smaller hint is honoured") {
    const auto r = BulkInserter{db.backend()}.insert(table5(), rows, bulkinsert::MultiValues{.rows_per_statement = 100});
    CHECK(r.statements == 10);
  }
  CHECK(db.count("five") == 1000);
  CHECK(db.db().execAndGet("SELECT sum(a) + sum(e) FROM five").getInt64() == 6 * 499500);
}

TEST_CASE("a chunk at exactly the sqlite variable limit is one statement", "[sqlite][limits]") {
  test::SqliteDb db;
  create_five(db);
  sqlite3_limit(db.db().getHandle(), SQLITE_LIMIT_VARIABLE_NUMBER, 1000);  // 200 rows of 5 fill it exactly
  BulkInserter inserter{db.backend()};
  const auto at_limit = inserter.insert(table5(), rows5(200), bulkinsert::MultiValues{.rows_per_statement = 0});
  CHECK(at_limit.statements == 1);
  const auto past_limit = inserter.insert(table5(), rows5(201), bulkinsert::MultiValues{.rows_per_statement = 0});
  CHECK(past_limit.statements == 2);
  CHECK(db.count("five") == 401);
}

TEMPLATE_TEST_CASE("a row wider than the sqlite variable limit is refused before anything is sent",
                   "[sqlite][limits]", bulkinsert::PerRow, bulkinsert::MultiValues, bulkinsert::ExecuteMany) {
  test::SqliteDb db;
  create_five(db);
  sqlite3_limit(db.db().getHandle(), SQLITE_LIMIT_VARIABLE_NUMBER, 4);
  try {
    (void)BulkInserter{db.backend()}.insert(table5(), rows5(10), TestType{});
    FAIL("a 5 column row was sent with a 4 parameter limit");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("at most 4"));
  }
  CHECK(db.count("five") == 0);
  // Not even a transaction was left open: the connection takes another write at once.
  db.exec("INSERT INTO five VALUES (1, 2, 3, 4, 5)");
  CHECK(db.count("five") == 1);
}
