// Upserts on PostgreSQL: ON CONFLICT (target) DO NOTHING and DO UPDATE SET chosen columns, through every
// strategy (COPY goes through a temporary staging table and one INSERT ... SELECT ... ON CONFLICT),
// with the report's count of inserted rows, and the table's contents checked afterwards.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/postgres.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;

namespace {

// prices: sku is UNIQUE (the conflict target the caller names), id is the primary key and never conflicts.
struct Price {
  std::int64_t id = 0;
  std::string sku;
  std::int64_t price = 0;
  std::string label;
};

auto price_table() {
  return bulkinsert::Table<Price>{"prices"}
      .column("id", &Price::id)
      .column("sku", &Price::sku)
      .column("price", &Price::price)
      .column("label", &Price::label);
}

constexpr std::size_t old_rows = 600;  // skus 0..599 exist
constexpr std::size_t new_rows = 600;  // the upsert sends skus 300..899: 300 conflict, 300 are new
constexpr std::size_t first_new = 300;

void prepare(test::PgDb& db) {
  db.exec("CREATE TABLE prices (id bigint PRIMARY KEY, sku text UNIQUE NOT NULL, price bigint NOT NULL, label text, "
          "note text DEFAULT 'untouched')");
  db.exec(fmt::format("INSERT INTO prices (id, sku, price, label) SELECT g, 'sku-' || g, g, 'old' FROM generate_series(0, {}) g",
                      old_rows - 1));
}

std::vector<Price> upsert_rows() {
  std::vector<Price> rows;
  for (std::size_t k = first_new; k < first_new + new_rows; ++k)
    rows.push_back({static_cast<std::int64_t>(100'000 + k), fmt::format("sku-{}", k), static_cast<std::int64_t>(k) * 10, "new"});
  return rows;
}

/// Every row of prices by sku: (id, price, label, note), checked against what each kind of upsert must leave.
void check_contents(test::PgDb& db, bool updated) {
  const auto r = db.query("SELECT id, substr(sku, 5)::int AS k, price, label, note FROM prices ORDER BY k");
  REQUIRE(r.size() == first_new + new_rows);
  for (const auto& row : r) {
    const auto k = row[1].as<std::int64_t>();
    INFO("sku-" << k);
    const bool existed = k < static_cast<std::int64_t>(old_rows);
    const bool sent = k >= static_cast<std::int64_t>(first_new);
    CHECK(std::string{row[4].c_str()} == "untouched");
    if (existed) {
      CHECK(row[0].as<std::int64_t>() == k);  // the key row keeps its id: only the chosen columns change
      if (sent && updated) {
        CHECK(row[2].as<std::int64_t>() == k * 10);
        CHECK(std::string{row[3].c_str()} == "old");  // label is not among the update columns
      } else {
        CHECK(row[2].as<std::int64_t>() == k);
        CHECK(std::string{row[3].c_str()} == "old");
      }
    } else {
      CHECK(row[0].as<std::int64_t>() == 100'000 + k);
      CHECK(row[2].as<std::int64_t>() == k * 10);
      CHECK(std::string{row[3].c_str()} == "new");
    }
  }
}

template <class Strategy>
Strategy small_chunks() {
  Strategy s{};
  if constexpr (std::is_same_v<Strategy, MultiValues>) s.rows_per_statement = 128;
  else s.rows_per_chunk = 128;
  return s;
}

}  // namespace

TEMPLATE_TEST_CASE("upsert on conflict do nothing skips existing keys and counts them", "[postgres][upsert]", PerRow,
                   MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  prepare(db);
  const auto table = price_table().on_conflict_do_nothing({"sku"});
  const auto report = BulkInserter{db.backend()}.insert(table, upsert_rows(), small_chunks<TestType>());
  CHECK(report.rows == new_rows);
  CHECK(report.rows_affected == new_rows - (old_rows - first_new));
  CHECK(report.rows - report.rows_affected == old_rows - first_new);  // the conflicts
  CHECK(report.rows_committed == new_rows);
  check_contents(db, false);
}

TEMPLATE_TEST_CASE("upsert on conflict updates only the chosen columns", "[postgres][upsert]", PerRow, MultiValues,
                   ExecuteMany, Copy) {
  test::PgDb db;
  prepare(db);
  const auto table = price_table().on_conflict_update({"sku"}, {"price"});
  const auto report = BulkInserter{db.backend()}.insert(table, upsert_rows(), small_chunks<TestType>());
  CHECK(report.rows == new_rows);
  CHECK(report.rows_affected == new_rows);  // PostgreSQL counts inserted and updated rows alike
  check_contents(db, true);
}

TEMPLATE_TEST_CASE("upsert by strategy name", "[postgres][upsert]", PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  prepare(db);
  const auto table = price_table().on_conflict_update({"sku"}, {"price"});
  CHECK(BulkInserter{db.backend()}.insert(table, upsert_rows(), TestType::name).rows == new_rows);
  check_contents(db, true);
}

TEMPLATE_TEST_CASE("upsert do nothing without a target skips any unique conflict", "[postgres][upsert]", PerRow,
                   MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  prepare(db);
  auto rows = upsert_rows();
  rows[599].id = 5;  // sku-899 is new but its id conflicts with the primary key of sku-5
  const auto report = BulkInserter{db.backend()}.insert(price_table().on_conflict_do_nothing(), rows, small_chunks<TestType>());
  CHECK(report.rows_affected == new_rows - (old_rows - first_new) - 1);
  CHECK(db.count("prices") == static_cast<std::int64_t>(first_new + new_rows - 1));
  CHECK(db.count("prices WHERE sku = 'sku-899'") == 0);
}

TEMPLATE_TEST_CASE("upsert naming an update column that is not inserted is an input error", "[postgres][upsert]",
                   PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  prepare(db);
  const auto table = price_table().on_conflict_update({"sku"}, {"price", "note"});
  try {
    (void)BulkInserter{db.backend()}.insert(table, upsert_rows(), TestType{});
    FAIL("no exception");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("\"note\"") && Catch::Contains("not one of the inserted columns"));
  }
  CHECK(db.count("prices") == static_cast<std::int64_t>(old_rows));
  CHECK(db.count("prices WHERE label <> 'old'") == 0);
  CHECK_THROWS_AS(price_table().on_conflict_update({}, {"price"}), bulkinsert::InputError);
  CHECK_THROWS_AS(price_table().on_conflict_update({"sku"}, {}), bulkinsert::InputError);
}

TEST_CASE("upsert through copy staging commits at checkpoints across several transactions", "[postgres][upsert][copy]") {
  test::PgDb db;
  prepare(db);
  // 600 rows in chunks of 50: 12 COPYs into the staging table, a commit after every 3.
  BulkInserter ins{db.backend(), test::checkpoint_every(3)};
  SECTION("do update") {
    const auto report = ins.insert(price_table().on_conflict_update({"sku"}, {"price"}), upsert_rows(), Copy{.rows_per_chunk = 50});
    CHECK(report.chunks == 12);
    CHECK(report.rows_affected == new_rows);
    CHECK(report.rows_committed == new_rows);
    check_contents(db, true);
    // A second, identical run only updates.
    const auto again = ins.insert(price_table().on_conflict_update({"sku"}, {"price"}), upsert_rows(), Copy{.rows_per_chunk = 50});
    CHECK(again.rows_affected == new_rows);
    check_contents(db, true);
  }
  SECTION("do nothing") {
    const auto report = ins.insert(price_table().on_conflict_do_nothing({"sku"}), upsert_rows(), Copy{.rows_per_chunk = 50});
    CHECK(report.rows_affected == new_rows - (old_rows - first_new));
    check_contents(db, false);
    const auto again = ins.insert(price_table().on_conflict_do_nothing({"sku"}), upsert_rows(), Copy{.rows_per_chunk = 50});
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
  auto rows = upsert_rows();
  rows[420].price = -1;
  db.exec("ALTER TABLE prices ADD CHECK (price >= 0)");
  BulkInserter ins{db.backend(), test::checkpoint_every(2)};
  try {
    (void)ins.insert(price_table().on_conflict_update({"sku"}, {"price"}), rows, Copy{.rows_per_chunk = 100});
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
