// insert_returning on PostgreSQL: generated ids come back in input order, with another session drawing
// from the same sequence meanwhile (so ids have gaps and cannot be guessed from positions); COPY and
// multi_values are refused, at compile time by type and before anything is sent by name.

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/features.hpp"
#include "support/postgres.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::PostgresBackend;

namespace {

using test::Named;
using test::named_rows;
using test::named_table;

template <class Strategy>
void check_ids_in_input_order(std::size_t n, Strategy strategy) {
  test::PgDb db;
  db.exec("CREATE SEQUENCE named_seq START 1000 INCREMENT 7");
  db.exec("CREATE TABLE named (id bigint PRIMARY KEY DEFAULT nextval('named_seq'), name text UNIQUE NOT NULL, qty bigint)");
  const auto rows = named_rows(n);

  // Another session takes values from the same sequence while the load runs.
  std::atomic<bool> stop{false};
  std::atomic<int> drawn{0};
  std::thread thief([&] {
    pqxx::connection c{db.conninfo()};
    while (!stop) {
      pqxx::nontransaction t{c};
      t.exec("SELECT nextval('named_seq')");
      ++drawn;
    }
  });
  bulkinsert::Returned out;
  try {
    out = BulkInserter{db.backend()}.insert_returning(named_table(), rows, {"id", "name", "qty"}, strategy);
  } catch (...) {
    stop = true;
    thief.join();
    throw;
  }
  stop = true;
  thief.join();
  INFO("the other session drew " << drawn.load() << " values");

  CHECK(out.report.rows == n);
  CHECK(out.report.rows_committed == n);
  REQUIRE(out.rows.size() == n);

  std::unordered_map<std::int64_t, std::pair<std::string, std::int64_t>> stored;
  for (const auto& r : db.query("SELECT id, name, qty FROM named")) stored[r[0].as<std::int64_t>()] = {r[1].c_str(), r[2].as<std::int64_t>()};
  REQUIRE(stored.size() == n);

  std::int64_t previous = 0;
  for (std::size_t i = 0; i < n; ++i) {
    INFO("input row " << i);
    const bulkinsert::DynamicRow& got = out.rows[i];
    REQUIRE(got.size() == 3);
    REQUIRE(std::holds_alternative<std::int64_t>(got[0]));
    const std::int64_t id = std::get<std::int64_t>(got[0]);
    REQUIRE(std::get<std::string>(got[1]) == rows[i].name);
    REQUIRE(std::get<std::int64_t>(got[2]) == rows[i].qty);
    const auto it = stored.find(id);
    REQUIRE(it != stored.end());
    REQUIRE(it->second.first == rows[i].name);  // the id returned for row i is the id stored with row i's values
    REQUIRE(it->second.second == rows[i].qty);
    REQUIRE(id > previous);  // one session, one row after another: the sequence rises in input order
    REQUIRE((id - 1000) % 7 == 0);
    previous = id;
  }
}


}  // namespace

TEST_CASE("insert_returning gives back 100000 generated ids in input order", "[postgres][returning]") {
  // The default strategy is execute_many, in chunks of 10,000 rows.
  test::PgDb db;
  db.exec("CREATE SEQUENCE named_seq START 1000 INCREMENT 7");
  db.exec("CREATE TABLE named (id bigint PRIMARY KEY DEFAULT nextval('named_seq'), name text UNIQUE NOT NULL, qty bigint)");
  const auto rows = named_rows(100'000);
  const auto out = BulkInserter{db.backend()}.insert_returning(named_table(), rows, {"id", "name"});
  CHECK(out.report.strategy == "execute_many");
  CHECK(out.report.chunks == 10);
  REQUIRE(out.rows.size() == rows.size());
  const auto stored = db.query("SELECT id, name FROM named ORDER BY id");
  REQUIRE(stored.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("input row " << i);
    // Inserted one after another by one session with nothing else drawing: row i holds the i-th id.
    REQUIRE(std::get<std::int64_t>(out.rows[i][0]) == stored[static_cast<int>(i)][0].as<std::int64_t>());
    REQUIRE(std::get<std::string>(out.rows[i][1]) == rows[i].name);
    REQUIRE(std::string{stored[static_cast<int>(i)][1].c_str()} == rows[i].name);
  }
}

TEST_CASE("insert_returning matches ids to rows while another session draws from the sequence",
          "[postgres][returning]") {
  SECTION("execute_many, chunks of 2500") { check_ids_in_input_order(20'000, bulkinsert::ExecuteMany{.rows_per_chunk = 2500}); }
  SECTION("per_row") { check_ids_in_input_order(1'500, bulkinsert::PerRow{.rows_per_chunk = 400}); }
  SECTION("by name: execute_many") {
    test::PgDb db;
    db.exec("CREATE TABLE named (id bigserial PRIMARY KEY, name text, qty bigint)");
    const auto out = BulkInserter{db.backend()}.insert_returning(named_table(), named_rows(10), {"id"}, "execute_many");
    REQUIRE(out.rows.size() == 10);
    CHECK(std::get<std::int64_t>(out.rows[9][0]) == 10);
  }
  SECTION("by name: per_row") {
    test::PgDb db;
    db.exec("CREATE TABLE named (id bigserial PRIMARY KEY, name text, qty bigint)");
    const auto out = BulkInserter{db.backend()}.insert_returning(named_table(), named_rows(10), {"id"}, "per_row");
    REQUIRE(out.rows.size() == 10);
    CHECK(std::get<std::int64_t>(out.rows[0][0]) == 1);
  }
}

TEST_CASE("insert_returning refusing a strategy sends nothing, so the sequence is never touched", "[postgres][returning]") {
  // Which strategies are refused, on every backend, is in conformance/features_test.cpp.
  test::PgDb db;
  db.exec("CREATE TABLE named (id bigserial PRIMARY KEY, name text, qty bigint)");
  BulkInserter ins{db.backend()};
  const auto rows = named_rows(100);
  for (const char* name : {"copy", "multi_values", "bulk"})
    CHECK_THROWS_AS(ins.insert_returning(named_table(), rows, {"id"}, name), bulkinsert::UnsupportedStrategy);
  CHECK_THROWS_AS(ins.insert_returning(named_table(), rows, {}), bulkinsert::InputError);
  CHECK(db.count("named") == 0);
  CHECK(std::string{db.query("SELECT is_called FROM named_id_seq")[0][0].c_str()} == "f");
}

TEST_CASE("insert_returning with on conflict do nothing leaves skipped rows empty", "[postgres][returning][upsert]") {
  test::PgDb db;
  db.exec("CREATE TABLE named (id bigserial PRIMARY KEY, name text UNIQUE, qty bigint)");
  db.exec("INSERT INTO named (name, qty) VALUES ('n3', 0)");
  const auto table = named_table().on_conflict_do_nothing({"name"});
  const auto out = BulkInserter{db.backend()}.insert_returning(table, named_rows(6), {"id", "name"});
  REQUIRE(out.rows.size() == 6);
  CHECK(out.report.rows_affected == 5);
  for (std::size_t i = 0; i < 6; ++i) {
    INFO("row " << i);
    if (i == 3) {
      CHECK(out.rows[i].empty());
    } else {
      REQUIRE(out.rows[i].size() == 2);
      CHECK(std::get<std::string>(out.rows[i][1]) == fmt::format("n{}", i));
    }
  }
}
