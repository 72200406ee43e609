// The 65,535-parameter limit of PostgreSQL's Bind message: a statement fills it exactly, and the
// inserter never builds the one that would pass it.

#include <catch2/catch.hpp>

#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/postgres.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::MultiValues;

namespace {
using Row5 = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t>;
std::vector<Row5> rows5(std::size_t n) {
  std::vector<Row5> out;
  for (std::size_t i = 0; i < n; ++i) {
    const auto v = static_cast<std::int64_t>(i);
    out.emplace_back(v, -v, v, -v, v);
  }
  return out;
}
}  // namespace

TEST_CASE("multi values fills a statement with exactly 65535 parameters", "[postgres][limits]") {
  test::PgDb db;
  db.exec("CREATE TABLE five (a bigint, b bigint, c bigint, d bigint, e bigint)");
  const bulkinsert::Table<Row5> table{"five", {"a", "b", "c", "d", "e"}};
  BulkInserter inserter{db.backend()};

  // 13,107 rows x 5 columns = 65,535 parameters: one statement.
  const auto at_limit = inserter.insert(table, rows5(13'107), MultiValues{.rows_per_statement = 0});
  CHECK(at_limit.statements == 1);
  CHECK(at_limit.chunks == 1);
  CHECK(db.count("five") == 13'107);

  // One row more would be 65,540 parameters: two statements instead.
  const auto past_limit = inserter.insert(table, rows5(13'108), MultiValues{.rows_per_statement = 0});
  CHECK(past_limit.statements == 2);
  CHECK(past_limit.chunks == 2);
  CHECK(db.count("five") == 13'107 + 13'108);
  CHECK(db.query("SELECT sum(a) + sum(b) FROM five")[0][0].as<std::int64_t>() == 0);
}

TEST_CASE("a one column table splits at 65536 rows", "[postgres][limits]") {
  test::PgDb db;
  db.exec("CREATE TABLE one (a bigint)");
  const bulkinsert::Table<std::tuple<std::int64_t>> table{"one", {"a"}};
  std::vector<std::tuple<std::int64_t>> rows;
  for (std::int64_t i = 0; i < 65'536; ++i) rows.emplace_back(i);
  BulkInserter inserter{db.backend()};

  const std::vector<std::tuple<std::int64_t>> first(rows.begin(), rows.begin() + 65'535);
  CHECK(inserter.insert(table, first, MultiValues{.rows_per_statement = 0}).statements == 1);  // 65,535 parameters
  db.exec("TRUNCATE one");
  const auto r = inserter.insert(table, rows, MultiValues{.rows_per_statement = 0});  // 65,536 would not fit
  CHECK(r.statements == 2);
  CHECK(db.count("one") == 65'536);
  CHECK(db.query("SELECT sum(a) FROM one")[0][0].as<std::int64_t>() == 65'535LL * 65'536 / 2);
}

TEST_CASE("a hint above the postgres limit is cut to it", "[postgres][limits]") {
  test::PgDb db;
  db.exec("CREATE TABLE five (a bigint, b bigint, c bigint, d bigint, e bigint)");
  const bulkinsert::Table<Row5> table{"five", {"a", "b", "c", "d", "e"}};
  const auto r = BulkInserter{db.backend()}.insert(table, rows5(20'000), MultiValues{.rows_per_statement = 100'000});
  CHECK(r.statements == 2);
  CHECK(db.count("five") == 20'000);
}
