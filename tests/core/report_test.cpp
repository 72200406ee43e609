// Report: what one insert call did, and its one-line form.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <fmt/format.h>

#include <bulkinsert/report.hpp>

TEST_CASE("report rates and formatting", "[core][report]") {
  bulkinsert::Report r;
  CHECK(r.rows_per_second() == 0.0);
  r.strategy = "copy";
  r.rows = 100000;
  r.chunks = 2;
  r.statements = 2;
  r.bytes = 4 * 1024 * 1024 + 100 * 1024;
  r.rows_committed = 100000;
  r.elapsed = std::chrono::milliseconds{500};
  CHECK(r.rows_per_second() == Approx(200000.0));
  CHECK(fmt::format("{}", r) ==
        "100000 rows via copy: 2 chunks, 2 statements, 4.1 MiB, 0.500 s, 200000 rows/s, 100000 committed");
  r.rows_affected = 100000;
  r.rows_updated = 40000;
  CHECK(r.rows_inserted() == std::optional<std::size_t>{60000});
  CHECK(fmt::format("{}", r).ends_with(", 100000 committed, 40000 updated"));
}

TEST_CASE("reports add up, time included, keeping the first strategy", "[core][report]") {
  bulkinsert::Report a;
  a.strategy = "copy";
  a.rows = 10;
  a.rows_affected = 9;
  a.rows_rejected = 1;
  a.rows_skipped = 2;
  a.chunks = 1;
  a.statements = 1;
  a.bytes = 100;
  a.rows_committed = 10;
  a.elapsed = std::chrono::milliseconds{5};
  bulkinsert::Report b = a;
  b.strategy = "multi_values";
  bulkinsert::Report sum;
  sum += a;
  sum += b;
  CHECK(sum.strategy == "copy");
  CHECK(sum.rows == 20);
  CHECK(sum.rows_affected == 18);
  CHECK(sum.rows_rejected == 2);
  CHECK(sum.rows_skipped == 4);
  CHECK(sum.chunks == 2);
  CHECK(sum.statements == 2);
  CHECK(sum.bytes == 200);
  CHECK(sum.rows_committed == 20);
  CHECK(sum.elapsed == std::chrono::milliseconds{10});
  CHECK(sum.rows_updated == std::optional<std::size_t>{0});
}

TEST_CASE("a report's updated rows are unknown when any part's are", "[core][report]") {
  bulkinsert::Report known;
  known.rows_affected = 5;
  known.rows_updated = 2;
  bulkinsert::Report unknown;
  unknown.rows_affected = 5;
  unknown.rows_updated.reset();  // a SQLite do-update upsert
  bulkinsert::Report sum = known;
  sum += known;
  CHECK(sum.rows_updated == std::optional<std::size_t>{4});
  CHECK(sum.rows_inserted() == std::optional<std::size_t>{6});
  sum += unknown;
  CHECK_FALSE(sum.rows_updated.has_value());
  CHECK_FALSE(sum.rows_inserted().has_value());
  CHECK(fmt::format("{}", sum).find("updated") == std::string::npos);
}
