// detail/sql_builder.hpp: the INSERT text both dialects send, and the name checks before it.

#include <catch2/catch.hpp>

#include <string>

#include <bulkinsert/detail/sql_builder.hpp>
#include <bulkinsert/postgres/dialect.hpp>
#include <bulkinsert/sqlite/dialect.hpp>

using bulkinsert::PostgresDialect;
using bulkinsert::SqliteDialect;
using bulkinsert::TableSpec;
using bulkinsert::detail::check_names;
using bulkinsert::detail::insert_values_sql;

TEST_CASE("insert values sql for postgres", "[core][sql_builder]") {
  const TableSpec t{"", "users", {"id", "name"}};
  CHECK(insert_values_sql<PostgresDialect>(t, 1) == R"(INSERT INTO "users" ("id", "name") VALUES ($1, $2))");
  CHECK(insert_values_sql<PostgresDialect>(t, 3) ==
        R"(INSERT INTO "users" ("id", "name") VALUES ($1, $2), ($3, $4), ($5, $6))");
  const TableSpec s{"app", "we\"ird", {"select"}};
  CHECK(insert_values_sql<PostgresDialect>(s, 2) == R"(INSERT INTO "app"."we""ird" ("select") VALUES ($1), ($2))");
}

TEST_CASE("insert values sql for sqlite", "[core][sql_builder]") {
  const TableSpec t{"", "users", {"id", "name", "email"}};
  CHECK(insert_values_sql<SqliteDialect>(t, 1) == R"(INSERT INTO "users" ("id", "name", "email") VALUES (?, ?, ?))");
  CHECK(insert_values_sql<SqliteDialect>(t, 2) ==
        R"(INSERT INTO "users" ("id", "name", "email") VALUES (?, ?, ?), (?, ?, ?))");
  const TableSpec s{"aux", "t", {"a"}};
  CHECK(insert_values_sql<SqliteDialect>(s, 1) == R"(INSERT INTO "aux"."t" ("a") VALUES (?))");
}

TEST_CASE("insert values sql numbers postgres placeholders up to the limit", "[core][sql_builder]") {
  const TableSpec t{"", "five", {"a", "b", "c", "d", "e"}};
  const std::string sql = insert_values_sql<PostgresDialect>(t, 13107);
  CHECK_THAT(sql, Catch::EndsWith("($65531, $65532, $65533, $65534, $65535)"));
  CHECK(sql.find("$65536") == std::string::npos);
}

TEMPLATE_TEST_CASE("check names refuses what cannot be sent", "[core][sql_builder]", PostgresDialect, SqliteDialect) {
  CHECK_NOTHROW(check_names<TestType>(TableSpec{"", "t", {"a", "b"}}));
  CHECK_THROWS_WITH(check_names<TestType>(TableSpec{"", "t", {}}), Catch::Contains("no columns"));
  CHECK_THROWS_WITH(check_names<TestType>(TableSpec{"", "t", {"a", "b", "a"}}),
                    Catch::Contains("\"a\" is listed twice"));
  CHECK_THROWS_WITH(check_names<TestType>(TableSpec{"", "", {"a"}}), Catch::Contains("table name is empty"));
  CHECK_THROWS_WITH(check_names<TestType>(TableSpec{"", "t", {"a", ""}}), Catch::Contains("column name is empty"));
  using namespace std::string_literals;
  CHECK_THROWS_AS(check_names<TestType>(TableSpec{"s\0x"s, "t", {"a"}}), bulkinsert::InputError);
}

TEST_CASE("check names applies the postgres length limit to every name", "[core][sql_builder]") {
  const std::string long_name(64, 'n');
  CHECK_THROWS_WITH(check_names<PostgresDialect>(TableSpec{long_name, "t", {"a"}}), Catch::StartsWith("schema name"));
  CHECK_THROWS_WITH(check_names<PostgresDialect>(TableSpec{"", long_name, {"a"}}), Catch::StartsWith("table name"));
  CHECK_THROWS_WITH(check_names<PostgresDialect>(TableSpec{"", "t", {long_name}}), Catch::StartsWith("column name"));
  CHECK_NOTHROW(check_names<SqliteDialect>(TableSpec{long_name, long_name, {long_name}}));
}
