// Upserts through COPY on PostgreSQL, which go through a temporary staging table and one INSERT ...
// SELECT ... ON CONFLICT: checkpoints across several transactions, and a failure in a later chunk.
// Upserts through every strategy of every backend are in conformance/features_test.cpp.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/features.hpp"
#include "support/postgres.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;

namespace {

void prepare(test::PgDb& db) { test::prepare_prices(db, "bigint", "text"); }
void check_contents(test::PgDb& db, bool updated) { test::check_prices(db.reader(), updated); }

}  // namespace

TEST_CASE("upsert through copy staging commits at checkpoints across several transactions", "[postgres][upsert][copy]") {
  test::PgDb db;
  prepare(db);
  // 600 rows in chunks of 50: 12 COPYs into the staging table, a commit after every 3.
  BulkInserter ins{db.backend(), test::checkpoint_every(3)};
  SECTION("do update") {
    const auto report = ins.insert(test::price_table().on_conflict_update({"sku"}, {"price"}), test::upsert_rows(), Copy{.rows_per_chunk = 50});
    CHECK(report.chunks == 12);
    CHECK(report.rows_affected == test::upserted_prices);
    CHECK(report.rows_committed == test::upserted_prices);
    check_contents(db, true);
    // A second, identical run only updates.
    const auto again = ins.insert(test::price_table().on_conflict_update({"sku"}, {"price"}), test::upsert_rows(), Copy{.rows_per_chunk = 50});
    CHECK(again.rows_affected == test::upserted_prices);
    check_contents(db, true);
  }
  SECTION("do nothing") {
    const auto report = ins.insert(test::price_table().on_conflict_do_nothing({"sku"}), test::upsert_rows(), Copy{.rows_per_chunk = 50});
    CHECK(report.rows_affected == test::upserted_prices - (test::old_prices - test::first_new_price));
    check_contents(db, false);
    const auto again = ins.insert(test::price_table().on_conflict_do_nothing({"sku"}), test::upsert_rows(), Copy{.rows_per_chunk = 50});
    CHECK(again.rows_affected == 0);
    check_contents(db, false);
  }
  // No staging table is left behind in this session.
  CHECK(db.query("SELECT count(*) FROM pg_class WHERE relname = 'bulkinsert_stage' AND relpersistence = 't'")[0][0]
            .as<std::int64_t>() == 0);
}

TEST_CASE("copy upsert failing in a later chunk keeps the checkpoints and names the chunk", "[postgres][upsert][copy]") {
  test::PgDb db;
  prepare(db);
  auto rows = test::upsert_rows();
  rows[420].price = -1;
  db.exec("ALTER TABLE prices ADD CHECK (price >= 0)");
  BulkInserter ins{db.backend(), test::checkpoint_every(2)};
  try {
    (void)ins.insert(test::price_table().on_conflict_update({"sku"}, {"price"}), rows, Copy{.rows_per_chunk = 100});
    FAIL("no exception");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.chunk_index() == 4);
    CHECK(e.rows() == bulkinsert::RowRange{400, 500});
    CHECK(e.code() == "23514");
    CHECK(e.rows_committed() == 400);
  }
  // The first 400 sent rows (skus 300..699) are in, the rest untouched.
  CHECK(db.count("prices") == 700);
  CHECK(db.count("prices WHERE price = substr(sku, 5)::int * 10 AND substr(sku, 5)::int >= 300") == 400);
}
