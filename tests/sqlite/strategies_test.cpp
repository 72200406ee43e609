// What only the SQLite backend has: a borrowed SQLite::Database, an in-memory database, and a file
// that cannot be opened. Every strategy on the roles/users schema, the concepts and choosing by name
// are in conformance/strategies_test.cpp.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <bulkinsert/sqlite.hpp>

#include "support/schema.hpp"
#include "support/sqlite.hpp"

using bulkinsert::BulkInserter;

TEST_CASE("a borrowed sqlite database and an in memory one both work", "[sqlite][backend]") {
  SECTION("borrowed") {
    test::TempDir dir;
    SQLite::Database database{dir.file("borrowed.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    database.exec("CREATE TABLE roles (id INTEGER PRIMARY KEY, name varchar(50) UNIQUE)");
    {
      bulkinsert::SqliteBackend backend{database};
      const auto r = BulkInserter{backend}.insert(test::StructRows::roles_table(), test::roles());
      CHECK(r.rows == test::role_count);
    }
    CHECK(database.execAndGet("SELECT count(*) FROM roles").getInt64() == 5);
  }
  SECTION("in memory") {
    bulkinsert::SqliteBackend backend{":memory:"};
    backend.execute("CREATE TABLE roles (id INTEGER PRIMARY KEY, name varchar(50) UNIQUE)");
    const auto r = BulkInserter{backend}.insert(test::StructRows::roles_table(), test::roles());
    CHECK(r.rows == test::role_count);
    CHECK(backend.database().execAndGet("SELECT group_concat(name, '|') FROM roles").getString() ==
          "admin|editor|viewer|rôle ünïcode|it's \"quoted\"");
  }
  SECTION("a file that cannot be opened is a DatabaseError") {
    CHECK_THROWS_AS(bulkinsert::SqliteBackend("/nonexistent-dir/x/y.db"), bulkinsert::DatabaseError);
  }
}
