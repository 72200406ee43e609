// What SQLite itself does to a value bulkinsert sent unchanged, as the README says: -0.0 comes back as
// +0.0 from a REAL column, whatever the strategy, and keeps its sign in a column without affinity.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <tuple>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <bulkinsert/sqlite.hpp>

#include "support/temp_dir.hpp"

TEMPLATE_TEST_CASE("sqlite stores -0.0 as +0.0 in a REAL column", "[sqlite][storage]", bulkinsert::PerRow,
                   bulkinsert::MultiValues, bulkinsert::ExecuteMany) {
  const test::TempDir dir;
  bulkinsert::SqliteBackend db{dir.file("storage.db")};
  db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, r REAL, untyped)");
  using Row = std::tuple<std::int64_t, double, double>;
  const std::vector<Row> rows{{1, -0.0, -0.0}, {2, -1.5, -1.5}};
  REQUIRE(bulkinsert::BulkInserter{db}.insert(bulkinsert::Table<Row>{"t", {"id", "r", "untyped"}}, rows, TestType{}).rows == 2);

  SQLite::Statement q{db.database(), "SELECT r, untyped, typeof(r), typeof(untyped) FROM t ORDER BY id"};
  REQUIRE(q.executeStep());
  // SQLite writes an integral REAL as an integer on disk (https://sqlite.org/fileformat2.html#record_format,
  // serial type 8 is "the integer 0") and turns it back into 0.0 when read: the sign is gone.
  CHECK(q.getColumn(0).getDouble() == 0.0);
  CHECK_FALSE(std::signbit(q.getColumn(0).getDouble()));
  CHECK(q.getColumn(2).getString() == "real");
  // Without affinity the value is stored as the 8-byte float it was bound as.
  CHECK(std::signbit(q.getColumn(1).getDouble()));
  CHECK(q.getColumn(3).getString() == "real");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getDouble() == -1.5);
  CHECK(q.getColumn(1).getDouble() == -1.5);
}
