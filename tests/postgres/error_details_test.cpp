// What PostgreSQL's errors say: the input row and column of a COPY refusal from the server's CONTEXT,
// the server's HINT, no internal query, and an out-of-range integer refused before per_row sends it.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/postgres.hpp"

using bulkinsert::DynamicRow;

TEST_CASE("a value COPY refuses is named by input row and column", "[postgres][copy][errors]") {
  test::PgDb db;
  db.exec("CREATE TABLE mis (id bigint PRIMARY KEY, quantity integer NOT NULL)");
  // Text where the column wants an integer: no binary form, so the chunk goes as COPY text and the
  // server parses it, naming "line 3, column quantity" of its COPY.
  const bulkinsert::Table<DynamicRow> table{"mis", {"id", "quantity"}};
  const std::vector<DynamicRow> rows{{std::int64_t{0}, std::string{"1"}},
                                     {std::int64_t{1}, std::string{"2"}},
                                     {std::int64_t{2}, std::string{"abc"}},
                                     {std::int64_t{3}, std::string{"4"}}};
  bulkinsert::BulkInserter inserter{db.backend()};
  try {
    (void)inserter.insert(table, rows, bulkinsert::copy);
    FAIL("the server should have refused \"abc\"");
  } catch (const bulkinsert::ChunkError& e) {
    CHECK(e.code() == "22P02");
    CHECK(e.input_row() == std::optional<std::size_t>{2});
    CHECK_THAT(e.what(), Catch::Contains("[input row 2, column \"quantity\"]"));
    CHECK_THAT(e.what(), !Catch::Contains("CONTEXT: COPY"));
  }
  CHECK(db.count("mis") == 0);
}

TEST_CASE("the server's HINT stays in the message", "[postgres][errors]") {
  test::PgDb db;
  db.exec("CREATE TABLE ids (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text)");
  const bulkinsert::Table<std::tuple<std::int64_t, std::string>> table{"ids", {"id", "name"}};
  const std::vector<std::tuple<std::int64_t, std::string>> rows{{1, "a"}, {2, "b"}};
  bulkinsert::BulkInserter inserter{db.backend()};
  CHECK_THROWS_WITH(inserter.insert(table, rows, bulkinsert::multi_values),
                    Catch::Contains("HINT: Use OVERRIDING SYSTEM VALUE"));
}

TEST_CASE("an error about a missing table shows none of the library's own queries", "[postgres][errors]") {
  test::PgDb db;
  const bulkinsert::Table<std::tuple<std::int64_t>> table{"no_such_table", {"id"}};
  const std::vector<std::tuple<std::int64_t>> rows{{1}};
  bulkinsert::BulkInserter inserter{db.backend()};
  for (const char* strategy : {"copy", "per_row", "multi_values", "execute_many"}) {
    CAPTURE(strategy);
    try {
      (void)inserter.insert(table, rows, strategy);
      FAIL("the table does not exist");
    } catch (const bulkinsert::Error& e) {
      CHECK_THAT(e.what(), Catch::Contains("no_such_table") && Catch::Contains("does not exist"));
      CHECK_THAT(e.what(), !Catch::Contains("unnamed portal") && !Catch::Contains("pg_attribute") &&
                               !Catch::Contains("regclass"));
    }
  }
}

TEST_CASE("per_row refuses an integer beyond its smallint column before sending anything", "[postgres][per_row]") {
  test::PgDb db;
  db.exec("CREATE TABLE small (id bigint PRIMARY KEY, n smallint)");
  const bulkinsert::Table<std::tuple<std::int64_t, std::int64_t>> table{"small", {"id", "n"}};
  const std::vector<std::tuple<std::int64_t, std::int64_t>> rows{{1, 1}, {2, 40000}};
  bulkinsert::BulkInserter inserter{db.backend()};
  try {
    (void)inserter.insert(table, rows, bulkinsert::per_row);
    FAIL("40000 does not fit a smallint");
  } catch (const bulkinsert::ChunkError&) {
    FAIL("refused by the server, not before sending");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("row 1") && Catch::Contains("\"n\""));
  }
  CHECK(db.count("small") == 0);
}
