// Identifier quoting against every backend's catalog: hostile names, quoted by the backend's dialect,
// used in CREATE TABLE and read back from the catalog, are the original names; the library's own
// statements through those names work.

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "support/backends.hpp"
#include "support/identifiers.hpp"

namespace {

/// The hostile names this backend's catalog can hold, with its longest one.
template <class Fixture>
std::vector<std::string> names_for() {
  constexpr test::Identifiers rules = Fixture::identifiers;
  auto names = test::hostile_names(20240601, 200, rules.utf8_only, rules.fold_ascii_case);
  const std::string reserved = rules.reserved_prefix;
  std::erase_if(names, [&](std::string n) {
    for (char& c : n) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    return (!reserved.empty() && n.rfind(reserved, 0) == 0) || (!rules.trailing_space && (n.back() == ' ' || (n.back() >= '\t' && n.back() <= '\r'))) ||
           (!rules.beyond_bmp && std::any_of(n.begin(), n.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xF8) == 0xF0; }));
  });
  if (rules.max_bytes == 0) names.push_back(std::string(300, 'L'));  // no length limit here
  return names;
}

}  // namespace

CONFORMANCE_TEST_CASE("hostile names round trip through create table and the catalog", "[dialect]") {
  TestType db;
  const auto names = names_for<TestType>();
  auto q = [](const std::string& name) { return test::quoted<TestType>(name); };

  SECTION("as column names") {
    std::string sql = "CREATE TABLE cols (";
    for (std::size_t i = 0; i < names.size(); ++i) sql += fmt::format("{}{} integer", i ? ", " : "", q(names[i]));
    db.exec(sql + ")");
    const auto got = db.column_names("cols");
    REQUIRE(got.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      INFO("column " << i << ": " << q(names[i]));
      CHECK(got[i] == names[i]);
    }

    // The library quotes them too: an INSERT (a COPY where that is the default) naming every column.
    bulkinsert::DynamicRow row;
    for (std::size_t i = 0; i < names.size(); ++i) row.emplace_back(static_cast<std::int64_t>(i));
    const bulkinsert::Table<bulkinsert::DynamicRow> table{"cols", names};
    CHECK(bulkinsert::BulkInserter{db.backend()}.insert(table, std::vector<bulkinsert::DynamicRow>{row}).rows == 1);
    CHECK(db.count("cols") == 1);
  }

  SECTION("as table names") {
    // A name the dialect refuses as a table's (MariaDB: a file named after it would pass 255 bytes) is
    // refused before anything is sent, never altered; most names are not.
    std::vector<std::string> tables;
    for (const auto& name : names) {
      std::string out;
      try {
        TestType::backend_type::dialect_type::quote(out, name, "table");
        tables.push_back(name);
      } catch (const bulkinsert::InputError&) {
      }
    }
    CHECK(tables.size() * 4 >= names.size() * 3);
    for (const auto& name : tables) db.exec(fmt::format("CREATE TABLE {} (id integer)", q(name)));
    CHECK(db.table_names() == std::multiset<std::string>(tables.begin(), tables.end()));

    for (const auto& name : tables) {
      INFO("table " << q(name));
      CHECK(db.column_names(name) == std::vector<std::string>{"id"});
      const bulkinsert::Table<std::tuple<std::int64_t>> table{name, {"id"}};
      CHECK(bulkinsert::BulkInserter{db.backend()}.insert(table, std::vector{std::tuple<std::int64_t>{7}}).rows == 1);
    }
  }
}
