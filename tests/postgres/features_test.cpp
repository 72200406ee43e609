// Streaming a million generated rows through COPY in bounded memory, on PostgreSQL. Defaults, parents
// then children, streaming through multi_values and insert_async on every backend are in
// conformance/features_test.cpp.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include <bulkinsert/postgres.hpp>

#include "support/features.hpp"
#include "support/postgres.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;

// --- streaming -----------------------------------------------------------------------------------

namespace {

template <class Strategy>
void stream_a_million(Strategy strategy) {
  test::PgDb db;
  db.exec("CREATE UNLOGGED TABLE items (id bigint, name text, qty bigint)");
  constexpr std::size_t n = 1'000'000;
  auto rows = test::single_pass<test::Item>(n, [](std::size_t i) { return test::item(i); });
  static_assert(std::ranges::input_range<decltype(rows)>);
  static_assert(!std::ranges::forward_range<decltype(rows)>);
  BulkInserter ins{db.backend()};
  const long baseline = test::reset_peak_rss_kib();
  const auto report = ins.insert(test::items_table(), rows, strategy);
  const long grew = test::peak_rss_kib() - baseline;
  INFO(fmt::format("{}; peak RSS grew by {} KiB", report, grew));
  CHECK(report.rows == n);
  CHECK(rows.read() == n);
  CHECK(grew < test::stream_growth_limit_kib);
  const auto r = db.query("SELECT count(*), count(DISTINCT id), sum(id), sum(qty) FROM items");
  CHECK(r[0][0].as<std::int64_t>() == static_cast<std::int64_t>(n));
  CHECK(r[0][1].as<std::int64_t>() == static_cast<std::int64_t>(n));
  CHECK(r[0][2].as<std::int64_t>() == test::id_sum(n));
  CHECK(r[0][3].as<std::int64_t>() == static_cast<std::int64_t>(n / 1000) * 499'500);
  CHECK(db.count("items WHERE name <> 'item ' || lpad(id::text, 7, '0') || ' of the generated stream, padded'") == 0);
}

}  // namespace

TEST_CASE("a million generated rows stream through copy in bounded memory", "[postgres][streaming]") {
  stream_a_million(Copy{});
}
