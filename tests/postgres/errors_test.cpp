// Failure paths only PostgreSQL has: its 63-byte name limit, and a UNIQUE constraint deferred to
// COMMIT (SQLite cannot defer one). The failure paths every backend shares are in
// conformance/errors_test.cpp.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/postgres.hpp"
#include "support/schema.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;

TEST_CASE("a name longer than 63 bytes is refused before anything is sent", "[postgres][errors]") {
  test::PgDb db;
  const bulkinsert::Table<std::tuple<int>> table{std::string(64, 't'), {"a"}};
  const std::vector<std::tuple<int>> rows{{1}};
  CHECK_THROWS_WITH(BulkInserter{db.backend()}.insert(table, rows), Catch::Contains("63 bytes"));
}

TEMPLATE_TEST_CASE("a unique constraint deferred to commit on postgres is a ChunkError and nothing is kept",
                   "[postgres][errors]", PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  db.exec("CREATE TABLE users (id integer PRIMARY KEY, username varchar(100) NOT NULL, email varchar(255), "
          "created_at timestamp, role_id integer, UNIQUE (username) DEFERRABLE INITIALLY DEFERRED)");
  const auto rows = test::users_with_duplicate_at(1000, 550);  // the deferred unique check fails at COMMIT
  SECTION("one transaction") {
    try {
      (void)BulkInserter{db.backend()}.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<TestType>(100));
      FAIL("the duplicate was committed");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.code() == "23505");
      CHECK(e.chunk_index() == 9);  // the last chunk sent before the commit
      CHECK(e.rows() == bulkinsert::RowRange{0, 1000});  // every uncommitted row
      CHECK(e.rows_committed() == 0);
    }
    CHECK(db.count("users") == 0);
  }
  SECTION("checkpoints") {
    try {
      (void)BulkInserter{db.backend(), test::checkpoint_every(2)}.insert(test::StructRows::users_table(), rows,
                                                                        test::with_chunk_rows<TestType>(100));
      FAIL("the duplicate was committed");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.code() == "23505");
      CHECK(e.chunk_index() == 5);
      CHECK(e.rows() == bulkinsert::RowRange{400, 600});
      CHECK(e.rows_committed() == 400);
    }
    CHECK(db.count("users") == 400);
  }
  // The failed COMMIT left the connection usable.
  auto fixed = rows;
  fixed[550].username = "fixed";
  db.exec("TRUNCATE users");
  CHECK(BulkInserter{db.backend()}.insert(test::StructRows::users_table(), fixed, TestType{}).rows == 1000);
}
