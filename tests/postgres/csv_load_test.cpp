// load_csv into the fixture's PostgreSQL server: conversion to PostgreSQL's own types (timestamptz,
// numeric, uuid, smallint's range), values the server refuses, and several workers. What every
// backend's load does is in conformance/csv_load_test.cpp.

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <bulkinsert/csv_load.hpp>
#include <bulkinsert/postgres.hpp>

#include "support/csv_files.hpp"
#include "support/postgres.hpp"

namespace {

constexpr const char* people_sql =
    "CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL UNIQUE, age smallint, score real, "
    "born date, seen timestamptz, active boolean, photo bytea, amount numeric(10,2), ref uuid)";

}  // namespace

TEST_CASE("csv load into PostgreSQL converts to the catalog's types", "[postgres][csv]") {
  test::PgDb db;
  db.exec(people_sql);
  test::CsvFile f{
      "name,age,score,born,seen,active,photo,amount,ref\r\n"
      "\"Smith, \"\"J\"\"\",42,1.5,2000-01-31,2024-01-02T03:04:05.5Z,yes,\\x00ff,12.34,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\r\n"
      "\"two\nlines\",,NaN,,2024-01-02 05:04:05+02:00,F,,,\r\n"};
  const auto strategy = GENERATE(as<std::string>{}, "copy", "multi_values", "execute_many", "per_row");
  CAPTURE(strategy);
  bulkinsert::CsvReader csv{f.path()};
  auto o = test::into("people");
  o.strategy = strategy;
  const auto r = bulkinsert::load_csv(db.backend(), csv, o);
  REQUIRE(r.rows_loaded == 2);
  const auto rows = db.query(
      "SELECT name, age, score::text, born, to_char(seen AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), active, "
      "encode(photo, 'hex'), amount::text, ref::text FROM people ORDER BY id");
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0][0].as<std::string>() == "Smith, \"J\"");
  REQUIRE(rows[0][1].as<int>() == 42);
  REQUIRE(rows[0][2].as<std::string>() == "1.5");
  REQUIRE(rows[0][3].as<std::string>() == "2000-01-31");
  REQUIRE(rows[0][4].as<std::string>() == "2024-01-02 03:04:05.500000");
  REQUIRE(rows[0][5].as<std::string>() == "t");
  REQUIRE(rows[0][6].as<std::string>() == "00ff");
  REQUIRE(rows[0][7].as<std::string>() == "12.34");
  REQUIRE(rows[0][8].as<std::string>() == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  REQUIRE(rows[1][0].as<std::string>() == "two\nlines");
  REQUIRE(rows[1][1].is_null());
  REQUIRE(rows[1][2].as<std::string>() == "NaN");
  REQUIRE(rows[1][4].as<std::string>() == "2024-01-02 03:04:05.000000");
  REQUIRE(rows[1][8].is_null());
}

TEST_CASE("csv load into PostgreSQL rejects values out of the column's range before sending", "[postgres][csv]") {
  test::PgDb db;
  db.exec(people_sql);
  test::CsvFile f{"name,age\nann,1\nbob,40000\ncy,3\n"};
  {
    bulkinsert::CsvReader csv{f.path()};
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, test::into("people")),
                        Catch::Contains("line 3, column \"age\": \"40000\" is out of range for type smallint"));
    REQUIRE(db.count("people") == 0);
  }
  bulkinsert::CsvReader csv{f.path()};
  auto o = test::into("people");
  o.max_rejects = 1;
  test::RejectLog log;
  log.attach(o);
  REQUIRE(bulkinsert::load_csv(db.backend(), csv, o).rows_loaded == 2);
  REQUIRE(log.lines() == std::vector<std::uint64_t>{3});
}

TEST_CASE("csv load into PostgreSQL of rows that break a unique constraint", "[postgres][csv]") {
  test::PgDb db;
  db.exec(people_sql);
  db.exec("INSERT INTO people (name) VALUES ('taken')");
  std::string content = "name,age,amount\n";
  for (int i = 0; i < 50; ++i) content += (i == 7 || i == 33 ? std::string{"taken"} : "p" + std::to_string(i)) + ",1,1\n";
  content += "p0,2,1\n";        // a duplicate inside the file, line 52
  content += "bad,1,12x\n";     // numeric the server refuses, line 53
  test::CsvFile f{content};
  const auto strategy = GENERATE(as<std::string>{}, "copy", "multi_values", "execute_many", "per_row");
  CAPTURE(strategy);

  SECTION("without a reject limit nothing is loaded and the chunk is named") {
    bulkinsert::CsvReader csv{f.path()};
    auto o = test::into("people");
    o.strategy = strategy;
    o.chunk_rows = 20;
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, o),
                        Catch::Contains("lines 2-21 refused by the database") && Catch::Contains("23505"));
    REQUIRE(db.count("people") == 1);
  }
  SECTION("with a reject limit the chunk is split and exactly the good rows load") {
    bulkinsert::CsvReader csv{f.path()};
    auto o = test::into("people");
    o.strategy = strategy;
    o.chunk_rows = 20;
    o.max_rejects = 4;
    test::RejectLog log;
    log.attach(o);
    const auto r = bulkinsert::load_csv(db.backend(), csv, o);
    REQUIRE(r.rows_read == 52);
    REQUIRE(r.rows_rejected == 4);
    REQUIRE(r.rows_loaded == 48);
    REQUIRE(log.lines() == std::vector<std::uint64_t>{9, 35, 52, 53});
    REQUIRE(log.rejects[0].code == "23505");
    REQUIRE(log.rejects[0].record == "taken,1,1");
    REQUIRE(log.rejects[3].code == "22P02");
    REQUIRE(db.count("people") == 49);
    REQUIRE(db.query("SELECT count(*) FROM people WHERE age = 2")[0][0].as<int>() == 0);
  }
}

TEST_CASE("csv load into PostgreSQL over several workers", "[postgres][csv][parallel]") {
  test::PgDb db;
  db.exec(people_sql);
  db.exec("INSERT INTO people (name) VALUES ('p500')");
  std::string content = "name,age\n";
  for (int i = 0; i < 2000; ++i) content += "p" + std::to_string(i) + ",1\n";
  test::CsvFile f{content};
  bulkinsert::CsvReader csv{f.path()};
  auto o = test::into("people");
  o.chunk_rows = 100;
  o.max_rejects = 1;
  test::RejectLog log;
  log.attach(o);
  const std::string conninfo = db.conninfo();
  const auto r = bulkinsert::load_csv_parallel<bulkinsert::PostgresBackend>(
      [&] { return std::make_unique<bulkinsert::PostgresBackend>(conninfo); }, 3, csv, o);
  REQUIRE(r.rows_read == 2000);
  REQUIRE(r.rows_loaded == 1999);
  REQUIRE(log.rejects.size() == 1);
  REQUIRE(log.rejects[0].code == "23505");
  // Workers commit out of order; a worker far behind the reader can outlive the line ring (see load_csv_parallel).
  if (log.rejects[0].line != 0) REQUIRE(log.rejects[0].line == 502);
  REQUIRE(db.count("people") == 2000);
}
