// Hostile input on every backend, through every strategy: names that need quoting (in the INSERT, an
// upsert's ON CONFLICT and a resumable import's progress), 16 MiB values, the integer extremes of every
// width, timestamps far from 1970 with microseconds, and empty strings next to NULLs. Every value read
// back must equal what went in. What only one backend stores (NaN and float signs, PostgreSQL text's
// NUL and UTF-8 rules, SQLite's storage classes, COPY's text path) is in tests/<backend>/hostile_test.cpp.

#include <catch2/catch.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "support/backends.hpp"
#include "support/samples.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::DynamicRow;
using bulkinsert::Value;

CONFORMANCE_STRATEGY_TEST_CASE("hostile table and column names round trip", "[hostile]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  std::vector<std::string> tables = {"users; DROP TABLE x", "a\"b", "select", "with space ",
                                     "ユーザー表", "Robert'); DROP TABLE x;--", "\"", "x\"; DROP TABLE x; --",
                                     "[bracket]", "`tick`"};
  if (!F::identifiers.trailing_space) std::erase(tables, "with space ");
  const std::vector<std::string> columns = {"a\"b", "select", "from; DROP TABLE x", " Col Space", "naïve",
                                            "it's", "\"\"", "order", "?1", ":name"};
  auto q = [](std::string_view name) { return test::quoted<F>(name); };
  F db;
  db.exec(fmt::format("CREATE TABLE x (canary {})", F::types.bigint));
  db.exec("INSERT INTO x VALUES (42)");
  std::string ddl_columns;
  for (const auto& c : columns) ddl_columns += (ddl_columns.empty() ? "" : ", ") + q(c) + " " + F::types.text;
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
    CHECK(BulkInserter{db.backend()}.insert(table, rows, test::small_chunks<S>()).rows == rows.size());
    // ON CONFLICT names its target and update columns (through a staging table for COPY), and a
    // resumable import writes its progress: both with these names.
    const auto upsert = bulkinsert::Table<DynamicRow>{name, columns}.on_conflict_update({columns[0]}, {columns[1]});
    auto changed = rows;
    for (auto& r : changed) r[1] = Value{std::string{"updated"}};
    bulkinsert::InsertOptions resumable;
    resumable.import_id = "hostile " + name;
    CHECK(BulkInserter{db.backend(), resumable}.insert(upsert, changed, test::small_chunks<S>()).rows == rows.size());

    std::string select;
    for (const auto& c : columns) select += (select.empty() ? "" : ", ") + q(c);
    const auto got = db.rows(fmt::format("SELECT {} FROM {} ORDER BY {}", select, q(name), q(columns[0])));
    REQUIRE(got.size() == rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (std::size_t c = 0; c < columns.size(); ++c)
        CHECK(got[r][c] == (c == 1 ? std::string{"updated"} : std::get<std::string>(rows[r][c])));
  }
  CHECK(db.count("x") == 1);  // nothing was injected
  CHECK(db.scalar("SELECT canary FROM x") == 42);
}

CONFORMANCE_STRATEGY_TEST_CASE("16 MiB text and bytes values round trip", "[hostile]") {
  using F = typename TestType::fixture;
  F db;
  db.exec(fmt::format("CREATE TABLE h (id {}, t {}, b {})", F::types.bigint, F::types.text, F::types.blob));
  // Cycling through every byte text holds here, so that COPY's escapes (tab, LF, CR, backslash) are everywhere.
  const int top = F::text_holds_any_byte ? 255 : 127;
  std::string text(16u << 20, '\0');
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(1 + i % static_cast<std::size_t>(top));
  bulkinsert::Bytes bytes(16u << 20);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>((i * 7 + i / 256) & 0xFF);
  const std::vector<DynamicRow> rows = {{Value{std::int64_t{1}}, Value{text}, Value{bytes}},
                                        {Value{std::int64_t{2}}, Value{std::string{"small"}}, Value{bulkinsert::Bytes{}}}};
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<DynamicRow>{"h", {"id", "t", "b"}}, rows,
                                          typename TestType::strategy{})
            .rows == 2);
  const auto got = db.rows(fmt::format("SELECT t, {} FROM h ORDER BY id", F::hex_sql("b")));
  REQUIRE(got.size() == 2);
  REQUIRE(got[0][0].has_value());
  CHECK(got[0][0]->size() == text.size());
  CHECK(got[0][0] == text);
  CHECK(got[0][1] == test::hex(bytes));
  CHECK(got[1][0] == "small");
  CHECK(got[1][1] == "");  // empty, not NULL
}

namespace {

template <class T>
T parse(const std::optional<std::string>& text) {
  REQUIRE(text.has_value());
  T v{};
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  REQUIRE(ec == std::errc{});
  REQUIRE(end == text->data() + text->size());
  return v;
}

}  // namespace

CONFORMANCE_STRATEGY_TEST_CASE("infinities and float extremes round trip", "[hostile]") {
  using F = typename TestType::fixture;
  F db;
  db.exec(fmt::format("CREATE TABLE h (id {}, f real, d {})", F::types.bigint, F::types.real));
  using fl = std::numeric_limits<float>;
  using dl = std::numeric_limits<double>;
  using Row = std::tuple<std::int64_t, float, double>;
  std::vector<Row> input = {
      {0, fl::infinity(), dl::infinity()}, {1, -fl::infinity(), -dl::infinity()}, {2, fl::max(), dl::max()},
      {3, fl::lowest(), dl::lowest()},     {4, fl::denorm_min(), dl::denorm_min()}, {5, fl::min(), dl::min()},
      {6, fl::epsilon(), 0.1 + 0.2},       {7, -0.0f, -0.0},
  };
  if constexpr (!F::stores_infinity) {
    // Refused before anything is sent, naming the row, rather than stored as something else.
    for (const std::size_t bad : {0, 1}) {
      const std::vector<Row> one = {input[bad]};
      CHECK_THROWS_AS(BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"h", {"id", "f", "d"}}, one,
                                                        test::small_chunks<typename TestType::strategy>()),
                      bulkinsert::InputError);
    }
    REQUIRE(db.count("h") == 0);
    input.erase(input.begin(), input.begin() + 2);
  }
  if constexpr (F::stores_nan) {
    input.emplace_back(8, fl::quiet_NaN(), dl::quiet_NaN());
    input.emplace_back(9, -fl::quiet_NaN(), -dl::quiet_NaN());
  }
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"h", {"id", "f", "d"}}, input,
                                          test::small_chunks<typename TestType::strategy>())
            .rows == input.size());
  const auto got = db.rows(fmt::format("SELECT {}, {} FROM h ORDER BY id", F::real_text_sql("f"), F::real_text_sql("d")));
  REQUIRE(got.size() == input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    INFO("row " << i << ": " << got[i][0].value_or("NULL") << ", " << got[i][1].value_or("NULL"));
    const auto [id, ef, ed] = input[i];
    const auto f = parse<float>(got[i][0]);
    const auto d = parse<double>(got[i][1]);
    if (std::isnan(ef)) CHECK(std::isnan(f));
    else CHECK(f == ef);
    if (std::isnan(ed)) CHECK(std::isnan(d));
    else CHECK(d == ed);
    if (F::keeps_negative_zero && !std::isnan(ef)) {
      CHECK(std::signbit(f) == std::signbit(ef));
      CHECK(std::signbit(d) == std::signbit(ed));
    }
  }
}

CONFORMANCE_STRATEGY_TEST_CASE("the integer extremes of every width round trip", "[hostile]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  F db;
  db.exec(fmt::format("CREATE TABLE h (id {0}, i8 {1}, u8 {1}, i16 {1}, u16 {0}, i32 {0}, u32 {0}, i64 {0}, u64 {0})",
                      F::types.bigint, F::types.smallint));
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
                            Row{0, -1, 1, -1, 1, -1, 1, -1, 1},
                            Row{0, 0, 0, 0, 0, 0, 0, 0, 0}};
  std::get<8>(input[2]) = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() - 1);  // UINT64_MAX - 1 is refused
  // uint64 above INT64_MAX has no SQL type (refused below); INT64_MAX is its largest value that fits.
  input.push_back(extremes([](auto l) { return l.max(); }));
  std::get<8>(input.back()) = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (std::size_t i = 0; i < input.size(); ++i) std::get<0>(input[i]) = static_cast<std::int64_t>(i);
  const bulkinsert::Table<Row> table{"h", {"id", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64"}};
  CHECK(BulkInserter{db.backend()}.insert(table, input, test::small_chunks<S>()).rows == input.size());
  const auto got = db.rows("SELECT i8, u8, i16, u16, i32, u32, i64, u64 FROM h ORDER BY id");
  REQUIRE(got.size() == input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    INFO("row " << i);
    const std::vector<std::optional<std::string>> expected = std::apply(
        [](std::int64_t, auto... v) { return std::vector<std::optional<std::string>>{std::to_string(v)...}; }, input[i]);
    CHECK(got[i] == expected);
  }

  // One above INT64_MAX is refused, naming the row and the column, before anything of the call is kept.
  const std::size_t bad = GENERATE(2, 3);
  db.exec("DELETE FROM h");
  std::get<8>(input[bad]) = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
  try {
    (void)BulkInserter{db.backend()}.insert(table, input, test::small_chunks<S>());
    FAIL("an unsigned value above INT64_MAX was accepted");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains(fmt::format("row {}", bad)) && Catch::Contains("column \"u64\""));
  }
  CHECK(db.count("h") == 0);
}

CONFORMANCE_STRATEGY_TEST_CASE("timestamps before 1970 and after 2038 keep their microseconds", "[hostile]") {
  using F = typename TestType::fixture;
  F db;
  db.exec(fmt::format("CREATE TABLE h (id {}, ts {}, d date)", F::types.bigint, F::types.timestamp));
  const std::vector<bulkinsert::Timestamp> stamps = {
      test::timestamp(1969, 12, 31, 23, 59, 59, 999'999),  // negative epoch with a sub-second part
      test::timestamp(1970, 1, 1, 0, 0, 0, 1),
      test::timestamp(1970, 1, 1),
      test::timestamp(1, 1, 1, 0, 0, 0, 1),                // year 1
      test::timestamp(1899, 12, 31, 12, 0, 0, 500'000),
      test::timestamp(1960, 2, 29, 1, 2, 3, 4),
      test::timestamp(1999, 12, 31, 23, 59, 59, 999'999),  // PostgreSQL's own epoch is 2000-01-01
      test::timestamp(2000, 1, 1, 0, 0, 0, 1),
      test::timestamp(2038, 1, 19, 3, 14, 7, 999'999),     // the last second of 32-bit time_t
      test::timestamp(2038, 1, 19, 3, 14, 8),
      test::timestamp(2262, 4, 11, 23, 47, 16, 854'775),   // past int64 nanoseconds
      test::timestamp(9999, 12, 31, 23, 59, 59, 999'999),
  };
  using Row = std::tuple<std::int64_t, bulkinsert::Timestamp, bulkinsert::Date>;
  std::vector<Row> input;
  for (std::size_t i = 0; i < stamps.size(); ++i)
    input.emplace_back(static_cast<std::int64_t>(i), stamps[i],
                       std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(stamps[i])});
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"h", {"id", "ts", "d"}}, input,
                                          test::small_chunks<typename TestType::strategy>())
            .rows == input.size());
  const auto got = db.rows(fmt::format("SELECT {}, d FROM h ORDER BY id", F::timestamp_text_sql("ts")));
  REQUIRE(got.size() == stamps.size());
  for (std::size_t i = 0; i < stamps.size(); ++i) {
    INFO("row " << i << ": " << test::timestamp_text(stamps[i]));
    CHECK(got[i][0] == test::timestamp_text(stamps[i]));
    CHECK(got[i][1] == test::date_text(std::get<2>(input[i])));
  }
}

CONFORMANCE_STRATEGY_TEST_CASE("empty strings and NULLs are never confused", "[hostile]") {
  using F = typename TestType::fixture;
  F db;
  db.exec(fmt::format("CREATE TABLE h (id {}, t {}, v varchar(10), b {})", F::types.bigint, F::types.text,
                      F::types.blob));
  using Row = std::tuple<std::int64_t, std::optional<std::string>, std::optional<std::string>,
                         std::optional<bulkinsert::Bytes>>;
  const std::vector<Row> input = {
      {0, std::nullopt, std::nullopt, std::nullopt},
      {1, "", "", bulkinsert::Bytes{}},
      {2, "\\N", "NULL", bulkinsert::Bytes{std::byte{0}}},
      {3, " ", "null", std::nullopt},
      {4, std::nullopt, "", bulkinsert::Bytes{}},
      {5, "", std::nullopt, std::nullopt},
  };
  CHECK(BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"h", {"id", "t", "v", "b"}}, input,
                                          test::small_chunks<typename TestType::strategy>())
            .rows == input.size());
  const auto got = db.rows(fmt::format("SELECT t, v, {} FROM h ORDER BY id", F::hex_sql("b")));
  REQUIRE(got.size() == input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    INFO("row " << i);
    const auto& [id, t, v, b] = input[i];
    CHECK(got[i][0] == t);
    CHECK(got[i][1] == v);
    CHECK(got[i][2] == (b ? std::optional<std::string>{test::hex(*b)} : std::nullopt));
  }
}
