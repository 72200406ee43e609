// Values every backend must refuse the same way: a time point finer than a microsecond, and a dynamic
// row of the wrong width, each named by row (and column) before anything is kept. Every kind of value
// read back value by value, which each backend stores in its own way, is in tests/<backend>/values_test.cpp.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "support/backends.hpp"

using bulkinsert::BulkInserter;

CONFORMANCE_STRATEGY_TEST_CASE("a time point with sub microsecond digits is refused naming row and column", "[values]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  F db;
  db.exec(fmt::format("CREATE TABLE e (id {}, at {})", F::types.bigint, F::types.timestamp));
  using Nanos = std::chrono::sys_time<std::chrono::nanoseconds>;
  struct Event {
    std::int64_t id;
    Nanos at;
  };
  std::vector<Event> rows;
  for (std::int64_t i = 0; i < 20; ++i)
    rows.push_back({i, Nanos{std::chrono::nanoseconds{1'700'000'000'000'000'000LL + (i == 12 ? 1 : 0)}}});
  const auto table = bulkinsert::Table<Event>{"e"}.column("id", &Event::id).column("at", &Event::at);
  try {
    (void)BulkInserter{db.backend()}.insert(table, rows, S{});
    FAIL("a nanosecond time point was accepted");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("row 12") && Catch::Contains("column \"at\""));
  }
  CHECK(db.count("e") == 0);

  rows[12].at = std::chrono::floor<std::chrono::microseconds>(rows[12].at);
  CHECK(BulkInserter{db.backend()}.insert(table, rows, S{}).rows == 20);
  CHECK(db.rows(fmt::format("SELECT {} FROM e WHERE id = 12", F::timestamp_text_sql("at"))) ==
        test::TextRows{{"2023-11-14 22:13:20.000000"}});
}

CONFORMANCE_STRATEGY_TEST_CASE("a dynamic row of the wrong width is refused", "[values]") {
  using F = typename TestType::fixture;
  F db;
  db.exec(fmt::format("CREATE TABLE w (a {0}, b {0})", F::types.bigint));
  using bulkinsert::Value;
  const std::vector<bulkinsert::DynamicRow> rows = {{Value{std::int64_t{1}}, Value{std::int64_t{2}}},
                                                    {Value{std::int64_t{3}}}};
  try {
    (void)BulkInserter{db.backend()}.insert(bulkinsert::Table<bulkinsert::DynamicRow>{"w", {"a", "b"}}, rows,
                                            typename TestType::strategy{});
    FAIL("a short row was accepted");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("row 1") && Catch::Contains("1 values"));
  }
  CHECK(db.count("w") == 0);
}
