// load_csv into every backend, from real CSV files: NULL spellings, column mapping, header checks, bad
// values named by line and column, non-UTF-8 text, unique violations with and without a reject limit
// through every strategy, a 1 MiB field, a generated 1,000,000-row file, and a resumed load. How each
// backend converts text to its own column types is in tests/<backend>/csv_load_test.cpp.

#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <bulkinsert/csv_load.hpp>

#include "support/backends.hpp"
#include "support/csv_files.hpp"

namespace {

template <class Fixture>
void create_people(Fixture& db) {
  const test::Types& t = Fixture::types;
  db.exec(fmt::format("CREATE TABLE people (id {}, name {} NOT NULL UNIQUE, age {}, score {}, born date, seen {}, "
                      "active boolean, photo {})",
                      t.auto_id, t.text, t.smallint, t.real, t.timestamp, t.blob));
}

template <class Fixture>
std::vector<std::string> names(Fixture& db) {
  std::vector<std::string> out;
  for (const auto& r : db.rows("SELECT name FROM people ORDER BY id")) out.push_back(r[0].value());
  return out;
}

/// The names of a fixture's strategies.
template <class... S>
std::vector<std::string> strategy_names(std::tuple<S...>*) {
  return {std::string{S::name}...};
}

}  // namespace

CONFORMANCE_TEST_CASE("csv load reads a chosen NULL spelling, or none", "[csv]") {
  TestType db;
  db.exec(fmt::format("CREATE TABLE t (id {0}, a {1}, b {1})", TestType::types.auto_id, TestType::types.text));
  test::CsvFile f{"a,b\nNA,\n\"NA\",x\n"};
  {
    bulkinsert::CsvReader csv{f.path()};
    auto o = test::into("t");
    o.null_text = "NA";
    (void)bulkinsert::load_csv(db.backend(), csv, o);
  }
  {
    bulkinsert::CsvReader csv{f.path()};
    auto o = test::into("t");
    o.null_text.reset();
    (void)bulkinsert::load_csv(db.backend(), csv, o);
  }
  const std::optional<std::string> null;
  CHECK(db.rows("SELECT a, b FROM t ORDER BY id") ==
        test::TextRows{{null, ""}, {"NA", "x"}, {"NA", ""}, {"NA", "x"}});
}

CONFORMANCE_TEST_CASE("csv load maps columns explicitly and ignores unmapped ones when asked", "[csv]") {
  TestType db;
  create_people(db);
  test::CsvFile f{"Full Name,AGE,phone\nann,30,555\n"};
  bulkinsert::CsvReader csv{f.path()};
  auto o = test::into("people");
  o.map = {{"Full Name", "name"}};
  o.ignore_unmapped = true;
  REQUIRE(bulkinsert::load_csv(db.backend(), csv, o).rows_loaded == 1);
  REQUIRE(db.rows("SELECT name, age FROM people") == test::TextRows{{"ann", "30"}});
}

CONFORMANCE_TEST_CASE("csv load refuses a wrong header before sending anything", "[csv]") {
  TestType db;
  create_people(db);
  SECTION("an unknown column") {
    test::CsvFile f{"name,agee\nann,30\n"};
    bulkinsert::CsvReader csv{f.path()};
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, test::into("people")),
                        Catch::Contains("CSV column \"agee\" has no column in table \"people\""));
  }
  SECTION("a missing required column") {
    test::CsvFile f{"age\n30\n"};
    bulkinsert::CsvReader csv{f.path()};
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, test::into("people")),
                        Catch::Contains("requires column name"));
  }
  SECTION("a missing table") {
    test::CsvFile f{"name\nann\n"};
    bulkinsert::CsvReader csv{f.path()};
    try {
      (void)bulkinsert::load_csv(db.backend(), csv, test::into("nope"));
      FAIL("no error");
    } catch (const bulkinsert::DatabaseError& e) {
      REQUIRE(e.code() == TestType::codes.undefined_table);
      REQUIRE_THAT(e.what(), Catch::Contains("table \"nope\""));
    }
  }
  REQUIRE(db.count("people") == 0);
}

CONFORMANCE_TEST_CASE("csv load stops at the first bad value, names it, and rolls back", "[csv]") {
  TestType db;
  create_people(db);
  test::CsvFile f{"name,age\nann,30\nbob,thirty\ncy,40\n"};
  bulkinsert::CsvReader csv{f.path()};
  try {
    (void)bulkinsert::load_csv(db.backend(), csv, test::into("people"));
    FAIL("no error");
  } catch (const bulkinsert::CsvLoadError& e) {
    REQUIRE(e.line() == 3);
    REQUIRE_THAT(e.what(), Catch::Contains("line 3, column \"age\": \"thirty\" is not an integer"));
  }
  REQUIRE(db.count("people") == 0);
}

CONFORMANCE_TEST_CASE("csv load refuses non-UTF-8 text and malformed rows, or rejects them", "[csv]") {
  TestType db;
  create_people(db);
  const std::string content = "name,age\nann,1\ncaf\xE9,2\nbob,3,extra\ncy,4\n\"dee\",\"5\"x\neve,6\n";
  {
    test::CsvFile f{content};
    bulkinsert::CsvReader csv{f.path()};
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, test::into("people")),
                        Catch::Contains("line 3, column \"name\": invalid UTF-8 at byte 4"));
    REQUIRE(db.count("people") == 0);
  }
  test::CsvFile f{content};
  bulkinsert::CsvReader csv{f.path()};
  auto o = test::into("people");
  o.max_rejects = 10;
  test::RejectLog log;
  log.attach(o);
  const auto r = bulkinsert::load_csv(db.backend(), csv, o);
  REQUIRE(r.rows_read == 6);
  REQUIRE(r.rows_loaded == 3);
  REQUIRE(r.rows_rejected == 3);
  REQUIRE(log.lines() == std::vector<std::uint64_t>{3, 4, 6});
  REQUIRE(log.rejects[0].record == "caf\xE9,2");
  REQUIRE_THAT(log.rejects[1].reason, Catch::Contains("3 fields, expected 2"));
  REQUIRE(log.rejects[1].record == "bob,3,extra");
  REQUIRE(names(db) == std::vector<std::string>{"ann", "cy", "eve"});
}

CONFORMANCE_TEST_CASE("csv load of rows that break a unique constraint", "[csv]") {
  TestType db;
  create_people(db);
  db.exec("INSERT INTO people (name) VALUES ('taken')");
  std::string content = "name,age\n";
  for (int i = 0; i < 50; ++i) content += (i == 7 || i == 33 ? std::string{"taken"} : "p" + std::to_string(i)) + ",1\n";
  content += "p0,2\n";  // a duplicate inside the file, line 52
  test::CsvFile f{content};
  const auto strategy =
      GENERATE(from_range(strategy_names(static_cast<typename TestType::strategies*>(nullptr))));
  CAPTURE(strategy);

  SECTION("without a reject limit nothing is loaded and the chunk is named") {
    bulkinsert::CsvReader csv{f.path()};
    auto o = test::into("people");
    o.strategy = strategy;
    o.chunk_rows = 20;
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, o),
                        Catch::Contains("lines 2-21 refused by the database") &&
                            Catch::Contains(TestType::codes.unique_violation_reason));
    REQUIRE(db.count("people") == 1);
  }
  SECTION("with a reject limit the chunk is split and exactly the good rows load") {
    bulkinsert::CsvReader csv{f.path()};
    auto o = test::into("people");
    o.strategy = strategy;
    o.chunk_rows = 20;
    o.max_rejects = 3;
    test::RejectLog log;
    log.attach(o);
    const auto r = bulkinsert::load_csv(db.backend(), csv, o);
    REQUIRE(r.rows_read == 51);
    REQUIRE(r.rows_rejected == 3);
    REQUIRE(r.rows_loaded == 48);
    REQUIRE(log.lines() == std::vector<std::uint64_t>{9, 35, 52});
    REQUIRE(log.rejects[0].code == TestType::codes.unique_violation);
    REQUIRE(log.rejects[0].record == "taken,1");
    REQUIRE(log.rejects[2].record == "p0,2");
    REQUIRE_THAT(log.rejects[0].reason, Catch::Contains(TestType::codes.unique_violation_reason));
    REQUIRE(db.count("people") == 49);
    REQUIRE(db.count("people WHERE age = 2") == 0);
  }
  SECTION("one reject more than the limit fails the load") {
    bulkinsert::CsvReader csv{f.path()};
    auto o = test::into("people");
    o.strategy = strategy;
    o.max_rejects = 2;
    REQUIRE_THROWS(bulkinsert::load_csv(db.backend(), csv, o));
    REQUIRE(db.count("people") == 1);
  }
}

CONFORMANCE_TEST_CASE("csv load takes a 1 MiB field", "[csv]") {
  TestType db;
  db.exec(fmt::format("CREATE TABLE docs (id {}, body {})", TestType::types.bigint, TestType::types.text));
  std::string body(1 << 20, 'a');
  body[10] = ',';
  body[20] = '\n';
  test::CsvFile f{"id,body\n1,\"" + body + "\"\n2,x\n"};
  bulkinsert::CsvReader csv{f.path()};
  REQUIRE(bulkinsert::load_csv(db.backend(), csv, test::into("docs")).rows_loaded == 2);
  REQUIRE(db.scalar("SELECT length(body) FROM docs WHERE id = 1") == 1 << 20);
  REQUIRE(db.rows("SELECT body FROM docs WHERE id = 1") == test::TextRows{{body}});
}

CONFORMANCE_TEST_CASE("csv load of a generated 1,000,000-row file", "[csv][large]") {
  using F = TestType;
  F db;
  db.exec(fmt::format("CREATE TABLE gen (id {} PRIMARY KEY, name {}, score {}, born date, active boolean)",
                      F::types.bigint, F::types.text, F::types.real));
  test::TempDir dir;
  const std::string path = dir.file("gen.csv");
  test::write_generated_csv(path, 1'000'000);
  bulkinsert::CsvReader csv{path};
  auto o = test::into("gen");
  std::size_t progress_calls = 0;
  bool saw_done = false;
  o.on_progress = [&](const bulkinsert::CsvProgress& p) {
    ++progress_calls;
    saw_done = saw_done || p.done;
    REQUIRE(p.total_bytes);
    REQUIRE(p.bytes_read <= *p.total_bytes);
  };
  const auto r = bulkinsert::load_csv(db.backend(), csv, o);
  REQUIRE(r.rows_read == 1'000'000);
  REQUIRE(r.rows_loaded == 1'000'000);
  REQUIRE(r.report.strategy == F::default_strategy::name);
  REQUIRE(saw_done);
  REQUIRE(progress_calls > 100);
  REQUIRE(db.count("gen") == 1'000'000);
  REQUIRE(db.rows("SELECT name, score, born, active FROM gen WHERE id = 1000000") ==
          test::TextRows{{"user 999999, the 999999th", "999.99", "1999-04-08", std::string{F::stored_false}}});
}

CONFORMANCE_TEST_CASE("csv load resumes after a failure and loads each row exactly once", "[csv][resume]") {
  TestType db;
  create_people(db);
  db.exec("INSERT INTO people (id, name) VALUES (1000, 'p45')");  // row 45 of the file fails the first run
  std::string content = "name,age\n";
  for (int i = 0; i < 100; ++i) content += "p" + std::to_string(i) + "," + std::to_string(i) + "\n";
  test::CsvFile f{content};
  auto o = test::into("people");
  o.chunk_rows = 10;
  o.checkpoint_every_chunks = 1;
  o.import_id = "people-import";
  {
    bulkinsert::CsvReader csv{f.path()};
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, o), Catch::Contains("lines 42-51"));
  }
  REQUIRE(db.count("people") == 41);  // four chunks committed, and the row in the way
  db.exec("DELETE FROM people WHERE id = 1000");
  bulkinsert::CsvReader csv{f.path()};
  const auto r = bulkinsert::load_csv(db.backend(), csv, o);
  REQUIRE(r.rows_read == 100);
  REQUIRE(r.rows_loaded == 100);
  REQUIRE(r.rows_skipped == 40);
  REQUIRE(db.count("people") == 100);
  REQUIRE(db.scalar("SELECT count(DISTINCT name) FROM people") == 100);
}
