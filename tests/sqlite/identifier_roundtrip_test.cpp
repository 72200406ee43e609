// Identifier quoting against a real SQLite file: hostile names, quoted by SqliteDialect, used in CREATE
// TABLE and read back with PRAGMA table_info and from sqlite_schema, are the original names.

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/sqlite.hpp>

#include "support/identifiers.hpp"
#include "support/sqlite.hpp"

namespace {

std::string sqlite_quoted(const std::string& name) { return bulkinsert::quote_identifier<bulkinsert::SqliteDialect>(name); }

}  // namespace

TEST_CASE("hostile names round trip through create table and the catalog", "[sqlite][dialect]") {
  test::SqliteDb db;
  // SQLite compares names ignoring ASCII case, and reserves names starting with sqlite_.
  auto names = test::hostile_names(20240601, 200, /*utf8=*/false, /*fold_ascii_case=*/true);
  std::erase_if(names, [](std::string n) {
    for (char& c : n) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    return n.rfind("sqlite_", 0) == 0;
  });
  names.push_back(std::string(300, 'L'));  // no length limit here

  SECTION("as column names") {
    std::string sql = "CREATE TABLE cols (";
    for (std::size_t i = 0; i < names.size(); ++i) sql += fmt::format("{}{} integer", i ? ", " : "", sqlite_quoted(names[i]));
    db.exec(sql + ")");
    SQLite::Statement q{db.db(), "SELECT name FROM pragma_table_info('cols') ORDER BY cid"};
    std::vector<std::string> got;
    while (q.executeStep()) got.push_back(q.getColumn(0).getString());
    REQUIRE(got.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      INFO("column " << i << ": " << sqlite_quoted(names[i]));
      CHECK(got[i] == names[i]);
    }

    bulkinsert::DynamicRow row;
    for (std::size_t i = 0; i < names.size(); ++i) row.emplace_back(static_cast<std::int64_t>(i));
    const bulkinsert::Table<bulkinsert::DynamicRow> table{"cols", names};
    CHECK(bulkinsert::BulkInserter{db.backend()}.insert(table, std::vector<bulkinsert::DynamicRow>{row}).rows == 1);
    CHECK(db.count("cols") == 1);
  }

  SECTION("as table names") {
    for (const auto& name : names) db.exec(fmt::format("CREATE TABLE {} (id integer)", sqlite_quoted(name)));
    SQLite::Statement q{db.db(), "SELECT name FROM sqlite_schema WHERE type = 'table'"};
    std::multiset<std::string> got;
    while (q.executeStep()) got.insert(q.getColumn(0).getString());
    CHECK(got == std::multiset<std::string>(names.begin(), names.end()));

    for (const auto& name : names) {
      INFO("table " << sqlite_quoted(name));
      SQLite::Statement cols{db.db(), "SELECT name FROM pragma_table_info(?)"};
      cols.bind(1, name);
      REQUIRE(cols.executeStep());
      CHECK(cols.getColumn(0).getString() == "id");
      const bulkinsert::Table<std::tuple<std::int64_t>> table{name, {"id"}};
      CHECK(bulkinsert::BulkInserter{db.backend()}.insert(table, std::vector{std::tuple<std::int64_t>{7}}).rows == 1);
    }
  }
}
