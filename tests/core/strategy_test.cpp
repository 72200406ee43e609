// Strategies' chunk sizes: pure functions of the limits (no database needed).

#include <catch2/catch.hpp>

#include <bulkinsert/strategy.hpp>

using namespace bulkinsert;

TEST_CASE("multi values chunk rows follow the planner", "[core][strategy]") {
  CHECK(MultiValues{}.chunk_rows(Limits{65535, 0}, 5) == 1000);
  CHECK(MultiValues{.rows_per_statement = 0}.chunk_rows(Limits{65535, 0}, 5) == 13107);
  CHECK(MultiValues{.rows_per_statement = 0}.chunk_rows(Limits{999, 0}, 5) == 199);
  CHECK(MultiValues{.rows_per_statement = 50000}.chunk_rows(Limits{250000, 0}, 10) == 25000);
  CHECK_THROWS_AS(MultiValues{}.chunk_rows(Limits{999, 0}, 1000), InputError);
}

TEST_CASE("per row and execute many refuse rows wider than the limit", "[core][strategy]") {
  CHECK(PerRow{}.chunk_rows(Limits{65535, 0}, 5) == 1000);
  CHECK(PerRow{.rows_per_chunk = 0}.chunk_rows(Limits{65535, 0}, 5) == 1000);
  CHECK(PerRow{.rows_per_chunk = 3}.chunk_rows(Limits{65535, 0}, 5) == 3);
  CHECK(ExecuteMany{}.chunk_rows(Limits{65535, 0}, 5) == 10000);
  CHECK(ExecuteMany{.rows_per_chunk = 0}.chunk_rows(Limits{65535, 0}, 5) == 10000);
  CHECK_THROWS_AS(PerRow{}.chunk_rows(Limits{4, 0}, 5), InputError);
  CHECK_THROWS_AS(ExecuteMany{}.chunk_rows(Limits{4, 0}, 5), InputError);
}

TEST_CASE("copy has no parameter limit", "[core][strategy]") {
  CHECK(Copy{}.chunk_rows(Limits{999, 0}, 2000) == 50000);
  CHECK(Copy{.rows_per_chunk = 10}.chunk_rows(Limits{4, 0}, 5) == 10);
  CHECK_THROWS_AS(Copy{}.chunk_rows(Limits{}, 0), InputError);
}

TEST_CASE("strategy names", "[core][strategy]") {
  STATIC_REQUIRE(PerRow::name == "per_row");
  STATIC_REQUIRE(MultiValues::name == "multi_values");
  STATIC_REQUIRE(ExecuteMany::name == "execute_many");
  STATIC_REQUIRE(Copy::name == "copy");
}
