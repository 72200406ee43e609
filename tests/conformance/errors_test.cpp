// Failure paths on every backend: a constraint broken mid-batch, rollback, checkpoints, a constraint
// checked at COMMIT, and input errors after a checkpoint.

#include <catch2/catch.hpp>

#include <optional>

#include <limits>
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/schema.hpp"

using bulkinsert::BulkInserter;

CONFORMANCE_STRATEGY_TEST_CASE("a unique violation at row 70001 of 100000 names its chunk and leaves the table empty",
                               "[errors]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  // per_row waits for a round trip per row on a server (~6,000 rows/s): it gets a 2,000-row load with
  // the violation at row 1,400 there, which covers the same paths in a fraction of the time.
  const bool slow = F::per_row_waits && std::is_same_v<S, bulkinsert::PerRow>;
  const std::size_t n = slow ? 2'000 : 100'000;
  const std::size_t bad = slow ? 1'400 : 70'000;
  F db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles());
  const auto rows = test::users_with_duplicate_at(n, bad);
  const std::size_t per_chunk = test::default_chunk_rows<S>();
  const std::size_t first = bad / per_chunk * per_chunk;
  const bulkinsert::RowRange range{first, std::min(first + per_chunk, n)};
  try {
    (void)inserter.insert(test::StructRows::users_table(), rows, S{});
    FAIL("the duplicate username was accepted");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.strategy() == S::name);
    CHECK(e.chunk_index() == bad / per_chunk);
    CHECK(e.rows() == range);
    CHECK(e.code() == F::codes.unique_violation);
    CHECK(e.rows_committed() == 0);
    for (const std::string& word : F::codes.unique_violation_words) CHECK_THAT(e.message(), Catch::Contains(word));
    CHECK_THAT(std::string{e.what()},
               Catch::StartsWith(fmt::format("{}: chunk {} (rows [{}, {})) failed: [{}] ", S::name, bad / per_chunk,
                                             range.first, range.last, F::codes.unique_violation)));
    // The row is named where the refusal can be seen within the chunk: a statement of one row names
    // its own, COPY's CONTEXT names the line. This duplicate repeats a row of an earlier chunk, which
    // the engine's search within the refused chunk cannot see, so a multi-row VALUES names no row
    // (load_engine_test.cpp has the search finding a row refused for its own value).
    if constexpr (!std::is_same_v<S, bulkinsert::MultiValues>) {
      CHECK_THAT(e.message(), Catch::Contains(fmt::format("input row {}", bad)));
      CHECK(e.input_row() == std::optional<std::size_t>{bad});
    }
  }
  CHECK(db.count("users") == 0);
  // The connection is usable afterwards, and the same rows without the duplicate go in.
  auto fixed = rows;
  fixed[bad].username = "fixed";
  CHECK(inserter.insert(test::StructRows::users_table(), fixed, S{}).rows == n);
  CHECK(db.count("users") == static_cast<std::int64_t>(n));
}

CONFORMANCE_STRATEGY_TEST_CASE("checkpoints keep committed chunks after a later failure", "[errors]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  F db;
  db.create_roles_users();
  (void)BulkInserter{db.backend()}.insert(test::StructRows::roles_table(), test::roles());
  const auto rows = test::users_with_duplicate_at(1000, 550);  // chunk 5 of 100-row chunks

  SECTION("commit every 2 chunks") {
    BulkInserter inserter{db.backend(), test::checkpoint_every(2)};
    try {
      (void)inserter.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<S>(100));
      FAIL("the duplicate username was accepted");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 5);
      CHECK(e.rows() == bulkinsert::RowRange{500, 600});
      CHECK(e.code() == F::codes.unique_violation);
      CHECK(e.rows_committed() == 400);  // chunks 0-3; chunk 4 was in the rolled-back transaction
      CHECK(db.count("users") == static_cast<std::int64_t>(e.rows_committed()));
      CHECK_THAT(std::string{e.what()}, Catch::EndsWith("; 400 input rows committed"));
    }
  }
  SECTION("commit every chunk") {
    BulkInserter inserter{db.backend(), test::checkpoint_every(1)};
    try {
      (void)inserter.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<S>(100));
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

CONFORMANCE_STRATEGY_TEST_CASE("checkpointed load without failure commits everything", "[errors]") {
  using S = typename TestType::strategy;
  typename TestType::fixture db;
  db.create_roles_users();
  (void)BulkInserter{db.backend()}.insert(test::StructRows::roles_table(), test::roles());
  BulkInserter inserter{db.backend(), test::checkpoint_every(3)};
  const auto r = inserter.insert(test::StructRows::users_table(), test::users(1050), test::with_chunk_rows<S>(100));
  CHECK(r.rows == 1050);
  CHECK(r.chunks == 11);
  CHECK(r.rows_committed == 1050);
  CHECK(db.count("users") == 1050);
}

CONFORMANCE_STRATEGY_TEST_CASE("a foreign key violation is a ChunkError", "[errors]") {
  using F = typename TestType::fixture;
  F db;
  db.create_roles_users();  // no roles: every role_id is dangling
  try {
    (void)BulkInserter{db.backend()}.insert(test::StructRows::users_table(), test::users(10),
                                            typename TestType::strategy{});
    FAIL("a dangling role_id was accepted");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.code() == F::codes.foreign_key_violation);
    CHECK(e.chunk_index() == 0);
    CHECK(e.rows() == bulkinsert::RowRange{0, 10});
  }
  CHECK(db.count("users") == 0);
}

CONFORMANCE_STRATEGY_TEST_CASE("a missing table is a ChunkError for chunk 0", "[errors]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  F db;
  try {
    (void)BulkInserter{db.backend()}.insert(test::StructRows::roles_table(), test::roles(), S{});
    FAIL("insert into a missing table succeeded");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.code() == F::codes.undefined_table);
    CHECK(e.chunk_index() == 0);
    CHECK(e.rows() == bulkinsert::RowRange{0, 5});
    CHECK_THAT(e.message(), Catch::Contains(F::codes.undefined_table_words));
  }
  // The failed transaction was rolled back: the connection works.
  db.create_roles_users();
  CHECK(BulkInserter{db.backend()}.insert(test::StructRows::roles_table(), test::roles(), S{}).rows == 5);
}

CONFORMANCE_STRATEGY_TEST_CASE("a constraint checked at commit is a ChunkError and nothing is kept", "[errors]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  if constexpr (!F::defers_constraints) return;  // nothing is checked at COMMIT there
  F db;
  db.exec(fmt::format("CREATE TABLE roles (id {} PRIMARY KEY, name varchar(50) UNIQUE)", F::types.bigint));
  db.exec(fmt::format("CREATE TABLE users (id {} PRIMARY KEY, username varchar(100) UNIQUE NOT NULL, email varchar(255), "
                      "created_at {}, role_id integer REFERENCES roles(id) DEFERRABLE INITIALLY DEFERRED)",
                      F::types.bigint, F::types.timestamp));
  const auto rows = test::users(1000);  // no roles: the deferred foreign key fails at COMMIT
  SECTION("one transaction") {
    try {
      (void)BulkInserter{db.backend()}.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<S>(100));
      FAIL("a dangling role_id was committed");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.code() == F::codes.foreign_key_violation);
      CHECK(e.chunk_index() == 9);                        // the last chunk sent before the commit
      CHECK(e.rows() == bulkinsert::RowRange{0, 1000});  // every uncommitted row
      CHECK(e.rows_committed() == 0);
    }
    CHECK(db.count("users") == 0);
  }
  SECTION("checkpoints") {
    try {
      (void)BulkInserter{db.backend(), test::checkpoint_every(2)}.insert(test::StructRows::users_table(), rows,
                                                                        test::with_chunk_rows<S>(100));
      FAIL("a dangling role_id was committed");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.code() == F::codes.foreign_key_violation);
      CHECK(e.chunk_index() == 1);
      CHECK(e.rows() == bulkinsert::RowRange{0, 200});
      CHECK(e.rows_committed() == 0);
    }
    CHECK(db.count("users") == 0);
  }
  // The failed COMMIT left no transaction open.
  db.exec("INSERT INTO roles VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')");
  CHECK(BulkInserter{db.backend()}.insert(test::StructRows::users_table(), rows, S{}).rows == 1000);
}

CONFORMANCE_STRATEGY_TEST_CASE("a value that cannot be read stops its chunk before any of its rows is written",
                               "[errors]") {
  // execute_many and per_row write row by row, so they check a chunk's values first: here the columns
  // whose C++ type can fail (an unsigned 64-bit member, a getter that is not noexcept).
  using F = typename TestType::fixture;
  F db;
  db.exec(fmt::format("CREATE TABLE m (id {0}, big {0}, label {1})", F::types.bigint, F::types.text));
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
    (void)BulkInserter{db.backend(), test::checkpoint_every(1)}.insert(
        table, rows, test::with_chunk_rows<typename TestType::strategy>(10));
    FAIL("row 37 was accepted");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("row 37") && Catch::Contains(bad_member ? "\"big\"" : "\"label\"") &&
                                          Catch::Contains("30 input rows committed"));
  }
  CHECK(db.count("m") == 30);
}
