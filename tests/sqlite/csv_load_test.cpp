// load_csv into a real SQLite file: how text becomes SQLite's values (storage classes, -Infinity, hex
// blobs). What every backend's load does is in conformance/csv_load_test.cpp.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <bulkinsert/csv_load.hpp>
#include <bulkinsert/sqlite.hpp>

#include "support/csv_files.hpp"
#include "support/sqlite.hpp"

namespace {

constexpr const char* people_sql =
    "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, age INTEGER, score REAL, "
    "born DATE, seen TIMESTAMP, active BOOLEAN, photo BLOB)";

}  // namespace

TEST_CASE("csv load converts every kind to the column's type", "[sqlite][csv]") {
  test::SqliteDb db;
  db.exec(people_sql);
  test::CsvFile f{
      "name,age,score,born,seen,active,photo\r\n"
      "\"Smith, \"\"J\"\"\",42,1.5,2000-01-31,2024-01-02T03:04:05.5Z,yes,\\x00ff\r\n"
      "\"two\nlines\",,-Infinity,,2024-01-02 05:04:05+02:00,F,\r\n"
      "\"\",7,,1999-12-31,,,\r\n"};
  bulkinsert::CsvReader csv{f.path()};
  const auto r = bulkinsert::load_csv(db.backend(), csv, test::into("people"));
  REQUIRE(r.rows_read == 3);
  REQUIRE(r.rows_loaded == 3);
  REQUIRE(r.rows_rejected == 0);
  SQLite::Statement q{db.db(), "SELECT name, age, typeof(age), score, born, seen, active, hex(photo), photo IS NULL FROM people ORDER BY id"};
  REQUIRE(q.executeStep());
  REQUIRE(q.getColumn(0).getString() == "Smith, \"J\"");
  REQUIRE(q.getColumn(1).getInt64() == 42);
  REQUIRE(q.getColumn(2).getString() == "integer");
  REQUIRE(q.getColumn(3).getDouble() == 1.5);
  REQUIRE(q.getColumn(4).getString() == "2000-01-31");
  REQUIRE(q.getColumn(5).getString() == "2024-01-02 03:04:05.500000");
  REQUIRE(q.getColumn(6).getInt() == 1);
  REQUIRE(q.getColumn(7).getString() == "00FF");
  REQUIRE(q.executeStep());
  REQUIRE(q.getColumn(0).getString() == "two\nlines");
  REQUIRE(q.getColumn(1).isNull());
  REQUIRE(q.getColumn(3).getDouble() == -HUGE_VAL);
  REQUIRE(q.getColumn(5).getString() == "2024-01-02 03:04:05.000000");
  REQUIRE(q.getColumn(6).getInt() == 0);
  REQUIRE(q.getColumn(8).getInt() == 1);  // empty field: NULL
  REQUIRE(q.executeStep());
  REQUIRE(q.getColumn(0).getString().empty());  // quoted "": an empty string, not NULL
}
