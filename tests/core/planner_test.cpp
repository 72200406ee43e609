// plan_rows_per_statement: a pure function of limits, row width and the caller's hint.

#include <catch2/catch.hpp>

#include <cstddef>
#include <limits>
#include <string>

#include <bulkinsert/planner.hpp>

using bulkinsert::Limits;
using bulkinsert::plan_rows_per_statement;

TEST_CASE("planner fills a statement up to the parameter limit", "[core][planner]") {
  for (const std::size_t limit : {65535u, 250000u, 32766u, 999u}) {
    for (std::size_t columns = 1; columns <= 2000; ++columns) {
      INFO("limit " << limit << ", " << columns << " columns");
      const Limits limits{limit, 0};
      if (columns > limit) {
        REQUIRE_THROWS_AS(plan_rows_per_statement(limits, columns, 0), bulkinsert::InputError);
        continue;
      }
      const std::size_t rows = plan_rows_per_statement(limits, columns, 0);
      REQUIRE(rows == limit / columns);
      REQUIRE(rows * columns <= limit);        // never past the limit
      REQUIRE((rows + 1) * columns > limit);   // and never a row short of it
      // A hint below the limit wins; a hint above it is cut to the limit.
      REQUIRE(plan_rows_per_statement(limits, columns, 1) == 1);
      REQUIRE(plan_rows_per_statement(limits, columns, 500) == std::min<std::size_t>(500, limit / columns));
      REQUIRE(plan_rows_per_statement(limits, columns, 1000) == std::min<std::size_t>(1000, limit / columns));
      REQUIRE(plan_rows_per_statement(limits, columns, 1'000'000) == limit / columns);
    }
  }
}

TEST_CASE("planner at the exact postgres limit", "[core][planner]") {
  const Limits pg{65535, 0};
  CHECK(plan_rows_per_statement(pg, 5, 0) == 13107);   // 13,107 x 5 = 65,535 parameters
  CHECK(plan_rows_per_statement(pg, 1, 0) == 65535);
  CHECK(plan_rows_per_statement(pg, 2, 0) == 32767);   // 65,534: one short, since 65,536 would pass the limit
  CHECK(plan_rows_per_statement(pg, 65535, 0) == 1);
  CHECK(plan_rows_per_statement(pg, 65535, 10) == 1);
  CHECK_THROWS_AS(plan_rows_per_statement(pg, 65536, 0), bulkinsert::InputError);
}

TEST_CASE("planner honours a row limit", "[core][planner]") {
  const Limits sql_server{2100, 1000};
  CHECK(plan_rows_per_statement(sql_server, 1, 0) == 1000);
  CHECK(plan_rows_per_statement(sql_server, 3, 0) == 700);
  CHECK(plan_rows_per_statement(sql_server, 1, 50) == 50);
  const Limits rows_only{0, 250};
  CHECK(plan_rows_per_statement(rows_only, 10'000, 0) == 250);
  CHECK(plan_rows_per_statement(rows_only, 10'000, 100) == 100);
}

TEST_CASE("planner without limits takes the hint", "[core][planner]") {
  const Limits none{};
  CHECK(plan_rows_per_statement(none, 7, 1234) == 1234);
  CHECK(plan_rows_per_statement(none, 100'000, 1) == 1);
  CHECK(plan_rows_per_statement(none, 7, 0) == std::numeric_limits<std::size_t>::max());
}

TEST_CASE("planner refuses a row wider than the limit and names the limit", "[core][planner]") {
  try {
    (void)plan_rows_per_statement(Limits{999, 0}, 1000, 0);
    FAIL("a 1000 column row was planned under a 999 parameter limit");
  } catch (const bulkinsert::InputError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("1000 columns"));
    CHECK_THAT(what, Catch::Contains("at most 999"));
  }
  CHECK_THROWS_WITH(plan_rows_per_statement(Limits{65535, 0}, 70000, 5), Catch::Contains("65535"));
}

TEST_CASE("planner refuses a table without columns", "[core][planner]") {
  CHECK_THROWS_AS(plan_rows_per_statement(Limits{65535, 0}, 0, 0), bulkinsert::InputError);
  CHECK_THROWS_AS(plan_rows_per_statement(Limits{}, 0, 10), bulkinsert::InputError);
}
