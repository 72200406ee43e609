// What is MariaDB's own: the strict sql_mode's errors, LOAD DATA's warnings made errors, the limits
// read from the server (max_allowed_packet, 65,535 placeholders), the per-row fallback of array
// binding, and the URL. What every backend does is in tests/conformance.

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/mariadb.hpp>

#include "support/mariadb.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::DynamicRow;
using bulkinsert::Value;

namespace {

using Strategies = std::tuple<bulkinsert::PerRow, bulkinsert::MultiValues, bulkinsert::ExecuteMany, bulkinsert::Copy>;

/// The error code of loading `rows` into `table` through strategy S, or "" if it loaded. LOAD DATA (copy)
/// reports its own codes for the same refusals (a warning each, made an error): "refused" stands for them.
template <class S, class Rows>
std::string refusal(bulkinsert::MariadbBackend& b, const bulkinsert::Table<DynamicRow>& table, const Rows& rows) {
  try {
    (void)BulkInserter{b}.insert(table, rows, S{});
  } catch (const bulkinsert::DatabaseError& e) {
    CHECK(e.kind() == bulkinsert::ErrorKind::row_values);
    return std::is_same_v<S, bulkinsert::Copy> ? "refused" : e.code();
  }
  return "";
}

template <class S>
std::string code(const char* statement_code) {
  return std::is_same_v<S, bulkinsert::Copy> ? "refused" : statement_code;
}

}  // namespace

TEMPLATE_LIST_TEST_CASE("mariadb: the strict sql_mode makes truncation, zero dates and clipping errors", "[mariadb]",
                        Strategies) {
  test::MariaDb db;
  db.exec("CREATE TABLE s (id INT PRIMARY KEY, name VARCHAR(3), day DATE, small TINYINT, at DATETIME(6))");
  const bulkinsert::Table<DynamicRow> table{"s", {"id", "name", "day", "small", "at"}};
  auto row = [](Value name, Value day, Value small, Value at) {
    return std::vector<DynamicRow>{{Value{std::int64_t{1}}, name, day, small, at}};
  };
  const Value ok_name{std::string{"abc"}};
  const Value ok_day{std::string{"2024-02-29"}};
  const Value ok_small{std::int64_t{127}};
  const Value ok_at{std::string{"2024-02-29 12:00:00.5"}};
  CHECK(refusal<TestType>(db.backend(), table, row(Value{std::string{"abcd"}}, ok_day, ok_small, ok_at)) == code<TestType>("1406"));
  CHECK(refusal<TestType>(db.backend(), table, row(ok_name, Value{std::string{"0000-00-00"}}, ok_small, ok_at)) == code<TestType>("1292"));
  CHECK(refusal<TestType>(db.backend(), table, row(ok_name, Value{std::string{"2024-02-00"}}, ok_small, ok_at)) == code<TestType>("1292"));
  CHECK(refusal<TestType>(db.backend(), table, row(ok_name, Value{std::string{"2023-02-29"}}, ok_small, ok_at)) == code<TestType>("1292"));
  CHECK(refusal<TestType>(db.backend(), table, row(ok_name, ok_day, Value{std::int64_t{128}}, ok_at)) == code<TestType>("1264"));
  CHECK(refusal<TestType>(db.backend(), table, row(ok_name, ok_day, Value{std::string{"12x"}}, ok_at)) == code<TestType>("1265"));
  CHECK(refusal<TestType>(db.backend(), table, row(ok_name, ok_day, ok_small, Value{std::string{"0000-00-00 00:00:00"}})) ==
        code<TestType>("1292"));
  CHECK(db.count("s") == 0);
  CHECK(refusal<TestType>(db.backend(), table, row(ok_name, ok_day, ok_small, ok_at)).empty());
  CHECK(db.count("s") == 1);
}

TEST_CASE("mariadb: a duplicate in the middle of a LOAD DATA chunk is an error naming its row", "[mariadb]") {
  test::MariaDb db;
  db.exec("CREATE TABLE d (id INT PRIMARY KEY, name VARCHAR(20) UNIQUE)");
  using Row = std::tuple<std::int64_t, std::string>;
  std::vector<Row> rows;
  for (std::int64_t i = 0; i < 1000; ++i) rows.emplace_back(i, fmt::format("name{}", i));
  std::get<1>(rows[537]) = "name12";  // LOAD DATA alone would skip it with a warning and succeed
  const bulkinsert::Table<Row> table{"d", {"id", "name"}};

  SECTION("no rejects: the chunk fails, naming the row, and nothing is kept") {
    try {
      (void)BulkInserter{db.backend()}.insert(table, rows, bulkinsert::copy);
      FAIL("the duplicate was skipped");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.code() == "1062");
      CHECK(e.input_row() == std::optional<std::size_t>{537});
      CHECK_THAT(e.message(), Catch::Contains("Duplicate entry") && Catch::Contains("input row 537"));
    }
    CHECK(db.count("d") == 0);
  }
  SECTION("rejects allowed: exactly that row is rejected") {
    std::vector<std::size_t> rejected;
    bulkinsert::InsertOptions options;
    options.max_rejects = 5;
    options.on_reject = [&](const bulkinsert::RejectedRow& r) { rejected.push_back(r.input_row); };
    const auto report = BulkInserter{db.backend(), options}.insert(table, rows, bulkinsert::copy);
    CHECK(rejected == std::vector<std::size_t>{537});
    CHECK(report.rows_rejected == 1);
    CHECK(db.count("d") == 999);
    CHECK(db.count("d WHERE id = 537") == 0);
  }
  SECTION("a foreign key refused by LOAD DATA is an error too") {
    db.exec("CREATE TABLE child (id INT PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES d(id))");
    using Child = std::tuple<std::int64_t, std::int64_t>;
    const std::vector<Child> children = {{1, 5}};  // d is empty
    CHECK_THROWS_WITH(BulkInserter{db.backend()}.insert(bulkinsert::Table<Child>{"child", {"id", "parent"}}, children,
                                                        bulkinsert::copy),
                      Catch::Contains("[1452]"));
    CHECK(db.count("child") == 0);
  }
}

TEST_CASE("mariadb: a do-nothing upsert passes over duplicates only, never other errors", "[mariadb]") {
  test::MariaDb db;
  db.exec("CREATE TABLE u (id INT PRIMARY KEY, name VARCHAR(3))");
  db.exec("INSERT INTO u VALUES (1, 'old')");
  using Row = std::tuple<std::int64_t, std::string>;
  const auto table = bulkinsert::Table<Row>{"u", {"id", "name"}}.on_conflict_do_nothing({"id"});
  CHECK(BulkInserter{db.backend()}.insert(table, std::vector<Row>{{1, "new"}, {2, "two"}}).rows == 2);
  CHECK(db.reader().rows("SELECT name FROM u ORDER BY id") == test::TextRows{{"old"}, {"two"}});
  // INSERT IGNORE would have stored 'lon' with a warning.
  CHECK_THROWS_WITH(BulkInserter{db.backend()}.insert(table, std::vector<Row>{{3, "long"}}), Catch::Contains("[1406]"));
  CHECK(db.count("u") == 2);
}

TEST_CASE("mariadb: a row larger than max_allowed_packet is refused before anything is sent", "[mariadb]") {
  test::MariaDb db;
  db.exec("CREATE TABLE big (id INT PRIMARY KEY, body LONGBLOB)");
  const std::size_t limit = db.backend().max_packet();
  CHECK(limit == static_cast<std::size_t>(db.reader().scalar("SELECT @@max_allowed_packet")));
  using Row = std::tuple<std::int64_t, bulkinsert::Bytes>;
  std::vector<Row> rows;
  rows.emplace_back(0, bulkinsert::Bytes(10));
  rows.emplace_back(1, bulkinsert::Bytes(limit + 1));
  const bulkinsert::Table<Row> table{"big", {"id", "body"}};
  auto refused = [&](auto strategy) {
    try {
      (void)BulkInserter{db.backend()}.insert(table, rows, strategy);
      FAIL("the oversized row was sent");
    } catch (const bulkinsert::InputError& e) {
      // The limit named is max_allowed_packet, or what of it one statement's parameters may use.
      CHECK_THAT(e.what(), Catch::Contains("row 1") && (Catch::Contains(std::to_string(limit)) ||
                                                         Catch::Contains(std::to_string(db.backend().limits().max_statement_bytes))));
    }
    CHECK(db.count("big") == 0);
  };
  refused(bulkinsert::per_row);
  refused(bulkinsert::multi_values);
  refused(bulkinsert::execute_many);
  refused(bulkinsert::copy);
}

TEST_CASE("mariadb: statements and array batches stay within max_allowed_packet and 65,535 placeholders", "[mariadb]") {
  test::MariaDb db;
  CHECK(db.backend().limits().max_params == 65535);
  db.exec("CREATE TABLE w (id INT PRIMARY KEY, body LONGTEXT)");
  using Row = std::tuple<std::int64_t, std::string>;
  // The bound is the server's max_allowed_packet, or a smaller one asked for: 1 MiB here, so that ten
  // packets' worth of rows is 10 MiB rather than 640.
  bulkinsert::MariadbOptions options = bulkinsert::parse_mariadb_url(db.url());
  options.max_packet = 1 << 20;
  bulkinsert::MariadbBackend small{options};
  const std::size_t limit = small.max_packet();
  REQUIRE(limit == options.max_packet);
  // 90 rows of a ninth of the packet limit each: ten rows' worth of packets.
  std::vector<Row> rows;
  for (std::int64_t i = 0; i < 90; ++i) rows.emplace_back(i, std::string(limit / 9, static_cast<char>('a' + i % 26)));
  const bulkinsert::Table<Row> table{"w", {"id", "body"}};
  const auto report = BulkInserter{small}.insert(table, rows, bulkinsert::MultiValues{.rows_per_statement = 0});
  CHECK(report.rows == 90);
  CHECK(report.statements >= 10);
  db.exec("DELETE FROM w");
  const auto many = BulkInserter{small}.insert(table, rows, bulkinsert::execute_many);
  CHECK(many.rows == 90);
  CHECK(many.statements >= 10);  // array batches, each within the packet
  CHECK(db.count("w") == 90);
  CHECK(db.reader().scalar("SELECT sum(length(body)) FROM w") == static_cast<std::int64_t>(90 * (limit / 9)));

  // 65,535 placeholders: 13 columns make 5,041 rows a statement.
  std::string ddl = "CREATE TABLE p (id INT PRIMARY KEY";
  std::vector<std::string> columns = {"id"};
  for (int c = 1; c < 13; ++c) {
    ddl += fmt::format(", c{} INT", c);
    columns.push_back(fmt::format("c{}", c));
  }
  db.exec(ddl + ")");
  std::vector<DynamicRow> wide;
  for (std::int64_t i = 0; i < 12'000; ++i) wide.emplace_back(13, Value{i});
  const auto r = BulkInserter{db.backend()}.insert(bulkinsert::Table<DynamicRow>{"p", columns}, wide,
                                                   bulkinsert::MultiValues{.rows_per_statement = 0});
  CHECK(r.statements == 3);  // 5,041 + 5,041 + 1,918
  CHECK(db.count("p") == 12'000);
}

TEST_CASE("mariadb: execute_many without array binding executes each row", "[mariadb]") {
  test::MariaDb db;
  bulkinsert::MariadbOptions options = bulkinsert::parse_mariadb_url(db.url());
  options.array_binding = false;
  bulkinsert::MariadbBackend plain{options};
  CHECK_FALSE(plain.array_binding());
  CHECK(db.backend().array_binding());
  db.exec("CREATE TABLE e (id INT PRIMARY KEY, name VARCHAR(20) UNIQUE)");
  using Row = std::tuple<std::int64_t, std::optional<std::string>>;
  std::vector<Row> rows;
  for (std::int64_t i = 0; i < 100; ++i) rows.emplace_back(i, i % 10 == 0 ? std::nullopt : std::optional{fmt::format("n{}", i)});
  const bulkinsert::Table<Row> table{"e", {"id", "name"}};
  CHECK(BulkInserter{plain}.insert(table, rows, bulkinsert::execute_many).statements == 100);
  CHECK(db.count("e") == 100);
  CHECK(db.count("e WHERE name IS NULL") == 10);
  rows[50] = Row{1000, "n1"};
  for (auto* b : {&plain, &db.backend()}) {
    db.exec("DELETE FROM e");
    try {
      (void)BulkInserter{*b}.insert(table, rows, bulkinsert::execute_many);
      FAIL("the duplicate was accepted");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.input_row() == std::optional<std::size_t>{50});  // named with array binding too
    }
    CHECK(db.count("e") == 0);
  }
}

TEST_CASE("mariadb: URLs", "[mariadb]") {
  const auto o = bulkinsert::parse_mariadb_url("mariadb://ann:p%40ss@db.example:3307/shop");
  CHECK(o.user == "ann");
  CHECK(o.password == "p@ss");
  CHECK(o.host == "db.example");
  CHECK(o.port == 3307);
  CHECK(o.database == "shop");
  CHECK(o.socket.empty());
  const auto s = bulkinsert::parse_mariadb_url("mysql://root@localhost/test?socket=/tmp/x/sock");
  CHECK(s.user == "root");
  CHECK(s.password.empty());
  CHECK(s.socket == "/tmp/x/sock");
  CHECK(bulkinsert::is_mariadb_url("mysql://a@b/c"));
  CHECK_FALSE(bulkinsert::is_mariadb_url("postgresql://a@b/c"));
  CHECK_THROWS_AS(bulkinsert::parse_mariadb_url("mariadb://root@localhost"), bulkinsert::InputError);
  CHECK_THROWS_AS(bulkinsert::parse_mariadb_url("mariadb://root@localhost:99999/x"), bulkinsert::InputError);
  CHECK_THROWS_AS(bulkinsert::parse_mariadb_url("mariadb://root@localhost/x?ssl=1"), bulkinsert::InputError);
}
