// COPY specifics: which format it picks, escaping in text format, chunks as separate COPY commands.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/postgres.hpp"
#include "support/samples.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;

TEST_CASE("copy uses the binary format when every column has a built in type", "[postgres][copy]") {
  test::PgDb db;
  db.exec("CREATE TABLE one (id bigint)");
  using Row = std::tuple<std::int64_t>;
  const std::vector<Row> rows{{42}};
  const auto r = BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"one", {"id"}}, rows, Copy{});
  // Header (11 signature + 4 flags + 4 extension) + row (2 field count + 4 length + 8 value) + trailer (2).
  CHECK(r.bytes == 19 + 14 + 2);
  CHECK(db.query("SELECT id FROM one")[0][0].as<std::int64_t>() == 42);
}

TEST_CASE("copy uses the text format when a column has no binary encoder", "[postgres][copy]") {
  test::PgDb db;
  db.exec("CREATE TABLE two (id bigint, amount numeric)");
  using Row = std::tuple<std::int64_t, std::string>;
  const std::vector<Row> rows{{1, "2.50"}};
  const auto r = BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"two", {"id", "amount"}}, rows, Copy{});
  CHECK(r.bytes == std::string{"1\t2.50\n"}.size());
  CHECK(std::string{db.query("SELECT amount::text FROM two")[0][0].c_str()} == "2.50");
}

TEST_CASE("copy escapes tricky strings in both formats", "[postgres][copy]") {
  test::PgDb db;
  db.exec("CREATE TABLE notes (id integer, body text, v varchar(100), c char(3), amount numeric)");
  struct Note {
    std::int64_t id;
    std::string body;
  };
  std::vector<Note> rows;
  const auto& strings = test::tricky_strings();
  for (std::size_t i = 0; i < strings.size(); ++i) rows.push_back({static_cast<std::int64_t>(i), strings[i]});
  // Each string also alone on a line of its own in one value, where "\." would end COPY text data.
  for (std::size_t i = 0; i < strings.size(); ++i)
    rows.push_back({static_cast<std::int64_t>(100 + i), "x\n" + strings[i] + "\n" + strings[i]});

  auto table = bulkinsert::Table<Note>{"notes"}
                   .column("id", &Note::id)
                   .column("body", &Note::body)
                   .column("v", [](const Note& n) { return n.body.substr(0, 100); })
                   .column("c", [](const Note& n) { return n.id % 2 == 0 ? std::string{"\\N"} : std::string{"\\."}; });
  SECTION("binary") {}
  SECTION("text") { table.column("amount", [](const Note&) { return "0.1"; }); }
  (void)BulkInserter{db.backend()}.insert(table, rows, Copy{.rows_per_chunk = 7});

  const pqxx::result r = db.query("SELECT id, body, v, c FROM notes ORDER BY id");
  REQUIRE(r.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    CHECK(r[static_cast<int>(i)][0].as<std::int64_t>() == rows[i].id);
    CHECK(std::string{r[static_cast<int>(i)][1].c_str()} == rows[i].body);
    CHECK(std::string{r[static_cast<int>(i)][2].c_str()} == rows[i].body.substr(0, 100));
    // char(3) pads with a blank, which text output keeps.
    CHECK(std::string{r[static_cast<int>(i)][3].c_str()} == (rows[i].id % 2 == 0 ? "\\N " : "\\. "));
  }
  CHECK(db.count("notes WHERE body IS NULL") == 0);
}

TEST_CASE("copy sends one command per chunk", "[postgres][copy]") {
  test::PgDb db;
  db.exec("CREATE TABLE n (i bigint)");
  std::vector<std::tuple<std::int64_t>> rows;
  for (std::int64_t i = 0; i < 100'000; ++i) rows.emplace_back(i);
  const auto r = BulkInserter{db.backend()}.insert(bulkinsert::Table<std::tuple<std::int64_t>>{"n", {"i"}}, rows);
  CHECK(r.strategy == "copy");
  CHECK(r.chunks == 2);  // 50,000 rows per chunk by default
  CHECK(r.statements == 2);
  CHECK(db.query("SELECT count(*), sum(i) FROM n")[0][1].as<std::int64_t>() == 4'999'950'000LL);
}

TEST_CASE("copy accepts what the other strategies accept: a value with no binary form goes as text", "[postgres][copy]") {
  test::PgDb db;
  db.exec("CREATE TABLE f (id integer, flag boolean, day date)");
  using Row = std::tuple<std::int64_t, std::int64_t, std::string>;
  const std::vector<Row> rows{{1, 0, "2024-02-29"}, {2, 1, "1999-12-31"}};
  for (const std::string_view strategy : {"copy", "multi_values", "execute_many"}) {
    db.exec("TRUNCATE f");
    (void)BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"f", {"id", "flag", "day"}}, rows, strategy);
    CHECK(db.query("SELECT count(*) FROM f WHERE (id = 1 AND NOT flag AND day = '2024-02-29') OR (id = 2 AND flag AND day = '1999-12-31')")[0][0].as<int>() == 2);
  }
  // The server's own parser decides, as for every strategy: 2 is not a boolean.
  const std::vector<Row> bad{{1, 2, "2024-02-29"}};
  db.exec("TRUNCATE f");
  CHECK_THROWS_AS((void)BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"f", {"id", "flag", "day"}}, bad, Copy{}), bulkinsert::ChunkError);
  CHECK(db.count("f") == 0);
}

TEST_CASE("the NUL check finds a NUL byte at every position of text of every length up to 100", "[postgres][copy]") {
  // has_nul reads short text a word at a time, with an overlapping last word: every length and
  // position, across the word, tail and memchr paths.
  for (std::size_t n = 0; n <= 100; ++n) {
    std::string s(n, 'x');
    CHECK_FALSE(bulkinsert::detail::pg::has_nul(s));
    for (std::size_t at = 0; at < n; ++at) {
      s[at] = '\0';
      CHECK(bulkinsert::detail::pg::has_nul(s));
      s[at] = 'x';
    }
    // Bytes with the high bit set (UTF-8) are not NUL, whatever the word arithmetic does with them.
    CHECK_FALSE(bulkinsert::detail::pg::has_nul(std::string(n, '\x80')));
    CHECK_FALSE(bulkinsert::detail::pg::has_nul(std::string(n, '\xff')));
  }
}

TEST_CASE("copy binary stores text of every length from 0 to 100 bytes exactly, and refuses a NUL in it", "[postgres][copy]") {
  test::PgDb db;
  db.exec("CREATE TABLE t (n integer, body text)");
  using Row = std::tuple<std::int64_t, std::string>;
  const bulkinsert::Table<Row> table{"t", {"n", "body"}};
  std::vector<Row> rows;
  for (std::int64_t n = 0; n <= 100; ++n) {
    std::string body;
    for (std::int64_t i = 0; i < n; ++i) body += static_cast<char>('a' + (i * 7 + n) % 26);
    rows.emplace_back(n, body);
  }
  const auto r = BulkInserter{db.backend()}.insert(table, rows, Copy{});
  CHECK(r.rows_committed == rows.size());
  const auto stored = db.query("SELECT n, body FROM t ORDER BY n");
  REQUIRE(stored.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) CHECK(stored[i][1].as<std::string>() == std::get<1>(rows[i]));

  db.exec("TRUNCATE t");
  std::get<1>(rows[70]).back() = '\0';  // the last byte, read by the overlapping last word
  CHECK_THROWS_WITH((void)BulkInserter{db.backend()}.insert(table, rows, Copy{}),
                    Catch::Contains("row 70, column \"body\"") && Catch::Contains("NUL"));
  CHECK(db.count("t") == 0);
}
