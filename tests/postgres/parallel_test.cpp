// ParallelInserter on PostgreSQL: 1, 2 and 4 workers load exactly the input with copy and multi_values;
// a failure in one worker leaves nothing (without checkpoints) and names its chunk; rejects with workers.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <bulkinsert/parallel.hpp>
#include <bulkinsert/postgres.hpp>

#include "support/features.hpp"
#include "support/postgres.hpp"

using bulkinsert::Copy;
using bulkinsert::MultiValues;
using bulkinsert::ParallelInserter;
using bulkinsert::PostgresBackend;

namespace {

std::vector<test::Item> item_rows(std::size_t n) {
  std::vector<test::Item> rows;
  rows.reserve(n);
  for (std::size_t i = 0; i < n; ++i) rows.push_back(test::item(i));
  return rows;
}

void check_exact(test::PgDb& db, std::size_t n) {
  const auto r = db.query("SELECT count(*), count(DISTINCT id), coalesce(sum(id), 0), coalesce(sum(qty), 0) FROM items");
  CHECK(r[0][0].as<std::int64_t>() == static_cast<std::int64_t>(n));
  CHECK(r[0][1].as<std::int64_t>() == static_cast<std::int64_t>(n));
  CHECK(r[0][2].as<std::int64_t>() == test::id_sum(n));
  std::int64_t qty = 0;
  for (std::size_t i = 0; i < n; ++i) qty += static_cast<std::int64_t>(i % 1000);
  CHECK(r[0][3].as<std::int64_t>() == qty);
  CHECK(db.count("items WHERE name <> 'item ' || lpad(id::text, 7, '0') || ' of the generated stream, padded'") == 0);
}

}  // namespace

TEMPLATE_TEST_CASE("parallel workers load exactly the input", "[postgres][parallel]", Copy, MultiValues) {
  const std::size_t workers = GENERATE(1, 2, 4);
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty bigint)");
  constexpr std::size_t n = 100'003;  // a short last chunk
  const auto rows = item_rows(n);
  ParallelInserter<PostgresBackend> parallel{[&] { return std::make_unique<PostgresBackend>(db.conninfo()); }, workers};
  REQUIRE(parallel.workers() == workers);
  const auto report = parallel.insert(test::items_table(), rows, test::with_chunk_rows<TestType>(5'000));
  INFO(workers << " workers: " << fmt::format("{}", report));
  CHECK(report.strategy == TestType::name);
  CHECK(report.rows == n);
  CHECK(report.rows_committed == n);
  CHECK(report.rows_affected == n);
  CHECK(report.chunks == 21);
  check_exact(db, n);
}

TEMPLATE_TEST_CASE("parallel workers read a single-pass generated range", "[postgres][parallel][streaming]", Copy,
                   MultiValues) {
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty bigint)");
  constexpr std::size_t n = 60'000;
  auto rows = test::single_pass<test::Item>(n, [](std::size_t i) { return test::item(i); });
  ParallelInserter<PostgresBackend> parallel{[&] { return std::make_unique<PostgresBackend>(db.conninfo()); }, 2};
  CHECK(parallel.insert(test::items_table(), rows, TestType::name).rows == n);
  check_exact(db, n);
}

TEMPLATE_TEST_CASE("a failure in one parallel worker leaves nothing and names the chunk", "[postgres][parallel]", Copy,
                   MultiValues) {
  const std::size_t workers = GENERATE(2, 4);
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty bigint CHECK (qty >= 0))");
  auto rows = item_rows(80'000);
  rows[47'001].qty = -5;  // chunk 9 of 5,000-row chunks
  ParallelInserter<PostgresBackend> parallel{[&] { return std::make_unique<PostgresBackend>(db.conninfo()); }, workers};
  try {
    (void)parallel.insert(test::items_table(), rows, test::with_chunk_rows<TestType>(5'000));
    FAIL("no exception");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.strategy() == TestType::name);
    CHECK(e.code() == "23514");
    CHECK(e.chunk_index() == 9);
    CHECK(e.rows() == bulkinsert::RowRange{45'000, 50'000});
    CHECK(e.rows_committed() == 0);
    CHECK_THAT(e.what(), Catch::Contains("chunk 9 (rows [45000, 50000))"));
  }
  CHECK(db.count("items") == 0);
  // Every worker's connection is usable afterwards.
  rows[47'001].qty = 1;
  CHECK(parallel.insert(test::items_table(), rows, test::with_chunk_rows<TestType>(5'000)).rows == rows.size());
  CHECK(db.count("items") == 80'000);
}

TEMPLATE_TEST_CASE("parallel workers isolate rejected rows", "[postgres][parallel][rejects]", Copy, MultiValues) {
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty bigint CHECK (qty >= 0))");
  auto rows = item_rows(30'000);
  const std::vector<std::size_t> bad = {5, 9'999, 10'000, 22'222};
  for (const std::size_t i : bad) rows[i].qty = -1;
  std::vector<bulkinsert::RejectedRow> rejected;
  std::mutex m;
  bulkinsert::InsertOptions options;
  options.max_rejects = 10;
  options.on_reject = [&](const bulkinsert::RejectedRow& r) {
    const std::lock_guard lock{m};  // the inserter serialises calls; this checks nothing races anyway
    rejected.push_back(r);
  };
  ParallelInserter<PostgresBackend> parallel{[&] { return std::make_unique<PostgresBackend>(db.conninfo()); }, 2, options};
  const auto report = parallel.insert(test::items_table(), rows, test::with_chunk_rows<TestType>(2'500));
  CHECK(report.rows == rows.size() - bad.size());  // rows written; rejected rows are counted apart
  CHECK(report.rows_committed == rows.size() - bad.size());
  CHECK(report.rows_rejected == bad.size());
  CHECK(report.rows_affected == rows.size() - bad.size());
  std::sort(rejected.begin(), rejected.end(), [](const auto& a, const auto& b) { return a.input_row < b.input_row; });
  REQUIRE(rejected.size() == bad.size());
  for (std::size_t k = 0; k < bad.size(); ++k) {
    CHECK(rejected[k].input_row == bad[k]);
    CHECK(rejected[k].code == "23514");
  }
  CHECK(db.count("items") == static_cast<std::int64_t>(rows.size() - bad.size()));
  CHECK(db.count("items WHERE qty < 0") == 0);
  CHECK(db.count(fmt::format("items WHERE id IN ({}, {}, {}, {})", bad[0], bad[1], bad[2], bad[3])) == 0);

}

TEMPLATE_TEST_CASE("max_rejects bounds the rejects of the whole parallel load", "[postgres][parallel][rejects]", Copy,
                   MultiValues) {
  // Four refused rows in four chunks, three allowed: the load fails and, without checkpoints, leaves nothing,
  // however the chunks are dealt to the workers.
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty bigint CHECK (qty >= 0))");
  auto rows = item_rows(30'000);
  for (const std::size_t i : {5, 9'999, 10'000, 22'222}) rows[i].qty = -1;
  bulkinsert::InsertOptions strict;
  strict.max_rejects = 3;
  ParallelInserter<PostgresBackend> parallel{[&] { return std::make_unique<PostgresBackend>(db.conninfo()); }, 2, strict};
  CHECK_THROWS_AS(parallel.insert(test::items_table(), rows, test::with_chunk_rows<TestType>(2'500)), bulkinsert::ChunkError);
  CHECK(db.count("items") == 0);
}

TEST_CASE("parallel inserter refuses zero workers", "[postgres][parallel]") {
  CHECK_THROWS_AS(ParallelInserter<PostgresBackend>([]() -> std::unique_ptr<PostgresBackend> { return nullptr; }, 0),
                  bulkinsert::InputError);
}

TEST_CASE("a duplicate key split across two parallel workers fails instead of waiting forever",
          "[postgres][parallel]") {
  // Worker A inserts key 7 in its open transaction; worker B inserts key 7 too and waits for A's
  // transaction to end. A's transaction ends only after every worker has finished: a wait the server
  // cannot see as a deadlock. The inserter's lock wait bound (here 3 s) turns it into an error.
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty bigint)");
  auto rows = item_rows(20'000);
  rows[15'000].id = 7;  // chunk 3, while id 7 is in chunk 0
  ParallelInserter<PostgresBackend> parallel{
      [&] {
        return std::make_unique<PostgresBackend>(fmt::format("{} options='-c search_path={}'",
                                                             test::pg_conninfo(), db.schema()));
      },
      2, {}, std::chrono::seconds{3}};
  try {
    (void)parallel.insert(test::items_table(), rows, Copy{.rows_per_chunk = 5'000});
    FAIL("no exception");
  } catch (const bulkinsert::ChunkError& e) {
    INFO(e.what());
    // The unique violation (23505) on chunk 3 when one worker took both chunks; the bounded wait
    // (55P03, with a hint at the cause) when two did.
    const bool duplicate = e.code() == "23505" && e.chunk_index() == 3;
    const bool waited = e.code() == "55P03" && std::string{e.what()}.find("duplicate in the input") != std::string::npos;
    CHECK((duplicate || waited));
  }
  CHECK(db.count("items") == 0);
}
