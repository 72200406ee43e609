// COPY text under other client encodings. Our COPY text escaping works byte by byte; in SJIS, BIG5, GBK
// and the other client-only encodings the second byte of a character can be 0x5C, a backslash. A
// connection the backend opens speaks UTF-8 whatever its conninfo asks; a borrowed connection is
// followed in an encoding where that cannot happen (LATIN1) and refused, before any row is sent, in one
// where it can (SJIS). Stored text is compared as the hex of its UTF-8 bytes, whatever the reader's encoding.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include <bulkinsert/postgres.hpp>

#include "support/postgres.hpp"

using bulkinsert::BulkInserter;

namespace {

// The numeric column has no binary encoder here, so every load of this table is COPY's text format.
using Row = std::tuple<std::int64_t, std::string, std::string>;
const bulkinsert::Table<Row> notes{"notes", {"id", "amount", "body"}};
constexpr const char* notes_ddl = "CREATE TABLE notes (id bigint, amount numeric, body text)";

// U+30BD KATAKANA LETTER SO is 0x83 0x5C in SJIS: its second byte is a backslash.
const std::string tricky = "\u30bd\u8868 back\\slash\ttab\nline";

std::string hex(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return out;
}

std::vector<std::string> stored_bodies_hex(test::PgDb& db) {
  std::vector<std::string> out;
  for (const auto& row : db.query("SELECT encode(convert_to(body, 'UTF8'), 'hex') FROM notes ORDER BY id"))
    out.emplace_back(row[0].c_str());
  return out;
}

std::string client_encoding(pqxx::connection_base& c) {
  pqxx::nontransaction n{c};
  return n.exec("SHOW client_encoding")[0][0].c_str();
}

}  // namespace

TEST_CASE("the test cluster's database is UTF8", "[postgres][encoding]") {
  test::PgDb db;
  CHECK(std::string{db.query("SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()")[0][0]
                        .c_str()} == "UTF8");
}

TEST_CASE("a backend that opens its connection speaks UTF-8 whatever the conninfo asks", "[postgres][encoding]") {
  test::PgDb db;
  db.exec(notes_ddl);
  bulkinsert::PostgresBackend backend{db.conninfo() + " client_encoding=SJIS"};
  CHECK(client_encoding(backend.connection()) == "UTF8");
  const std::vector<Row> rows{{1, "2.50", tricky}};
  const auto report = BulkInserter{backend}.insert(notes, rows, bulkinsert::Copy{});
  CHECK(report.rows == 1);
  CHECK(stored_bodies_hex(db) == std::vector<std::string>{hex(tricky)});
}

TEST_CASE("a borrowed SJIS connection is refused before any row is sent", "[postgres][encoding]") {
  test::PgDb db;
  db.exec(notes_ddl);
  pqxx::connection conn{db.conninfo() + " client_encoding=SJIS"};
  REQUIRE(client_encoding(conn) == "SJIS");
  bulkinsert::PostgresBackend backend{conn};
  const std::vector<Row> rows{{1, "2.50", tricky}};
  const std::string strategy = GENERATE(as<std::string>{}, "copy", "multi_values", "execute_many", "per_row");
  CAPTURE(strategy);
  const auto names_the_encoding = Catch::Matchers::Predicate<bulkinsert::InputError>(
      [](const bulkinsert::InputError& e) {
        return std::string_view{e.what()}.starts_with(
            "the connection's client_encoding is SJIS, whose multibyte characters can contain ASCII bytes such as a "
            "backslash");
      },
      "names SJIS and why");
  CHECK_THROWS_MATCHES(BulkInserter{backend}.insert(notes, rows, strategy), bulkinsert::InputError, names_the_encoding);
  CHECK(db.count("notes") == 0);

  // No transaction was left open on the caller's connection: it can switch to UTF-8 and load.
  pqxx::nontransaction{conn}.exec("SET client_encoding = 'UTF8'");
  CHECK(BulkInserter{backend}.insert(notes, rows, strategy).rows == 1);
  CHECK(stored_bodies_hex(db) == std::vector<std::string>{hex(tricky)});
}

TEST_CASE("a borrowed connection switched to SJIS after the backend was made is refused", "[postgres][encoding]") {
  test::PgDb db;
  db.exec(notes_ddl);
  pqxx::connection conn{db.conninfo()};
  bulkinsert::PostgresBackend backend{conn};
  backend.execute("SET client_encoding = 'SJIS'");
  const std::vector<Row> rows{{1, "2.50", tricky}};
  CHECK_THROWS_AS(BulkInserter{backend}.insert(notes, rows), bulkinsert::InputError);
  CHECK(db.count("notes") == 0);
}

TEST_CASE("a borrowed LATIN1 connection is followed: its text is sent as LATIN1", "[postgres][encoding]") {
  test::PgDb db;
  db.exec(notes_ddl);
  pqxx::connection conn{db.conninfo() + " client_encoding=LATIN1"};
  REQUIRE(client_encoding(conn) == "LATIN1");
  bulkinsert::PostgresBackend backend{conn};
  // "café \ <tab> x" in LATIN1: every byte of a character is either ASCII or >= 0x80, so escaping byte by byte is right.
  const std::vector<Row> rows{{1, "1", "caf\xe9 \\ \t x"}};
  CHECK(BulkInserter{backend}.insert(notes, rows, bulkinsert::Copy{}).rows == 1);
  CHECK(stored_bodies_hex(db) == std::vector<std::string>{hex("caf\u00e9 \\ \t x")});
}
