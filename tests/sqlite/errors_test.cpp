// Failure paths on SQLite: a constraint broken mid-batch, rollback, checkpoints.

#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

#include <bulkinsert/sqlite.hpp>

#include "support/schema.hpp"
#include "support/sqlite.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;

namespace {

/// 100,000 users whose input row 70,000 (the 70,001st) repeats user 0's username.
std::vector<test::User> users_with_duplicate_at(std::size_t n, std::size_t bad) {
  auto rows = test::users(n);
  rows[bad].username = rows[0].username;
  return rows;
}

template <class S>
bulkinsert::RowRange expected_failed_range(std::size_t bad, std::size_t per_chunk, std::size_t n) {
  const std::size_t first = bad / per_chunk * per_chunk;
  return {first, std::min(first + per_chunk, n)};
}

template <class S>
std::size_t default_chunk_rows() {
  if constexpr (std::is_same_v<S, MultiValues>) return S{}.rows_per_statement;
  else return S{}.rows_per_chunk;
}

}  // namespace

TEMPLATE_TEST_CASE("a unique violation at row 70001 of 100000 names its chunk and leaves the table empty",
                   "[sqlite][errors]", PerRow, MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles());
  constexpr std::size_t n = 100'000;
  constexpr std::size_t bad = 70'000;
  const auto rows = users_with_duplicate_at(n, bad);
  const std::size_t per_chunk = default_chunk_rows<TestType>();
  const auto range = expected_failed_range<TestType>(bad, per_chunk, n);
  try {
    (void)inserter.insert(test::StructRows::users_table(), rows, TestType{});
    FAIL("the duplicate username was accepted");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.strategy() == TestType::name);
    CHECK(e.chunk_index() == bad / per_chunk);
    CHECK(e.rows() == range);
    CHECK(e.code() == "2067");  // SQLITE_CONSTRAINT_UNIQUE
    CHECK(e.rows_committed() == 0);
    CHECK_THAT(e.message(), Catch::Contains("UNIQUE") && Catch::Contains("users.username"));
    CHECK_THAT(std::string{e.what()},
               Catch::StartsWith(fmt::format("{}: chunk {} (rows [{}, {})) failed: [2067] ", TestType::name,
                                             bad / per_chunk, range.first, range.last)));
  }
  CHECK(db.count("users") == 0);
  // The connection is usable afterwards, and the same rows without the duplicate go in.
  auto fixed = rows;
  fixed[bad].username = "fixed";
  CHECK(inserter.insert(test::StructRows::users_table(), fixed, TestType{}).rows == n);
  CHECK(db.count("users") == static_cast<std::int64_t>(n));
}

TEMPLATE_TEST_CASE("checkpoints keep committed chunks after a later failure on sqlite", "[sqlite][errors]", PerRow,
                   MultiValues, ExecuteMany) {
  test::SqliteDb db;
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
      CHECK(e.rows_committed() == 400);  // chunks 0-3; chunk 4 was in the rolled-back transaction
      CHECK(db.count("users") == static_cast<std::int64_t>(e.rows_committed()));
      CHECK_THAT(std::string{e.what()}, Catch::EndsWith("; 400 input rows committed"));
    }
  }
  SECTION("commit every chunk") {
    BulkInserter inserter{db.backend(), test::checkpoint_every(1)};
    try {
      (void)inserter.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<TestType>(100));
      FAIL("the duplicate username was accepted");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 5);
      CHECK(e.rows_committed() == 500);
      CHECK(db.count("users") == 500);
    }
  }
  // The committed rows are exactly the first ones, unchanged.
  const auto got = db.read_users();
  for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == test::expected_read(rows[i]));
}

TEMPLATE_TEST_CASE("checkpointed load without failure commits everything", "[sqlite][errors]", PerRow, MultiValues,
                   ExecuteMany) {
  test::SqliteDb db;
  db.create_roles_users();
  (void)BulkInserter{db.backend()}.insert(test::StructRows::roles_table(), test::roles());
  BulkInserter inserter{db.backend(), test::checkpoint_every(3)};
  const auto r = inserter.insert(test::StructRows::users_table(), test::users(1050), test::with_chunk_rows<TestType>(100));
  CHECK(r.rows == 1050);
  CHECK(r.chunks == 11);
  CHECK(r.rows_committed == 1050);
  CHECK(db.count("users") == 1050);
}

TEMPLATE_TEST_CASE("a foreign key violation on sqlite is a ChunkError", "[sqlite][errors]", PerRow, MultiValues,
                   ExecuteMany) {
  test::SqliteDb db;
  db.create_roles_users();  // no roles: every role_id is dangling
  auto rows = test::users(10);
  try {
    (void)BulkInserter{db.backend()}.insert(test::StructRows::users_table(), rows, TestType{});
    FAIL("a dangling role_id was accepted");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.code() == "787");  // SQLITE_CONSTRAINT_FOREIGNKEY
    CHECK(e.chunk_index() == 0);
  }
  CHECK(db.count("users") == 0);
}

TEST_CASE("a missing table on sqlite is a ChunkError for chunk 0", "[sqlite][errors]") {
  test::SqliteDb db;
  try {
    (void)BulkInserter{db.backend()}.insert(test::StructRows::roles_table(), test::roles());
    FAIL("insert into a missing table succeeded");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.chunk_index() == 0);
    CHECK(e.rows() == bulkinsert::RowRange{0, 5});
    CHECK(e.code() == "1");
    CHECK_THAT(e.message(), Catch::Contains("no such table"));
  }
}

TEMPLATE_TEST_CASE("a constraint checked at commit on sqlite is a ChunkError and nothing is kept", "[sqlite][errors]",
                   PerRow, MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE roles (id INTEGER PRIMARY KEY, name varchar(50) UNIQUE)");
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, username varchar(100) UNIQUE NOT NULL, email varchar(255), "
          "created_at timestamp, role_id integer REFERENCES roles(id) DEFERRABLE INITIALLY DEFERRED)");
  const auto rows = test::users(1000);  // no roles: the deferred foreign key fails at COMMIT
  SECTION("one transaction") {
    try {
      (void)BulkInserter{db.backend()}.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<TestType>(100));
      FAIL("a dangling role_id was committed");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.code() == "787");  // SQLITE_CONSTRAINT_FOREIGNKEY
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
      FAIL("a dangling role_id was committed");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 1);
      CHECK(e.rows() == bulkinsert::RowRange{0, 200});
      CHECK(e.rows_committed() == 0);
    }
    CHECK(db.count("users") == 0);
  }
  // The failed COMMIT left no transaction open.
  db.exec("INSERT INTO roles VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')");
  CHECK(BulkInserter{db.backend()}.insert(test::StructRows::users_table(), rows, TestType{}).rows == 1000);
}

TEMPLATE_TEST_CASE("an input error after a checkpoint says how many rows are committed", "[sqlite][errors]", PerRow,
                   MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE m (id INTEGER, x REAL)");
  using Row = std::tuple<std::int64_t, double>;
  std::vector<Row> rows;
  for (std::int64_t i = 0; i < 50; ++i) rows.emplace_back(i, i == 37 ? std::numeric_limits<double>::quiet_NaN() : 0.5);
  try {
    (void)BulkInserter{db.backend(), test::checkpoint_every(1)}.insert(bulkinsert::Table<Row>{"m", {"id", "x"}}, rows,
                                                                      test::with_chunk_rows<TestType>(10));
    FAIL("NaN was accepted");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("row 37") && Catch::Contains("30 input rows committed"));
  }
  CHECK(db.count("m") == 30);
}

TEMPLATE_TEST_CASE("a value that cannot be read stops its chunk before any of its rows is written", "[sqlite][errors]",
                   PerRow, MultiValues, ExecuteMany) {
  // execute_many and per_row write row by row, so they check a chunk's values first: here the columns
  // whose C++ type can fail (an unsigned 64-bit member, a getter that is not noexcept).
  test::SqliteDb db;
  db.exec("CREATE TABLE m (id INTEGER, big INTEGER, label TEXT)");
  struct Row {
    std::int64_t id;
    std::uint64_t big;
  };
  std::vector<Row> rows;
  for (std::int64_t i = 0; i < 50; ++i) rows.push_back({i, static_cast<std::uint64_t>(i)});
  const bool bad_member = GENERATE(true, false);
  if (bad_member) rows[37].big = std::numeric_limits<std::uint64_t>::max();
  const auto table = bulkinsert::Table<Row>{"m"}
                         .column("id", &Row::id)
                         .column("big", &Row::big)
                         .column("label", [](const Row& r) -> std::string {
                           if (r.id == 37) throw bulkinsert::ValueError("no label for 37");
                           return "ok";
                         });
  try {
    (void)BulkInserter{db.backend(), test::checkpoint_every(1)}.insert(table, rows, test::with_chunk_rows<TestType>(10));
    FAIL("row 37 was accepted");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("row 37") && Catch::Contains(bad_member ? "\"big\"" : "\"label\"") &&
                                          Catch::Contains("30 input rows committed"));
  }
  CHECK(db.count("m") == 30);
}
