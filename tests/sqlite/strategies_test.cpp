// Every built-in strategy on SQLite, for every row kind, on the article's roles/users schema,
// plus a user-defined strategy, the concepts that gate strategies, and choosing one by name.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <bulkinsert/sqlite.hpp>

#include "support/generated.hpp"
#include "support/schema.hpp"
#include "support/sqlite.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;

namespace {

template <class Kind, class Strategy>
void load_and_compare(std::size_t n, std::size_t chunk_rows) {
  test::SqliteDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};

  const auto roles = test::roles_as<Kind>();
  const auto role_report = inserter.insert(Kind::roles_table(), roles, test::with_chunk_rows<Strategy>(chunk_rows));
  CHECK(role_report.rows == test::role_count);

  const std::vector<test::User> expected = test::users(n);
  const auto rows = test::users_as<Kind>(expected);
  const auto report = inserter.insert(Kind::users_table(), rows, test::with_chunk_rows<Strategy>(chunk_rows));

  const std::size_t chunks = test::chunks_for(n, chunk_rows);
  CHECK(report.strategy == Strategy::name);
  CHECK(report.rows == n);
  CHECK(report.rows_committed == n);
  CHECK(report.chunks == chunks);
  CHECK(report.statements == test::expected_statements<Strategy>(n, chunks));

  const auto got = db.read_users();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < n; ++i) {
    INFO("row " << i);
    REQUIRE(got[i] == test::expected_read(expected[i]));
  }
  // NULL and the empty string stay apart.
  CHECK(db.count("users WHERE email IS NULL") == static_cast<std::int64_t>((n + 6) / 7));
  CHECK(db.count("users WHERE email = ''") > 0);
  CHECK(db.count("users WHERE typeof(created_at) <> 'text' AND created_at IS NOT NULL") == 0);
}

}  // namespace

TEMPLATE_TEST_CASE("strategy loads the roles and users schema", "[sqlite][strategy]", PerRow, MultiValues,
                   ExecuteMany) {
  // 1,000 rows in chunks of 300: three full chunks and a short last one (two statement shapes).
  SECTION("struct rows") { load_and_compare<test::StructRows, TestType>(1000, 300); }
  SECTION("tuple rows") { load_and_compare<test::TupleRows, TestType>(1000, 300); }
  SECTION("dynamic rows") { load_and_compare<test::DynamicRows, TestType>(1000, 300); }
}

TEMPLATE_TEST_CASE("strategy with default chunk sizes loads users", "[sqlite][strategy]", PerRow, MultiValues,
                   ExecuteMany) {
  test::SqliteDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), TestType{});
  const auto expected = test::users(2500);
  const auto report = inserter.insert(test::StructRows::users_table(), expected, TestType{});
  CHECK(report.rows == 2500);
  const auto got = db.read_users();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) REQUIRE(got[i] == test::expected_read(expected[i]));
}

TEMPLATE_TEST_CASE("strategy with empty input sends nothing", "[sqlite][strategy]", PerRow, MultiValues,
                   ExecuteMany) {
  test::SqliteDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  SECTION("struct rows") {
    const auto r = inserter.insert(test::StructRows::users_table(), std::vector<test::User>{}, TestType{});
    CHECK(r.rows == 0);
    CHECK(r.chunks == 0);
    CHECK(r.statements == 0);
    CHECK(r.rows_committed == 0);
  }
  SECTION("tuple rows") {
    const auto r = inserter.insert(test::TupleRows::users_table(), std::vector<test::UserTuple>{}, TestType{});
    CHECK(r.rows == 0);
    CHECK(r.statements == 0);
  }
  SECTION("dynamic rows") {
    const auto r =
        inserter.insert(test::DynamicRows::users_table(), std::vector<bulkinsert::DynamicRow>{}, TestType{});
    CHECK(r.rows == 0);
    CHECK(r.statements == 0);
  }
  CHECK(db.count("users") == 0);
}

TEMPLATE_TEST_CASE("strategy inserts one row", "[sqlite][strategy]", PerRow, MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), TestType{});
  const auto two = test::users(2);  // user 1 has every column set
  auto one_row = [&]<class Kind>(Kind) {
    const auto rows = test::users_as<Kind>({two[1]});
    const auto r = inserter.insert(Kind::users_table(), rows, TestType{});
    CHECK(r.rows == 1);
    CHECK(r.chunks == 1);
    CHECK(r.statements == 1);
  };
  SECTION("struct rows") { one_row(test::StructRows{}); }
  SECTION("tuple rows") { one_row(test::TupleRows{}); }
  SECTION("dynamic rows") { one_row(test::DynamicRows{}); }
  const auto got = db.read_users();
  REQUIRE(got.size() == 1);
  CHECK(got[0] == test::expected_read(two[1]));
}

TEMPLATE_TEST_CASE("strategy quotes names that need quoting", "[sqlite][strategy]", PerRow, MultiValues,
                   ExecuteMany) {
  test::SqliteDb db;
  db.exec(R"(CREATE TABLE "We""ird; DROP TABLE x" ("select" INTEGER, "Mixed Case" TEXT, "naïve" TEXT))");
  using Row = std::tuple<std::int64_t, std::string, std::string>;
  const std::vector<Row> rows{{1, "a", "b"}, {2, "c", "d"}};
  const bulkinsert::Table<Row> table{"We\"ird; DROP TABLE x", {"select", "Mixed Case", "naïve"}};
  CHECK(BulkInserter{db.backend()}.insert(table, rows, TestType{}).rows == 2);
  CHECK(db.db().execAndGet(R"(SELECT group_concat("select" || "Mixed Case" || "naïve", ',') FROM "We""ird; DROP TABLE x")")
            .getString() == "1ab,2cd");
}

TEMPLATE_TEST_CASE("strategy reads rows from a single pass input range", "[sqlite][strategy]", PerRow,
                   MultiValues, ExecuteMany) {
  // A view yielding temporaries: the inserter must buffer one chunk at a time.
  test::SqliteDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), TestType{});
  auto rows = test::generated(std::size_t{777}, [](std::size_t i) { return test::user(i); });
  const auto r = inserter.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<TestType>(100));
  CHECK(r.rows == 777);
  CHECK(r.chunks == 8);
  const auto got = db.read_users();
  REQUIRE(got.size() == 777);
  for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == test::expected_read(test::user(i)));
}

TEST_CASE("a user defined strategy runs on sqlite", "[sqlite][strategy]") {
  STATIC_REQUIRE(bulkinsert::strategy_for<test::LoggingMultiValues, bulkinsert::SqliteBackend>);
  test::SqliteDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  std::vector<std::size_t> log;
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), test::LoggingMultiValues{.rows = 7, .log = &log});
  CHECK(log == std::vector<std::size_t>{5});
  log.clear();
  const auto expected = test::users(30);
  const auto r = inserter.insert(test::StructRows::users_table(), expected, test::LoggingMultiValues{.rows = 7, .log = &log});
  CHECK(r.strategy == "logging_multi_values");
  CHECK(r.rows == 30);
  CHECK(r.chunks == 5);
  CHECK(r.statements == 5);
  CHECK(log == std::vector<std::size_t>{7, 7, 7, 7, 2});
  const auto got = db.read_users();
  REQUIRE(got.size() == 30);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == test::expected_read(expected[i]));
}

TEST_CASE("strategy concepts for sqlite", "[sqlite][concepts]") {
  STATIC_REQUIRE(bulkinsert::backend<bulkinsert::SqliteBackend>);
  STATIC_REQUIRE_FALSE(bulkinsert::copy_capable<bulkinsert::SqliteBackend>);
  STATIC_REQUIRE(bulkinsert::strategy_for<PerRow, bulkinsert::SqliteBackend>);
  STATIC_REQUIRE(bulkinsert::strategy_for<MultiValues, bulkinsert::SqliteBackend>);
  STATIC_REQUIRE(bulkinsert::strategy_for<ExecuteMany, bulkinsert::SqliteBackend>);
  STATIC_REQUIRE_FALSE(bulkinsert::strategy_for<bulkinsert::Copy, bulkinsert::SqliteBackend>);
  STATIC_REQUIRE_FALSE(bulkinsert::strategy_for<test::CopyOnly, bulkinsert::SqliteBackend>);
  STATIC_REQUIRE(std::is_same_v<bulkinsert::SqliteBackend::default_strategy, MultiValues>);
  CHECK(bulkinsert::available_strategies<bulkinsert::SqliteBackend>() == "per_row, multi_values, execute_many");
}

TEST_CASE("strategy chosen by name on sqlite", "[sqlite][strategy]") {
  test::SqliteDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  const auto table = test::StructRows::roles_table();
  const auto rows = test::roles();

  SECTION("copy is refused and the message lists what sqlite has") {
    try {
      (void)inserter.insert(table, rows, std::string_view{"copy"});
      FAIL("copy was accepted on sqlite");
    } catch (const bulkinsert::UnsupportedStrategy& e) {
      const std::string what = e.what();
      CHECK_THAT(what, Catch::Contains("\"copy\""));
      CHECK_THAT(what, Catch::Contains("per_row, multi_values, execute_many"));
    }
    CHECK(db.count("roles") == 0);
  }
  SECTION("an unknown name is refused") {
    try {
      (void)inserter.insert(table, rows, std::string_view{"bulk_magic"});
      FAIL("an unknown strategy was accepted");
    } catch (const bulkinsert::UnsupportedStrategy& e) {
      CHECK_THAT(std::string{e.what()}, Catch::Contains("bulk_magic"));
      CHECK_THAT(std::string{e.what()}, Catch::Contains("per_row, multi_values, execute_many"));
    }
    CHECK(db.count("roles") == 0);
  }
  SECTION("every available name works") {
    std::int64_t id = 0;
    for (const std::string_view name : {"per_row", "multi_values", "execute_many"}) {
      std::vector<test::Role> batch{{++id, std::string{name}}};
      const auto r = inserter.insert(table, batch, name);
      CHECK(r.strategy == name);
      CHECK(r.rows == 1);
    }
    CHECK(db.count("roles") == 3);
  }
  SECTION("the default strategy is multi_values") {
    const auto r = inserter.insert(table, rows);
    CHECK(r.strategy == "multi_values");
    CHECK(db.count("roles") == static_cast<std::int64_t>(test::role_count));
  }
}

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
