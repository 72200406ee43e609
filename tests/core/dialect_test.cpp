// Identifier quoting and placeholders of both dialects.

#include <catch2/catch.hpp>

#include <string>

#include <bulkinsert/dialect.hpp>
#include <bulkinsert/postgres/dialect.hpp>
#include <bulkinsert/sqlite/dialect.hpp>

using bulkinsert::PostgresDialect;
using bulkinsert::quote_identifier;
using bulkinsert::SqliteDialect;

TEMPLATE_TEST_CASE("dialect quotes identifiers", "[core][dialect]", PostgresDialect, SqliteDialect) {
  CHECK(quote_identifier<TestType>("users") == "\"users\"");
  CHECK(quote_identifier<TestType>("a\"b") == "\"a\"\"b\"");
  CHECK(quote_identifier<TestType>("\"") == "\"\"\"\"");
  CHECK(quote_identifier<TestType>("users; DROP TABLE x") == "\"users; DROP TABLE x\"");
  CHECK(quote_identifier<TestType>("users\"; DROP TABLE x; --") == "\"users\"\"; DROP TABLE x; --\"");
  CHECK(quote_identifier<TestType>("select") == "\"select\"");
  CHECK(quote_identifier<TestType>("Mixed Case") == "\"Mixed Case\"");
  CHECK(quote_identifier<TestType>("ユーザー") == "\"ユーザー\"");
  CHECK(quote_identifier<TestType>("it's") == "\"it's\"");
}

TEMPLATE_TEST_CASE("dialect refuses empty and NUL holding names", "[core][dialect]", PostgresDialect, SqliteDialect) {
  CHECK_THROWS_AS(quote_identifier<TestType>(""), bulkinsert::InputError);
  CHECK_THROWS_WITH(quote_identifier<TestType>(""), Catch::Contains("empty"));
  using namespace std::string_literals;
  CHECK_THROWS_AS(quote_identifier<TestType>("ab\0cd"s), bulkinsert::InputError);
  CHECK_THROWS_WITH(quote_identifier<TestType>("ab\0cd"s), Catch::Contains("NUL"));
  std::string out;
  CHECK_THROWS_WITH(TestType::quote(out, "", "column"), Catch::StartsWith("column name"));
}

TEST_CASE("postgres dialect refuses names longer than 63 bytes", "[core][dialect]") {
  const std::string n63(63, 'x');
  CHECK(quote_identifier<PostgresDialect>(n63) == "\"" + n63 + "\"");
  CHECK_THROWS_AS(quote_identifier<PostgresDialect>(std::string(64, 'x')), bulkinsert::InputError);
  CHECK_THROWS_WITH(quote_identifier<PostgresDialect>(std::string(64, 'x')), Catch::Contains("63"));
  // The limit is in bytes: 21 three-byte characters fit, 22 do not.
  std::string k21, k22;
  for (int i = 0; i < 21; ++i) k21 += "語";
  k22 = k21 + "語";
  CHECK(quote_identifier<PostgresDialect>(k21) == "\"" + k21 + "\"");
  CHECK_THROWS_AS(quote_identifier<PostgresDialect>(k22), bulkinsert::InputError);
  // Quotes count once, as the name the server stores.
  const std::string quotes(63, '"');
  CHECK(quote_identifier<PostgresDialect>(quotes).size() == 2 + 2 * 63);
}

TEST_CASE("sqlite dialect takes long names", "[core][dialect]") {
  const std::string n(300, 'y');
  CHECK(quote_identifier<SqliteDialect>(n) == "\"" + n + "\"");
}

TEST_CASE("dialect placeholders", "[core][dialect]") {
  std::string pg, lite;
  for (std::size_t n = 1; n <= 3; ++n) {
    PostgresDialect::placeholder(pg, n);
    SqliteDialect::placeholder(lite, n);
  }
  PostgresDialect::placeholder(pg, 65535);
  CHECK(pg == "$1$2$3$65535");
  CHECK(lite == "???");
  STATIC_REQUIRE(bulkinsert::dialect<PostgresDialect>);
  STATIC_REQUIRE(bulkinsert::dialect<SqliteDialect>);
  STATIC_REQUIRE_FALSE(bulkinsert::dialect<int>);
}
