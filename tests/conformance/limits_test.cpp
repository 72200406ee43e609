// The parameter limit read from the live connection: a multi-row INSERT fills it exactly, the inserter
// never builds the statement that would pass it, and a larger hint is cut to it.

#include <catch2/catch.hpp>

#include <tuple>
#include <vector>

#include "support/backends.hpp"
#include "support/five_columns.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::MultiValues;

using test::rows5;
using test::table5;

namespace {

template <class Fixture>
void create_five(Fixture& db) {
  test::create_five(db, Fixture::types.bigint);
}

}  // namespace

CONFORMANCE_TEST_CASE("multi values fills a statement with exactly the parameter limit", "[limits]") {
  TestType db;
  create_five(db);
  const std::size_t max_params = db.backend().limits().max_params;
  // As many rows as fit: exactly the limit for PostgreSQL's 65,535 and Debian SQLite's 250,000.
  const std::size_t at = max_params / 5;
  BulkInserter inserter{db.backend()};

  const auto at_limit = inserter.insert(table5(), rows5(at), MultiValues{.rows_per_statement = 0});
  CHECK(at_limit.statements == 1);
  CHECK(at_limit.chunks == 1);
  CHECK(db.count("five") == static_cast<std::int64_t>(at));

  // One row more would pass the limit: two statements instead.
  const auto past_limit = inserter.insert(table5(), rows5(at + 1), MultiValues{.rows_per_statement = 0});
  CHECK(past_limit.statements == 2);
  CHECK(past_limit.chunks == 2);
  CHECK(db.count("five") == static_cast<std::int64_t>(2 * at + 1));
  CHECK(db.scalar("SELECT sum(a) + sum(b) FROM five") == 0);
}

CONFORMANCE_TEST_CASE("a one column table splits one row past the parameter limit", "[limits]") {
  TestType db;
  db.exec(fmt::format("CREATE TABLE one (a {})", TestType::types.bigint));
  const std::size_t max_params = db.backend().limits().max_params;
  const bulkinsert::Table<std::tuple<std::int64_t>> table{"one", {"a"}};
  std::vector<std::tuple<std::int64_t>> rows;
  for (std::size_t i = 0; i <= max_params; ++i) rows.emplace_back(static_cast<std::int64_t>(i));
  BulkInserter inserter{db.backend()};

  const std::vector<std::tuple<std::int64_t>> first(rows.begin(), rows.end() - 1);
  CHECK(inserter.insert(table, first, MultiValues{.rows_per_statement = 0}).statements == 1);  // max_params parameters
  db.exec("DELETE FROM one");
  const auto r = inserter.insert(table, rows, MultiValues{.rows_per_statement = 0});  // one more would not fit
  CHECK(r.statements == 2);
  CHECK(db.count("one") == static_cast<std::int64_t>(max_params + 1));
  const auto n = static_cast<std::int64_t>(max_params);
  CHECK(db.scalar("SELECT sum(a) FROM one") == n * (n + 1) / 2);
}

CONFORMANCE_TEST_CASE("a hint above the parameter limit is cut to it", "[limits]") {
  TestType db;
  create_five(db);
  const std::size_t per_statement = db.backend().limits().max_params / 5;
  const std::size_t n = per_statement + per_statement / 2;
  const auto r = BulkInserter{db.backend()}.insert(table5(), rows5(n), MultiValues{.rows_per_statement = 10 * per_statement});
  CHECK(r.statements == 2);
  CHECK(db.count("five") == static_cast<std::int64_t>(n));
}
