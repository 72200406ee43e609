// Report: what one insert call did, and its one-line form.

#include <catch2/catch.hpp>

#include <chrono>
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
}
