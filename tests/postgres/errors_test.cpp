// Failure paths on PostgreSQL: a constraint broken mid-batch, rollback, checkpoints.
//
// per_row waits for a round trip per row (~6,000 rows/s here): it gets a 2,000-row load with the
// violation at row 1,400 instead of the 100,000-row one, which would take ~12 s for no more coverage.

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

namespace {

std::vector<test::User> users_with_duplicate_at(std::size_t n, std::size_t bad) {
  auto rows = test::users(n);
  rows[bad].username = rows[0].username;
  return rows;
}

template <class S>
std::size_t default_chunk_rows() {
  if constexpr (std::is_same_v<S, MultiValues>) return S{}.rows_per_statement;
  else return S{}.rows_per_chunk;
}

}  // namespace

TEMPLATE_TEST_CASE("a unique violation at row 70001 of 100000 names its chunk and leaves the table empty",
                   "[postgres][errors]", PerRow, MultiValues, ExecuteMany, Copy) {
  const bool slow = std::is_same_v<TestType, PerRow>;
  const std::size_t n = slow ? 2'000 : 100'000;
  const std::size_t bad = slow ? 1'400 : 70'000;
  test::PgDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles());
  const auto rows = users_with_duplicate_at(n, bad);
  const std::size_t per_chunk = default_chunk_rows<TestType>();
  const std::size_t first = bad / per_chunk * per_chunk;
  const bulkinsert::RowRange range{first, std::min(first + per_chunk, n)};
  try {
    (void)inserter.insert(test::StructRows::users_table(), rows, TestType{});
    FAIL("the duplicate username was accepted");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.strategy() == TestType::name);
    CHECK(e.chunk_index() == bad / per_chunk);
    CHECK(e.rows() == range);
    CHECK(e.code() == "23505");
    CHECK(e.rows_committed() == 0);
    CHECK_THAT(e.message(), Catch::Contains("users_username_key"));
    CHECK_THAT(std::string{e.what()},
               Catch::StartsWith(fmt::format("{}: chunk {} (rows [{}, {})) failed: [23505] ", TestType::name,
                                             bad / per_chunk, range.first, range.last)));
    // Strategies that send one row per statement also name the row itself.
    if constexpr (std::is_same_v<TestType, PerRow> || std::is_same_v<TestType, ExecuteMany>)
      CHECK_THAT(e.message(), Catch::Contains(fmt::format("input row {}", bad)));
  }
  CHECK(db.count("users") == 0);
  // The connection is usable afterwards, and the rows without the duplicate go in.
  auto fixed = rows;
  fixed[bad].username = "fixed";
  CHECK(inserter.insert(test::StructRows::users_table(), fixed, TestType{}).rows == n);
  CHECK(db.count("users") == static_cast<std::int64_t>(n));
}

TEMPLATE_TEST_CASE("checkpoints keep committed chunks after a later failure on postgres", "[postgres][errors]",
                   PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  db.create_roles_users();
  (void)BulkInserter{db.backend()}.insert(test::StructRows::roles_table(), test::roles());
  const auto rows = users_with_duplicate_at(1000, 550);  // chunk 5 of 100-row chunks

  SECTION("commit every 2 chunks") {
    BulkInserter inserter{db.backend(), test::checkpoint_every(2)};
    try {
      (void)inserter.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<TestType>(100));
      FAIL("the duplicate username was accepted");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 5);
      CHECK(e.rows() == bulkinsert::RowRange{500, 600});
      CHECK(e.code() == "23505");
      CHECK(e.rows_committed() == 400);  // chunks 0-3; chunk 4 was in the rolled-back transaction
      CHECK(db.count("users") == static_cast<std::int64_t>(e.rows_committed()));
    }
  }
  SECTION("commit every chunk") {
    BulkInserter inserter{db.backend(), test::checkpoint_every(1)};
    try {
      (void)inserter.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<TestType>(100));
      FAIL("the duplicate username was accepted");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.rows_committed() == 500);
      CHECK(db.count("users") == 500);
    }
  }
  const auto got = db.read_users();
  for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == test::expected_read(rows[i]));
}

TEMPLATE_TEST_CASE("a foreign key violation on postgres is a ChunkError", "[postgres][errors]", PerRow, MultiValues,
                   ExecuteMany, Copy) {
  test::PgDb db;
  db.create_roles_users();  // no roles: every role_id is dangling
  try {
    (void)BulkInserter{db.backend()}.insert(test::StructRows::users_table(), test::users(10), TestType{});
    FAIL("a dangling role_id was accepted");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.code() == "23503");
    CHECK(e.chunk_index() == 0);
    CHECK(e.rows() == bulkinsert::RowRange{0, 10});
  }
  CHECK(db.count("users") == 0);
}

TEMPLATE_TEST_CASE("a missing table on postgres is a ChunkError", "[postgres][errors]", PerRow, MultiValues,
                   ExecuteMany, Copy) {
  test::PgDb db;
  try {
    (void)BulkInserter{db.backend()}.insert(test::StructRows::roles_table(), test::roles(), TestType{});
    FAIL("insert into a missing table succeeded");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.code() == "42P01");
    CHECK(e.chunk_index() == 0);
  }
  // The failed transaction was rolled back: the connection works.
  db.create_roles_users();
  CHECK(BulkInserter{db.backend()}.insert(test::StructRows::roles_table(), test::roles(), TestType{}).rows == 5);
}

TEST_CASE("a name longer than 63 bytes is refused before anything is sent", "[postgres][errors]") {
  test::PgDb db;
  const bulkinsert::Table<std::tuple<int>> table{std::string(64, 't'), {"a"}};
  const std::vector<std::tuple<int>> rows{{1}};
  CHECK_THROWS_WITH(BulkInserter{db.backend()}.insert(table, rows), Catch::Contains("63 bytes"));
}

TEMPLATE_TEST_CASE("a constraint checked at commit on postgres is a ChunkError and nothing is kept",
                   "[postgres][errors]", PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  db.exec("CREATE TABLE users (id integer PRIMARY KEY, username varchar(100) NOT NULL, email varchar(255), "
          "created_at timestamp, role_id integer, UNIQUE (username) DEFERRABLE INITIALLY DEFERRED)");
  const auto rows = users_with_duplicate_at(1000, 550);  // the deferred unique check fails at COMMIT
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
