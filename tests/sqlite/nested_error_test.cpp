// What a ChunkError nests, as the README says: the backend's DatabaseError with the same code and
// message; for a statement that carries rows (run through the sqlite3 C API), nothing below that.
// (The SQLiteCpp path, BEGIN and COMMIT, is checked in locking_test.cpp.)

#include <catch2/catch.hpp>

#include <cstdint>
#include <exception>
#include <string>
#include <tuple>
#include <vector>

#include <bulkinsert/sqlite.hpp>

#include "support/temp_dir.hpp"

TEMPLATE_TEST_CASE("a refused row's ChunkError nests the backend's DatabaseError and no driver exception",
                   "[sqlite][errors]", bulkinsert::PerRow, bulkinsert::MultiValues, bulkinsert::ExecuteMany) {
  const test::TempDir dir;
  bulkinsert::SqliteBackend db{dir.file("nested.db")};
  db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  using Row = std::tuple<std::int64_t, std::string>;
  const std::vector<Row> rows{{1, "a"}, {1, "b"}};
  try {
    (void)bulkinsert::BulkInserter{db}.insert(bulkinsert::Table<Row>{"t", {"id", "name"}}, rows, TestType{});
    FAIL("a duplicate key was accepted");
  } catch (const bulkinsert::ChunkError& e) {
    const auto* nested = dynamic_cast<const std::nested_exception*>(&e);
    REQUIRE(nested != nullptr);
    try {
      nested->rethrow_nested();
    } catch (const bulkinsert::ChunkError&) {
      FAIL("a ChunkError nests another ChunkError");
    } catch (const bulkinsert::DatabaseError& cause) {
      CHECK(cause.code() == e.code());
      // The database's first answer; the ChunkError may add the row the engine found for it.
      CHECK_THAT(e.message(), Catch::StartsWith(cause.message()));
      CHECK(dynamic_cast<const std::nested_exception*>(&cause) == nullptr);
    }
  }
}
