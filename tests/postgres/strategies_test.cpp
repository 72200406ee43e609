// Every built-in strategy on PostgreSQL, for every row kind, on the article's roles/users schema,
// plus a user-defined strategy, the concepts that gate strategies, and choosing one by name.
//
// per_row sends one statement per row and waits for each (~6,000 rows/s here), so its tests use
// 1,000-row loads; the other strategies could take far more but gain no coverage from it.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/generated.hpp"
#include "support/postgres.hpp"
#include "support/schema.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;
using bulkinsert::PostgresBackend;

namespace {

template <class Kind, class Strategy>
void load_and_compare(std::size_t n, std::size_t chunk_rows) {
  test::PgDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};

  const auto roles = test::roles_as<Kind>();
  CHECK(inserter.insert(Kind::roles_table(), roles, test::with_chunk_rows<Strategy>(chunk_rows)).rows ==
        test::role_count);

  const std::vector<test::User> expected = test::users(n);
  const auto rows = test::users_as<Kind>(expected);
  const auto report = inserter.insert(Kind::users_table(), rows, test::with_chunk_rows<Strategy>(chunk_rows));

  const std::size_t chunks = test::chunks_for(n, chunk_rows);
  CHECK(report.strategy == Strategy::name);
  CHECK(report.rows == n);
  CHECK(report.rows_committed == n);
  CHECK(report.chunks == chunks);
  CHECK(report.statements == test::expected_statements<Strategy>(n, chunks));
  CHECK(report.bytes > 0);

  const auto got = db.read_users();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < n; ++i) {
    INFO("row " << i);
    REQUIRE(got[i] == test::expected_read(expected[i]));
  }
  // The instants themselves, not only their text.
  const auto us = db.read_created_at_us();
  for (std::size_t i = 0; i < n; ++i) {
    INFO("row " << i);
    if (expected[i].created_at) REQUIRE(us[i] == expected[i].created_at->time_since_epoch().count());
    else REQUIRE_FALSE(us[i].has_value());
  }
  CHECK(db.count("users WHERE email IS NULL") == static_cast<std::int64_t>((n + 6) / 7));
  CHECK(db.count("users WHERE email = ''") > 0);
}

}  // namespace

TEMPLATE_TEST_CASE("strategy loads the roles and users schema", "[postgres][strategy]", PerRow, MultiValues,
                   ExecuteMany, Copy) {
  // 1,000 rows in chunks of 300: three full chunks and a short last one (two statement shapes).
  SECTION("struct rows") { load_and_compare<test::StructRows, TestType>(1000, 300); }
  SECTION("tuple rows") { load_and_compare<test::TupleRows, TestType>(1000, 300); }
  SECTION("dynamic rows") { load_and_compare<test::DynamicRows, TestType>(1000, 300); }
}

TEMPLATE_TEST_CASE("strategy with empty input sends nothing", "[postgres][strategy]", PerRow, MultiValues,
                   ExecuteMany, Copy) {
  test::PgDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  SECTION("struct rows") {
    const auto r = inserter.insert(test::StructRows::users_table(), std::vector<test::User>{}, TestType{});
    CHECK(r.rows == 0);
    CHECK(r.chunks == 0);
    CHECK(r.statements == 0);
    CHECK(r.bytes == 0);
  }
  SECTION("tuple rows") {
    CHECK(inserter.insert(test::TupleRows::users_table(), std::vector<test::UserTuple>{}, TestType{}).statements == 0);
  }
  SECTION("dynamic rows") {
    CHECK(inserter.insert(test::DynamicRows::users_table(), std::vector<bulkinsert::DynamicRow>{}, TestType{})
              .statements == 0);
  }
  CHECK(db.count("users") == 0);
}

TEMPLATE_TEST_CASE("strategy inserts one row", "[postgres][strategy]", PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
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

TEMPLATE_TEST_CASE("strategy quotes names that need quoting", "[postgres][strategy]", PerRow, MultiValues,
                   ExecuteMany, Copy) {
  test::PgDb db;
  db.exec(R"(CREATE TABLE "We""ird; DROP TABLE x" ("select" bigint, "Mixed Case" text, "naïve" text))");
  using Row = std::tuple<std::int64_t, std::string, std::string>;
  const std::vector<Row> rows{{1, "a", "b"}, {2, "c", "d"}};
  const bulkinsert::Table<Row> table{"We\"ird; DROP TABLE x", {"select", "Mixed Case", "naïve"}};
  CHECK(BulkInserter{db.backend()}.insert(table, rows, TestType{}).rows == 2);
  CHECK(std::string{db.query(R"(SELECT string_agg("select" || "Mixed Case" || "naïve", ',' ORDER BY "select") )"
                             R"(FROM "We""ird; DROP TABLE x")")[0][0].c_str()} == "1ab,2cd");
}

TEMPLATE_TEST_CASE("strategy reads rows from a single pass input range", "[postgres][strategy]", PerRow,
                   MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), TestType{});
  auto rows = test::generated(std::size_t{333}, [](std::size_t i) { return test::user(i); });
  const auto r = inserter.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<TestType>(100));
  CHECK(r.rows == 333);
  CHECK(r.chunks == 4);
  const auto got = db.read_users();
  REQUIRE(got.size() == 333);
  for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == test::expected_read(test::user(i)));
}

TEST_CASE("a user defined strategy runs on postgres", "[postgres][strategy]") {
  STATIC_REQUIRE(bulkinsert::strategy_for<test::LoggingMultiValues, PostgresBackend>);
  test::PgDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  std::vector<std::size_t> log;
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), test::LoggingMultiValues{.rows = 7, .log = &log});
  CHECK(log == std::vector<std::size_t>{5});
  log.clear();
  const auto expected = test::users(30);
  const auto r = inserter.insert(test::StructRows::users_table(), expected, test::LoggingMultiValues{.rows = 7, .log = &log});
  CHECK(r.strategy == "logging_multi_values");
  CHECK(r.chunks == 5);
  CHECK(r.statements == 5);
  CHECK(log == std::vector<std::size_t>{7, 7, 7, 7, 2});
  const auto got = db.read_users();
  REQUIRE(got.size() == 30);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == test::expected_read(expected[i]));
}

TEST_CASE("a user defined copy strategy runs on postgres", "[postgres][strategy]") {
  STATIC_REQUIRE(bulkinsert::strategy_for<test::CopyOnly, PostgresBackend>);
  test::PgDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), test::CopyOnly{});
  const auto r = inserter.insert(test::StructRows::users_table(), test::users(250), test::CopyOnly{});
  CHECK(r.strategy == "copy_only");
  CHECK(r.chunks == 3);
  CHECK(r.statements == 3);
  CHECK(db.count("users") == 250);
}

TEST_CASE("strategy concepts for postgres", "[postgres][concepts]") {
  STATIC_REQUIRE(bulkinsert::backend<PostgresBackend>);
  STATIC_REQUIRE(bulkinsert::copy_capable<PostgresBackend>);
  STATIC_REQUIRE(bulkinsert::strategy_for<PerRow, PostgresBackend>);
  STATIC_REQUIRE(bulkinsert::strategy_for<MultiValues, PostgresBackend>);
  STATIC_REQUIRE(bulkinsert::strategy_for<ExecuteMany, PostgresBackend>);
  STATIC_REQUIRE(bulkinsert::strategy_for<Copy, PostgresBackend>);
  STATIC_REQUIRE_FALSE(bulkinsert::strategy_for<int, PostgresBackend>);
  STATIC_REQUIRE(std::is_same_v<PostgresBackend::default_strategy, Copy>);
  CHECK(bulkinsert::available_strategies<PostgresBackend>() == "per_row, multi_values, execute_many, copy");
}

TEST_CASE("strategy chosen by name on postgres", "[postgres][strategy]") {
  test::PgDb db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  const auto table = test::StructRows::roles_table();

  SECTION("every built in name works") {
    std::int64_t id = 0;
    for (const std::string_view name : {"per_row", "multi_values", "execute_many", "copy"}) {
      const std::vector<test::Role> batch{{++id, std::string{name}}};
      const auto r = inserter.insert(table, batch, name);
      CHECK(r.strategy == name);
      CHECK(r.rows == 1);
    }
    CHECK(db.count("roles") == 4);
  }
  SECTION("an unknown name is refused and lists what postgres has") {
    try {
      (void)inserter.insert(table, test::roles(), std::string_view{"COPY"});
      FAIL("an unknown strategy was accepted");
    } catch (const bulkinsert::UnsupportedStrategy& e) {
      CHECK_THAT(std::string{e.what()}, Catch::Contains("\"COPY\"") &&
                                            Catch::Contains("per_row, multi_values, execute_many, copy"));
    }
    CHECK(db.count("roles") == 0);
  }
  SECTION("the default strategy is copy") {
    const auto r = inserter.insert(table, test::roles());
    CHECK(r.strategy == "copy");
    CHECK(db.count("roles") == static_cast<std::int64_t>(test::role_count));
  }
}

TEST_CASE("a schema qualified table through an owned connection", "[postgres][backend]") {
  test::PgDb db;
  db.exec("CREATE SCHEMA \"" + db.schema() + "_other\"");
  db.exec("CREATE TABLE \"" + db.schema() + "_other\".roles (id integer PRIMARY KEY, name varchar(50) UNIQUE)");
  {
    // Connects without the per-test search_path: only the schema named in the Table finds the table.
    PostgresBackend backend{test::pg_conninfo()};
    BulkInserter inserter{backend};
    const auto table = test::StructRows::roles_table().schema(db.schema() + "_other");
    for (const std::string_view name : {"per_row", "multi_values", "execute_many", "copy"}) {
      db.exec("TRUNCATE \"" + db.schema() + "_other\".roles");
      INFO(name);
      CHECK(inserter.insert(table, test::roles(), name).rows == test::role_count);
      CHECK(db.count("\"" + db.schema() + "_other\".roles") == static_cast<std::int64_t>(test::role_count));
    }
  }
  db.exec("DROP SCHEMA \"" + db.schema() + "_other\" CASCADE");
}

TEST_CASE("a borrowed libpqxx connection", "[postgres][backend]") {
  test::PgDb db;
  db.create_roles_users();
  pqxx::connection conn{db.conninfo()};
  {
    PostgresBackend backend{conn};
    CHECK(&backend.connection() == &conn);
    CHECK(BulkInserter{backend}.insert(test::StructRows::roles_table(), test::roles()).rows == test::role_count);
  }
  // The caller's connection is still usable, with no transaction left open.
  pqxx::work w{conn};
  CHECK(w.exec("SELECT count(*) FROM roles")[0][0].as<int>() == 5);
  w.commit();
}

TEST_CASE("postgres limits", "[postgres][limits]") {
  test::PgDb db;
  CHECK(db.backend().limits() == bulkinsert::Limits{65535, 0});
}

TEST_CASE("a server that cannot be reached is a DatabaseError", "[postgres][backend]") {
  try {
    PostgresBackend backend{"host=/nonexistent-bulkinsert-socket-dir port=1 dbname=x connect_timeout=2"};
    FAIL("connected to a server that does not exist");
  } catch (const bulkinsert::DatabaseError& e) {
    CHECK(e.code() == "08006");
  }
}

TEST_CASE("a missing connection string fails the test instead of skipping it", "[postgres][fixture]") {
  const std::string saved = test::pg_conninfo();  // the fixture's, which the other tests use
  ::unsetenv("BULKINSERT_TEST_PG");
  CHECK_THROWS_WITH(test::pg_conninfo(), Catch::Contains("BULKINSERT_TEST_PG is not set"));
  CHECK_THROWS(test::PgDb{});
  ::setenv("BULKINSERT_TEST_PG", saved.c_str(), 1);
  CHECK(test::pg_conninfo() == saved);
}
