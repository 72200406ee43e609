// Hostile input on SQLite, through every strategy: names that need quoting, text holding every byte
// 1-255 (SQLite keeps text bytes as they are), 16 MiB values, infinities and float extremes, the integer
// extremes of every width, timestamps far from 1970 with microseconds, and empty strings next to NULLs.
// Every value read back must equal what went in. values_test.cpp covers the general sample rows (and
// NaN, which SQLite would store as NULL and is refused); this file adds the explicit edge cases.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <bulkinsert/sqlite.hpp>

#include "support/samples.hpp"
#include "support/schema.hpp"
#include "support/sqlite.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::DynamicRow;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;
using bulkinsert::Value;

namespace {

std::string q(std::string_view name) { return bulkinsert::quote_identifier<bulkinsert::SqliteDialect>(name); }

template <class S>
S small_chunks() {
  return test::with_chunk_rows<S>(3);  // several chunks, and a last one of another size
}

bulkinsert::Bytes blob_of(const SQLite::Column& c) {
  const auto* p = static_cast<const std::byte*>(c.getBlob());
  return bulkinsert::Bytes(p, p + c.getBytes());
}

}  // namespace

TEMPLATE_TEST_CASE("hostile table and column names round trip on sqlite", "[sqlite][hostile]", PerRow, MultiValues,
                   ExecuteMany) {
  const std::vector<std::string> tables = {"users; DROP TABLE x", "a\"b", "select", "with space ",
                                           "ユーザー表", "Robert'); DROP TABLE x;--", "\"", "x\"; DROP TABLE x; --",
                                           "[bracket]", "`tick`"};
  const std::vector<std::string> columns = {"a\"b", "select", "from; DROP TABLE x", " Col Space", "naïve",
                                            "it's", "\"\"", "order", "?1", ":name"};
  test::SqliteDb db;
  db.exec("CREATE TABLE x (canary INTEGER)");
  db.exec("INSERT INTO x VALUES (42)");
  std::string ddl_columns;
  for (const auto& c : columns) ddl_columns += (ddl_columns.empty() ? "" : ", ") + q(c) + " TEXT";
  std::vector<DynamicRow> rows;
  for (int r = 0; r < 7; ++r) {
    DynamicRow row;
    for (std::size_t c = 0; c < columns.size(); ++c) row.emplace_back(fmt::format("{}:{}'\";", r, c));
    rows.push_back(std::move(row));
  }
  for (const auto& name : tables) {
    INFO("table " << name);
    db.exec(fmt::format("CREATE TABLE {} ({}, UNIQUE ({}))", q(name), ddl_columns, q(columns[0])));
    const bulkinsert::Table<DynamicRow> table{name, columns};
    CHECK(BulkInserter{db.backend()}.insert(table, rows, small_chunks<TestType>()).rows == rows.size());
    // ON CONFLICT names its target and update columns, and a resumable import writes its progress.
    const auto upsert = bulkinsert::Table<DynamicRow>{name, columns}.on_conflict_update({columns[0]}, {columns[1]});
    auto changed = rows;
    for (auto& r : changed) r[1] = Value{std::string{"updated"}};
    bulkinsert::InsertOptions resumable;
    resumable.import_id = "hostile " + name;
    CHECK(BulkInserter{db.backend(), resumable}.insert(upsert, changed, small_chunks<TestType>()).rows == rows.size());

    std::string select;
    for (const auto& c : columns) select += (select.empty() ? "" : ", ") + q(c);
    SQLite::Statement got{db.db(), fmt::format("SELECT {} FROM {} ORDER BY rowid", select, q(name))};
    std::size_t r = 0;
    for (; got.executeStep(); ++r) {
      REQUIRE(r < rows.size());
      for (std::size_t c = 0; c < columns.size(); ++c)
        CHECK(got.getColumn(static_cast<int>(c)).getString() ==
              (c == 1 ? std::string{"updated"} : std::get<std::string>(rows[r][c])));
    }
    CHECK(r == rows.size());
  }
  CHECK(db.count("x") == 1);  // nothing was injected
}

TEMPLATE_TEST_CASE("text holding every byte 1 to 255 round trips on sqlite", "[sqlite][hostile]", PerRow,
                   MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE h (id INTEGER, t TEXT, v VARCHAR(10), b BLOB)");
  std::string every;
  for (int b = 1; b < 256; ++b) every += static_cast<char>(b);
  const std::vector<std::string> texts = {every, "\t", "\r", "\n", "\\", "\\N", "\\.", "\\.\n", "\r\n\\.\r\n",
                                          "a\tb\nc\rd\\e", "'; DROP TABLE h; --", "\xff\xfe", "\xc3\x28"};
  std::vector<DynamicRow> rows;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    bulkinsert::Bytes raw;
    for (int b = 0; b < 256; ++b) raw.push_back(static_cast<std::byte>((b + static_cast<int>(i)) & 0xFF));
    rows.push_back({Value{static_cast<std::int64_t>(i)}, Value{texts[i]}, Value{texts[i]}, Value{raw}});
  }
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<DynamicRow>{"h", {"id", "t", "v", "b"}}, rows,
                                          small_chunks<TestType>())
            .rows == rows.size());
  SQLite::Statement got{db.db(), "SELECT t, v, b, typeof(t), typeof(b) FROM h ORDER BY id"};
  std::size_t i = 0;
  for (; got.executeStep(); ++i) {
    INFO("row " << i);
    REQUIRE(i < texts.size());
    CHECK(got.getColumn(0).getString() == texts[i]);
    CHECK(got.getColumn(1).getString() == texts[i]);
    CHECK(blob_of(got.getColumn(2)) == std::get<bulkinsert::Bytes>(rows[i][3]));
    CHECK(got.getColumn(3).getString() == "text");
    CHECK(got.getColumn(4).getString() == "blob");
  }
  CHECK(i == texts.size());
}

TEMPLATE_TEST_CASE("16 MiB text and blob values round trip on sqlite", "[sqlite][hostile]", PerRow, MultiValues,
                   ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE h (id INTEGER, t TEXT, b BLOB)");
  std::string text(16u << 20, '\0');
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(1 + i % 255);
  bulkinsert::Bytes bytes(16u << 20);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>((i * 7 + i / 256) & 0xFF);
  const std::vector<DynamicRow> rows = {{Value{std::int64_t{1}}, Value{text}, Value{bytes}},
                                        {Value{std::int64_t{2}}, Value{std::string{"small"}}, Value{bulkinsert::Bytes{}}}};
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<DynamicRow>{"h", {"id", "t", "b"}}, rows, TestType{}).rows ==
        2);
  SQLite::Statement got{db.db(), "SELECT t, b FROM h ORDER BY id"};
  REQUIRE(got.executeStep());
  CHECK(got.getColumn(0).getString() == text);
  CHECK(blob_of(got.getColumn(1)) == bytes);
  REQUIRE(got.executeStep());
  CHECK(got.getColumn(0).getString() == "small");
}

TEMPLATE_TEST_CASE("infinities and float extremes round trip on sqlite", "[sqlite][hostile]", PerRow, MultiValues,
                   ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE h (id INTEGER, f REAL, d REAL)");
  using fl = std::numeric_limits<float>;
  using dl = std::numeric_limits<double>;
  using Row = std::tuple<std::int64_t, float, double>;
  const std::vector<Row> input = {
      {0, fl::infinity(), dl::infinity()}, {1, -fl::infinity(), -dl::infinity()}, {2, fl::max(), dl::max()},
      {3, fl::lowest(), dl::lowest()},     {4, fl::denorm_min(), dl::denorm_min()}, {5, fl::min(), dl::min()},
      {6, fl::epsilon(), 0.1 + 0.2},       {7, -0.0f, -0.0},
  };
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"h", {"id", "f", "d"}}, input,
                                          small_chunks<TestType>())
            .rows == input.size());
  SQLite::Statement got{db.db(), "SELECT f, d FROM h ORDER BY id"};
  std::size_t i = 0;
  for (; got.executeStep(); ++i) {
    INFO("row " << i);
    const auto [id, ef, ed] = input[i];
    // An integral REAL is stored as an integer on disk, so -0.0 reads back as 0.0 (SQLite, not bulkinsert).
    CHECK(static_cast<float>(got.getColumn(0).getDouble()) == ef);
    CHECK(got.getColumn(1).getDouble() == ed);
  }
  CHECK(i == input.size());
}

TEMPLATE_TEST_CASE("the integer extremes of every width round trip on sqlite", "[sqlite][hostile]", PerRow,
                   MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE h (id INTEGER, i8 INTEGER, u8 INTEGER, i16 INTEGER, u16 INTEGER, i32 INTEGER, u32 INTEGER, "
          "i64 INTEGER, u64 INTEGER)");
  using Row = std::tuple<std::int64_t, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t, std::int32_t,
                         std::uint32_t, std::int64_t, std::uint64_t>;
  auto extremes = [](auto pick) {
    return Row(0, pick(std::numeric_limits<std::int8_t>{}), pick(std::numeric_limits<std::uint8_t>{}),
               pick(std::numeric_limits<std::int16_t>{}), pick(std::numeric_limits<std::uint16_t>{}),
               pick(std::numeric_limits<std::int32_t>{}), pick(std::numeric_limits<std::uint32_t>{}),
               pick(std::numeric_limits<std::int64_t>{}), pick(std::numeric_limits<std::uint64_t>{}));
  };
  std::vector<Row> input = {extremes([](auto l) { return l.min(); }),
                            extremes([](auto l) { return decltype(l)::max() / 2; }),
                            extremes([](auto l) { return static_cast<decltype(l.max())>(l.max() - 1); }),
                            Row(0, -1, 1, -1, 1, -1, 1, -1, 1)};
  std::get<8>(input[2]) = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() - 1);  // UINT64_MAX - 1 is refused
  input.push_back(extremes([](auto l) { return l.max(); }));
  std::get<8>(input.back()) = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (std::size_t i = 0; i < input.size(); ++i) std::get<0>(input[i]) = static_cast<std::int64_t>(i);
  const bulkinsert::Table<Row> table{"h", {"id", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64"}};
  CHECK(BulkInserter{db.backend()}.insert(table, input, small_chunks<TestType>()).rows == input.size());
  SQLite::Statement got{db.db(), "SELECT i8, u8, i16, u16, i32, u32, i64, u64, typeof(i64) FROM h ORDER BY id"};
  std::size_t i = 0;
  for (; got.executeStep(); ++i) {
    INFO("row " << i);
    const Row& e = input[i];
    CHECK(got.getColumn(0).getInt64() == std::get<1>(e));
    CHECK(got.getColumn(1).getInt64() == std::get<2>(e));
    CHECK(got.getColumn(2).getInt64() == std::get<3>(e));
    CHECK(got.getColumn(3).getInt64() == std::get<4>(e));
    CHECK(got.getColumn(4).getInt64() == std::get<5>(e));
    CHECK(got.getColumn(5).getInt64() == static_cast<std::int64_t>(std::get<6>(e)));
    CHECK(got.getColumn(6).getInt64() == std::get<7>(e));
    CHECK(got.getColumn(7).getInt64() == static_cast<std::int64_t>(std::get<8>(e)));
    CHECK(got.getColumn(8).getString() == "integer");
  }
  CHECK(i == input.size());

  // One above INT64_MAX is refused, naming the row and the column; nothing of the call is kept.
  db.exec("DELETE FROM h");
  std::get<8>(input[2]) = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
  try {
    (void)BulkInserter{db.backend()}.insert(table, input, small_chunks<TestType>());
    FAIL("an unsigned value above INT64_MAX was accepted");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("row 2") && Catch::Contains("column \"u64\""));
  }
  CHECK(db.count("h") == 0);
}

TEMPLATE_TEST_CASE("timestamps before 1970 and after 2038 keep their microseconds on sqlite", "[sqlite][hostile]",
                   PerRow, MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE h (id INTEGER, ts TIMESTAMP, d DATE)");
  const std::vector<bulkinsert::Timestamp> stamps = {
      test::timestamp(1969, 12, 31, 23, 59, 59, 999'999),  // negative epoch with a sub-second part
      test::timestamp(1970, 1, 1, 0, 0, 0, 1),
      test::timestamp(1, 1, 1, 0, 0, 0, 1),
      test::timestamp(1899, 12, 31, 12, 0, 0, 500'000),
      test::timestamp(2038, 1, 19, 3, 14, 7, 999'999),
      test::timestamp(2038, 1, 19, 3, 14, 8),
      test::timestamp(2262, 4, 11, 23, 47, 16, 854'775),
      test::timestamp(9999, 12, 31, 23, 59, 59, 999'999),
  };
  using Row = std::tuple<std::int64_t, bulkinsert::Timestamp, bulkinsert::Date>;
  std::vector<Row> input;
  for (std::size_t i = 0; i < stamps.size(); ++i)
    input.emplace_back(static_cast<std::int64_t>(i), stamps[i],
                       std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(stamps[i])});
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"h", {"id", "ts", "d"}}, input,
                                          small_chunks<TestType>())
            .rows == input.size());
  // SQLite's own julianday() agrees to the millisecond it resolves.
  SQLite::Statement got{db.db(), "SELECT ts, d, CAST(round((julianday(ts) - 2440587.5) * 86400000) AS INTEGER) "
                                 "FROM h ORDER BY id"};
  std::size_t i = 0;
  for (; got.executeStep(); ++i) {
    INFO("row " << i);
    CHECK(got.getColumn(0).getString() == test::timestamp_text(stamps[i]));
    CHECK(got.getColumn(1).getString() == test::date_text(std::get<2>(input[i])));
    const std::int64_t ms = std::chrono::round<std::chrono::milliseconds>(stamps[i]).time_since_epoch().count();
    // (julianday() rounds 9999-12-31 23:59:59.999999 past its own range: compared as text only.)
    if (std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(stamps[i])}.year() < std::chrono::year{9999})
      CHECK(std::llabs(got.getColumn(2).getInt64() - ms) <= 1);
  }
  CHECK(i == input.size());
}

TEMPLATE_TEST_CASE("empty strings and NULLs are never confused on sqlite", "[sqlite][hostile]", PerRow, MultiValues,
                   ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE h (id INTEGER, t TEXT, v VARCHAR(10), b BLOB)");
  using Row = std::tuple<std::int64_t, std::optional<std::string>, std::optional<std::string>,
                         std::optional<bulkinsert::Bytes>>;
  const std::vector<Row> input = {
      {0, std::nullopt, std::nullopt, std::nullopt}, {1, "", "", bulkinsert::Bytes{}},
      {2, "\\N", "NULL", bulkinsert::Bytes{std::byte{0}}}, {3, " ", "null", std::nullopt},
      {4, std::nullopt, "", bulkinsert::Bytes{}},    {5, "", std::nullopt, std::nullopt},
  };
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"h", {"id", "t", "v", "b"}}, input,
                                          small_chunks<TestType>())
            .rows == input.size());
  SQLite::Statement got{db.db(), "SELECT t, v, b, typeof(t), typeof(v), typeof(b) FROM h ORDER BY id"};
  std::size_t i = 0;
  for (; got.executeStep(); ++i) {
    INFO("row " << i);
    const auto& [id, t, v, b] = input[i];
    CHECK(got.getColumn(3).getString() == (t ? "text" : "null"));
    if (t) CHECK(got.getColumn(0).getString() == *t);
    CHECK(got.getColumn(4).getString() == (v ? "text" : "null"));
    if (v) CHECK(got.getColumn(1).getString() == *v);
    CHECK(got.getColumn(5).getString() == (b ? "blob" : "null"));
    if (b) CHECK(blob_of(got.getColumn(2)) == *b);
  }
  CHECK(i == input.size());
}
