// The names PostgreSQL cannot hold as they are (longer than 63 bytes, empty, with a NUL byte) are
// refused by PostgresDialect. Hostile names through CREATE TABLE and the catalog, on every backend,
// are in conformance/identifier_roundtrip_test.cpp.

#include <catch2/catch.hpp>

#include <string>

#include <bulkinsert/postgres.hpp>

namespace {

std::string pg_quoted(const std::string& name) { return bulkinsert::quote_identifier<bulkinsert::PostgresDialect>(name); }

}  // namespace

TEST_CASE("names postgres would truncate or cannot hold are refused", "[postgres][dialect]") {
  CHECK_THROWS_AS(pg_quoted(std::string(64, 'n')), bulkinsert::InputError);
  CHECK_THROWS_AS(pg_quoted(""), bulkinsert::InputError);
  CHECK_THROWS_AS(pg_quoted(std::string{"a\0b", 3}), bulkinsert::InputError);
  CHECK_NOTHROW(pg_quoted(std::string(63, 'n')));
}
