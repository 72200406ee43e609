// load_csv into a real SQLite file, from real CSV files.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <bulkinsert/csv_load.hpp>
#include <bulkinsert/sqlite.hpp>

#include "support/csv_files.hpp"
#include "support/sqlite.hpp"

namespace {

constexpr const char* people_sql =
    "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, age INTEGER, score REAL, "
    "born DATE, seen TIMESTAMP, active BOOLEAN, photo BLOB)";

bulkinsert::CsvLoadOptions into(std::string table) {
  bulkinsert::CsvLoadOptions o;
  o.table = std::move(table);
  return o;
}

std::vector<std::string> names(test::SqliteDb& db) {
  SQLite::Statement q{db.db(), "SELECT name FROM people ORDER BY id"};
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

}  // namespace

TEST_CASE("csv load converts every kind to the column's type", "[sqlite][csv]") {
  test::SqliteDb db;
  db.exec(people_sql);
  test::CsvFile f{
      "name,age,score,born,seen,active,photo\r\n"
      "\"Smith, \"\"J\"\"\",42,1.5,2000-01-31,2024-01-02T03:04:05.5Z,yes,\\x00ff\r\n"
      "\"two\nlines\",,-Infinity,,2024-01-02 05:04:05+02:00,F,\r\n"
      "\"\",7,,1999-12-31,,,\r\n"};
  bulkinsert::CsvReader csv{f.path()};
  const auto r = bulkinsert::load_csv(db.backend(), csv, into("people"));
  REQUIRE(r.rows_read == 3);
  REQUIRE(r.rows_loaded == 3);
  REQUIRE(r.rows_rejected == 0);
  SQLite::Statement q{db.db(), "SELECT name, age, typeof(age), score, born, seen, active, hex(photo), photo IS NULL FROM people ORDER BY id"};
  REQUIRE(q.executeStep());
  REQUIRE(q.getColumn(0).getString() == "Smith, \"J\"");
  REQUIRE(q.getColumn(1).getInt64() == 42);
  REQUIRE(q.getColumn(2).getString() == "integer");
  REQUIRE(q.getColumn(3).getDouble() == 1.5);
  REQUIRE(q.getColumn(4).getString() == "2000-01-31");
  REQUIRE(q.getColumn(5).getString() == "2024-01-02 03:04:05.500000");
  REQUIRE(q.getColumn(6).getInt() == 1);
  REQUIRE(q.getColumn(7).getString() == "00FF");
  REQUIRE(q.executeStep());
  REQUIRE(q.getColumn(0).getString() == "two\nlines");
  REQUIRE(q.getColumn(1).isNull());
  REQUIRE(q.getColumn(3).getDouble() == -HUGE_VAL);
  REQUIRE(q.getColumn(5).getString() == "2024-01-02 03:04:05.000000");
  REQUIRE(q.getColumn(6).getInt() == 0);
  REQUIRE(q.getColumn(8).getInt() == 1);  // empty field: NULL
  REQUIRE(q.executeStep());
  REQUIRE(q.getColumn(0).getString().empty());  // quoted "": an empty string, not NULL
}

TEST_CASE("csv load reads a chosen NULL spelling, or none", "[sqlite][csv]") {
  test::SqliteDb db;
  db.exec("CREATE TABLE t (a TEXT, b TEXT)");
  test::CsvFile f{"a,b\nNA,\n\"NA\",x\n"};
  {
    bulkinsert::CsvReader csv{f.path()};
    auto o = into("t");
    o.null_text = "NA";
    (void)bulkinsert::load_csv(db.backend(), csv, o);
  }
  {
    bulkinsert::CsvReader csv{f.path()};
    auto o = into("t");
    o.null_text.reset();
    (void)bulkinsert::load_csv(db.backend(), csv, o);
  }
  SQLite::Statement q{db.db(), "SELECT quote(a), quote(b) FROM t ORDER BY rowid"};
  std::vector<std::string> got;
  while (q.executeStep()) got.push_back(q.getColumn(0).getString() + "|" + q.getColumn(1).getString());
  REQUIRE(got == std::vector<std::string>{"NULL|''", "'NA'|'x'", "'NA'|''", "'NA'|'x'"});
}

TEST_CASE("csv load maps columns explicitly and ignores unmapped ones when asked", "[sqlite][csv]") {
  test::SqliteDb db;
  db.exec(people_sql);
  test::CsvFile f{"Full Name,AGE,phone\nann,30,555\n"};
  bulkinsert::CsvReader csv{f.path()};
  auto o = into("people");
  o.map = {{"Full Name", "name"}};
  o.ignore_unmapped = true;
  REQUIRE(bulkinsert::load_csv(db.backend(), csv, o).rows_loaded == 1);
  REQUIRE(db.db().execAndGet("SELECT name || ':' || age FROM people").getString() == "ann:30");
}

TEST_CASE("csv load refuses a wrong header before sending anything", "[sqlite][csv]") {
  test::SqliteDb db;
  db.exec(people_sql);
  SECTION("an unknown column") {
    test::CsvFile f{"name,agee\nann,30\n"};
    bulkinsert::CsvReader csv{f.path()};
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, into("people")),
                        Catch::Contains("CSV column \"agee\" has no column in table \"people\""));
  }
  SECTION("a missing required column") {
    test::CsvFile f{"age\n30\n"};
    bulkinsert::CsvReader csv{f.path()};
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, into("people")),
                        Catch::Contains("requires column name"));
  }
  SECTION("a missing table") {
    test::CsvFile f{"name\nann\n"};
    bulkinsert::CsvReader csv{f.path()};
    REQUIRE_THROWS_AS(bulkinsert::load_csv(db.backend(), csv, into("nope")), bulkinsert::DatabaseError);
  }
  REQUIRE(db.count("people") == 0);
}

TEST_CASE("csv load stops at the first bad value, names it, and rolls back", "[sqlite][csv]") {
  test::SqliteDb db;
  db.exec(people_sql);
  test::CsvFile f{"name,age\nann,30\nbob,thirty\ncy,40\n"};
  bulkinsert::CsvReader csv{f.path()};
  try {
    (void)bulkinsert::load_csv(db.backend(), csv, into("people"));
    FAIL("no error");
  } catch (const bulkinsert::CsvLoadError& e) {
    REQUIRE(e.line() == 3);
    REQUIRE_THAT(e.what(), Catch::Contains("line 3, column \"age\": \"thirty\" is not an integer"));
  }
  REQUIRE(db.count("people") == 0);
}

TEST_CASE("csv load refuses non-UTF-8 text and malformed rows, or rejects them", "[sqlite][csv]") {
  test::SqliteDb db;
  db.exec(people_sql);
  const std::string content = "name,age\nann,1\ncaf\xE9,2\nbob,3,extra\ncy,4\n\"dee\",\"5\"x\neve,6\n";
  {
    test::CsvFile f{content};
    bulkinsert::CsvReader csv{f.path()};
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, into("people")),
                        Catch::Contains("line 3, column \"name\": invalid UTF-8 at byte 4"));
    REQUIRE(db.count("people") == 0);
  }
  test::CsvFile f{content};
  bulkinsert::CsvReader csv{f.path()};
  auto o = into("people");
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

TEST_CASE("csv load of rows that break a unique constraint", "[sqlite][csv]") {
  test::SqliteDb db;
  db.exec(people_sql);
  db.exec("INSERT INTO people (name) VALUES ('taken')");
  std::string content = "name,age\n";
  for (int i = 0; i < 50; ++i) content += (i == 7 || i == 33 ? std::string{"taken"} : "p" + std::to_string(i)) + ",1\n";
  content += "p0,2\n";  // a duplicate inside the file, line 52
  test::CsvFile f{content};
  const auto strategy = GENERATE(as<std::string>{}, "multi_values", "execute_many", "per_row");
  CAPTURE(strategy);

  SECTION("without a reject limit nothing is loaded and the chunk is named") {
    bulkinsert::CsvReader csv{f.path()};
    auto o = into("people");
    o.strategy = strategy;
    o.chunk_rows = 20;
    REQUIRE_THROWS_WITH(bulkinsert::load_csv(db.backend(), csv, o),
                        Catch::Contains("lines 2-21 refused by the database") && Catch::Contains("UNIQUE"));
    REQUIRE(db.count("people") == 1);
  }
  SECTION("with a reject limit exactly the good rows load") {
    bulkinsert::CsvReader csv{f.path()};
    auto o = into("people");
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
    REQUIRE(log.rejects[0].record == "taken,1");
    REQUIRE(log.rejects[2].record == "p0,2");
    REQUIRE_THAT(log.rejects[0].reason, Catch::Contains("UNIQUE"));
    REQUIRE(db.count("people") == 49);
    REQUIRE(db.db().execAndGet("SELECT count(*) FROM people WHERE age = 2").getInt() == 0);
  }
  SECTION("one reject more than the limit fails the load") {
    bulkinsert::CsvReader csv{f.path()};
    auto o = into("people");
    o.strategy = strategy;
    o.max_rejects = 2;
    REQUIRE_THROWS(bulkinsert::load_csv(db.backend(), csv, o));
    REQUIRE(db.count("people") == 1);
  }
}

TEST_CASE("csv load takes a 1 MiB field", "[sqlite][csv]") {
  test::SqliteDb db;
  db.exec("CREATE TABLE docs (id INTEGER, body TEXT)");
  std::string body(1 << 20, 'a');
  body[10] = ',';
  body[20] = '\n';
  test::CsvFile f{"id,body\n1,\"" + body + "\"\n2,x\n"};
  bulkinsert::CsvReader csv{f.path()};
  REQUIRE(bulkinsert::load_csv(db.backend(), csv, into("docs")).rows_loaded == 2);
  REQUIRE(db.db().execAndGet("SELECT length(body) FROM docs WHERE id = 1").getInt() == 1 << 20);
  REQUIRE(db.db().execAndGet("SELECT body FROM docs WHERE id = 1").getString() == body);
}

TEST_CASE("csv load of a generated 1,000,000-row file", "[sqlite][csv][large]") {
  test::SqliteDb db;
  db.exec("CREATE TABLE gen (id INTEGER PRIMARY KEY, name TEXT, score REAL, born DATE, active BOOLEAN)");
  test::TempDir dir;
  const std::string path = dir.file("gen.csv");
  test::write_generated_csv(path, 1'000'000);
  bulkinsert::CsvReader csv{path};
  auto o = into("gen");
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
  REQUIRE(saw_done);
  REQUIRE(progress_calls > 100);
  REQUIRE(db.count("gen") == 1'000'000);
  REQUIRE(db.db().execAndGet("SELECT name || '|' || score || '|' || born || '|' || active FROM gen WHERE id = 1000000")
              .getString() == "user 999999, the 999999th|999.99|1999-04-08|0");
}

TEST_CASE("csv load resumes after a failure and loads each row exactly once", "[sqlite][csv][resume]") {
  test::SqliteDb db;
  db.exec(people_sql);
  db.exec("INSERT INTO people (id, name) VALUES (1000, 'p45')");  // row 45 of the file fails the first run
  std::string content = "name,age\n";
  for (int i = 0; i < 100; ++i) content += "p" + std::to_string(i) + "," + std::to_string(i) + "\n";
  test::CsvFile f{content};
  auto o = into("people");
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
  REQUIRE(db.db().execAndGet("SELECT count(DISTINCT name) FROM people").getInt() == 100);
}
