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
