// Identifier quoting against the real server: hostile names, quoted by PostgresDialect, used in CREATE
// TABLE and read back from the catalog, are the original names; COPY through those names works.

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/postgres.hpp>

#include "support/identifiers.hpp"
#include "support/postgres.hpp"

namespace {

std::string pg_quoted(const std::string& name) { return bulkinsert::quote_identifier<bulkinsert::PostgresDialect>(name); }

}  // namespace

TEST_CASE("hostile names round trip through create table and the catalog", "[postgres][dialect]") {
  test::PgDb db;
  const auto names = test::hostile_names(20240601, 200, /*utf8=*/true, /*fold_ascii_case=*/false);

  SECTION("as column names") {
    std::string sql = "CREATE TABLE cols (";
    for (std::size_t i = 0; i < names.size(); ++i) sql += fmt::format("{}{} integer", i ? ", " : "", pg_quoted(names[i]));
    db.exec(sql + ")");
    const pqxx::result r = db.query(fmt::format(
        "SELECT attname FROM pg_attribute WHERE attrelid = '\"{}\".cols'::regclass AND attnum > 0 ORDER BY attnum",
        db.schema()));
    REQUIRE(r.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      INFO("column " << i << ": " << pg_quoted(names[i]));
      CHECK(std::string{r[static_cast<int>(i)][0].c_str()} == names[i]);
    }

    // The library quotes them too: a COPY naming every column.
    bulkinsert::DynamicRow row;
    for (std::size_t i = 0; i < names.size(); ++i) row.emplace_back(static_cast<std::int64_t>(i));
    const bulkinsert::Table<bulkinsert::DynamicRow> table{"cols", names};
    CHECK(bulkinsert::BulkInserter{db.backend()}.insert(table, std::vector<bulkinsert::DynamicRow>{row}, bulkinsert::Copy{}).rows == 1);
    CHECK(db.count("cols") == 1);
  }

  SECTION("as table names") {
    for (const auto& name : names) db.exec(fmt::format("CREATE TABLE {} (id integer)", pg_quoted(name)));
    const pqxx::result r = db.query(fmt::format(
        "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = '{}' AND c.relkind = 'r'",
        db.schema()));
    std::multiset<std::string> got;
    for (const auto& row : r) got.emplace(row[0].c_str());
    CHECK(got == std::multiset<std::string>(names.begin(), names.end()));

    for (const auto& name : names) {
      INFO("table " << pg_quoted(name));
      const bulkinsert::Table<std::tuple<std::int64_t>> table{name, {"id"}};
      CHECK(bulkinsert::BulkInserter{db.backend()}.insert(table, std::vector{std::tuple<std::int64_t>{7}}).rows == 1);
    }
  }
}

TEST_CASE("names postgres would truncate or cannot hold are refused", "[postgres][dialect]") {
  CHECK_THROWS_AS(pg_quoted(std::string(64, 'n')), bulkinsert::InputError);
  CHECK_THROWS_AS(pg_quoted(""), bulkinsert::InputError);
  CHECK_THROWS_AS(pg_quoted(std::string{"a\0b", 3}), bulkinsert::InputError);
  CHECK_NOTHROW(pg_quoted(std::string(63, 'n')));
}
