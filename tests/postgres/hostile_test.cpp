// Hostile input on PostgreSQL, through every strategy and COPY on both its binary and its text path:
// text holding every byte PostgreSQL text can hold, 16 MiB values, NaN and infinities, the integer
// extremes of every width, timestamps far from 1970 (as instants, with and without time zone), empty
// strings next to NULLs, and NUL bytes. Every value read back must equal what went in. Hostile names,
// and the checks every backend shares, are in conformance/hostile_test.cpp; values_test.cpp covers the
// general sample rows.

#include <catch2/catch.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/postgres.hpp"
#include "support/samples.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;
using bulkinsert::DynamicRow;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;
using bulkinsert::Value;

namespace {

/// The table `base` plus, for COPY's text path, a numeric column (no binary encoder here) given as text.
bulkinsert::Table<DynamicRow> with_text_path(std::vector<std::string> columns, bool text_path,
                                             std::string name = "h") {
  if (text_path) columns.push_back("force_text");
  return {std::move(name), std::move(columns)};
}

std::vector<DynamicRow> rows_with_text_path(std::vector<DynamicRow> rows, bool text_path) {
  if (text_path)
    for (auto& r : rows) r.emplace_back(std::string{"1"});
  return rows;
}

/// Every byte PostgreSQL text (UTF-8) can hold as one byte: 1-127.
std::string ascii_1_to_127() {
  std::string s;
  for (int b = 1; b < 128; ++b) s += static_cast<char>(b);
  return s;
}

/// Bytes 128-255 as they can appear in valid UTF-8: U+0080-U+00FF (lead bytes C2/C3, continuation bytes
/// 80-BF), then lead bytes E0-EF and F0-F4 in 3- and 4-byte sequences, up to U+10FFFF.
std::string utf8_high_bytes() {
  std::string s;
  auto put = [&](char32_t cp) {
    if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  for (char32_t cp = 0x80; cp <= 0xFF; ++cp) put(cp);
  for (char32_t cp : {0x800u, 0xFFFDu, 0xFFFFu, 0x1F389u, 0x10000u, 0x10FFFFu}) put(cp);
  for (unsigned lead = 0xE1; lead <= 0xEF; ++lead) put(static_cast<char32_t>((lead - 0xE0) << 12 | 0x123));
  return s;
}

/// 16 MiB of text cycling through bytes 1-127, so that COPY's escapes (tab, LF, CR, backslash) are everywhere.
std::string huge_text() {
  std::string s(16u << 20, '\0');
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>(1 + i % 127);
  return s;
}

bulkinsert::Bytes huge_bytes() {
  bulkinsert::Bytes b(16u << 20);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::byte>((i * 7 + i / 256) & 0xFF);
  return b;
}

bulkinsert::Bytes unhex(std::string_view text) {
  REQUIRE(text.substr(0, 2) == "\\x");
  auto nibble = [](char ch) { return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10; };
  bulkinsert::Bytes b((text.size() - 2) / 2);
  for (std::size_t i = 0; i < b.size(); ++i)
    b[i] = static_cast<std::byte>(nibble(text[2 + 2 * i]) * 16 + nibble(text[3 + 2 * i]));
  return b;
}

template <class T>
T parse(const char* text) {
  T v{};
  const std::string_view s{text};
  REQUIRE(std::from_chars(s.data(), s.data() + s.size(), v).ec == std::errc{});
  return v;
}

/// COPY has a binary and a text path (a column without a binary encoder forces text); the other
/// strategies have one path.
template <class S>
std::vector<int> copy_paths() {  // int, not bool: Catch2's from_range cannot take std::vector<bool>
  if constexpr (std::is_same_v<S, Copy>) return {0, 1};
  else return {0};
}

}  // namespace

TEMPLATE_TEST_CASE("text holding every byte postgres text can hold round trips", "[postgres][hostile]", PerRow,
                   MultiValues, ExecuteMany, Copy) {
  const bool text_path = GENERATE(Catch::Generators::from_range(copy_paths<TestType>())) != 0;
  INFO((text_path ? "text copy path" : "binary copy path"));
  test::PgDb db;
  db.exec("CREATE TABLE h (id bigint, t text, v varchar(1000), b bytea, force_text numeric)");
  const std::vector<std::string> texts = {
      ascii_1_to_127(), utf8_high_bytes(), "\t", "\r", "\n", "\\", "\\N", "\\.", "\\.\n", "\r\n\\.\r\n",
      "a\tb\nc\rd\\e", "\\\\N", "\n\\.\n", "ends with backslash\\", std::string(1, '\x7f'), "\x01\x02\x1f",
  };
  std::vector<DynamicRow> rows;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    bulkinsert::Bytes raw;
    for (int b = 0; b < 256; ++b) raw.push_back(static_cast<std::byte>((b + static_cast<int>(i)) & 0xFF));
    rows.push_back({Value{static_cast<std::int64_t>(i)}, Value{texts[i]}, Value{texts[i]}, Value{raw}});
  }
  const auto table = with_text_path({"id", "t", "v", "b"}, text_path);
  CHECK(BulkInserter{db.backend()}.insert(table, rows_with_text_path(rows, text_path), test::small_chunks<TestType>()).rows ==
        rows.size());
  const pqxx::result got = db.query("SELECT t, v, b, octet_length(t) FROM h ORDER BY id");
  REQUIRE(got.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    const auto row = got[static_cast<int>(i)];
    CHECK(std::string{row[0].c_str(), row[0].size()} == texts[i]);
    CHECK(std::string{row[1].c_str(), row[1].size()} == texts[i]);
    CHECK(row[3].as<std::size_t>() == texts[i].size());
    CHECK(unhex(row[2].c_str()) == std::get<bulkinsert::Bytes>(rows[i][3]));
  }
}

TEMPLATE_TEST_CASE("16 MiB text and bytea values round trip on postgres", "[postgres][hostile]", PerRow, MultiValues,
                   ExecuteMany, Copy) {
  const bool text_path = GENERATE(Catch::Generators::from_range(copy_paths<TestType>())) != 0;
  INFO((text_path ? "text copy path" : "binary copy path"));
  test::PgDb db;
  db.exec("CREATE TABLE h (id bigint, t text, b bytea, force_text numeric)");
  const std::string text = huge_text();
  const bulkinsert::Bytes bytes = huge_bytes();
  std::vector<DynamicRow> rows;
  rows.push_back({Value{std::int64_t{1}}, Value{text}, Value{bytes}});
  rows.push_back({Value{std::int64_t{2}}, Value{std::string{"small"}}, Value{bulkinsert::Bytes{std::byte{1}}}});
  const auto table = with_text_path({"id", "t", "b"}, text_path);
  CHECK(BulkInserter{db.backend()}.insert(table, rows_with_text_path(rows, text_path), TestType{}).rows == 2);
  const pqxx::result got = db.query("SELECT t, b FROM h WHERE id = 1");
  REQUIRE(got.size() == 1);
  CHECK(got[0][0].size() == text.size());
  CHECK(std::string{got[0][0].c_str(), got[0][0].size()} == text);
  CHECK(unhex(got[0][1].c_str()) == bytes);
  CHECK(db.query("SELECT t FROM h WHERE id = 2")[0][0].c_str() == std::string{"small"});
}

TEMPLATE_TEST_CASE("NaN, infinities and float extremes round trip on postgres", "[postgres][hostile]", PerRow,
                   MultiValues, ExecuteMany, Copy) {
  const bool text_path = GENERATE(Catch::Generators::from_range(copy_paths<TestType>())) != 0;
  INFO((text_path ? "text copy path" : "binary copy path"));
  test::PgDb db;
  db.exec("CREATE TABLE h (id bigint, f real, d double precision, force_text numeric)");
  using fl = std::numeric_limits<float>;
  using dl = std::numeric_limits<double>;
  using Row = std::tuple<std::int64_t, float, double>;
  const std::vector<Row> input = {
      {0, fl::quiet_NaN(), dl::quiet_NaN()}, {1, fl::infinity(), dl::infinity()},
      {2, -fl::infinity(), -dl::infinity()}, {3, fl::max(), dl::max()},
      {4, fl::lowest(), dl::lowest()},       {5, fl::denorm_min(), dl::denorm_min()},
      {6, -0.0f, -0.0},                      {7, fl::min(), dl::min()},
      {8, fl::epsilon(), 0.1 + 0.2},         {9, -fl::quiet_NaN(), -dl::quiet_NaN()},
  };
  auto table = bulkinsert::Table<Row>{"h", {"id", "f", "d"}};
  if (text_path) table.column("force_text", [](const Row&) { return "1"; });
  CHECK(BulkInserter{db.backend()}.insert(table, input, test::small_chunks<TestType>()).rows == input.size());
  const pqxx::result got = db.query("SELECT f::text, d::text FROM h ORDER BY id");
  REQUIRE(got.size() == input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    INFO("row " << i);
    const float f = parse<float>(got[static_cast<int>(i)][0].c_str());
    const double d = parse<double>(got[static_cast<int>(i)][1].c_str());
    const auto [id, ef, ed] = input[i];
    if (std::isnan(ef)) CHECK(std::isnan(f));
    else CHECK((f == ef && std::signbit(f) == std::signbit(ef)));
    if (std::isnan(ed)) CHECK(std::isnan(d));
    else CHECK((d == ed && std::signbit(d) == std::signbit(ed)));
  }
}

TEMPLATE_TEST_CASE("the integer extremes of every width round trip on postgres", "[postgres][hostile]", PerRow,
                   MultiValues, ExecuteMany, Copy) {
  const bool text_path = GENERATE(Catch::Generators::from_range(copy_paths<TestType>())) != 0;
  INFO((text_path ? "text copy path" : "binary copy path"));
  test::PgDb db;
  db.exec("CREATE TABLE h (id bigint, i8 smallint, u8 smallint, i16 smallint, u16 integer, i32 integer, u32 bigint, "
          "i64 bigint, u64 bigint, force_text numeric)");
  using Row = std::tuple<std::int64_t, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t, std::int32_t,
                         std::uint32_t, std::int64_t, std::uint64_t>;
  auto extremes = [](auto pick) {
    return Row(0,
               pick(std::numeric_limits<std::int8_t>{}),
               pick(std::numeric_limits<std::uint8_t>{}),
               pick(std::numeric_limits<std::int16_t>{}),
               pick(std::numeric_limits<std::uint16_t>{}),
               pick(std::numeric_limits<std::int32_t>{}),
               pick(std::numeric_limits<std::uint32_t>{}),
               pick(std::numeric_limits<std::int64_t>{}),
               pick(std::numeric_limits<std::uint64_t>{}));
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
  auto table = bulkinsert::Table<Row>{"h", {"id", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64"}};
  if (text_path) table.column("force_text", [](const Row&) { return "1"; });
  CHECK(BulkInserter{db.backend()}.insert(table, input, test::small_chunks<TestType>()).rows == input.size());
  const pqxx::result got = db.query("SELECT i8, u8, i16, u16, i32, u32, i64, u64::text FROM h ORDER BY id");
  REQUIRE(got.size() == input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    INFO("row " << i);
    const auto row = got[static_cast<int>(i)];
    const Row& e = input[i];
    CHECK(row[0].as<std::int64_t>() == std::get<1>(e));
    CHECK(row[1].as<std::int64_t>() == std::get<2>(e));
    CHECK(row[2].as<std::int64_t>() == std::get<3>(e));
    CHECK(row[3].as<std::int64_t>() == std::get<4>(e));
    CHECK(row[4].as<std::int64_t>() == std::get<5>(e));
    CHECK(row[5].as<std::int64_t>() == static_cast<std::int64_t>(std::get<6>(e)));
    CHECK(row[6].as<std::int64_t>() == std::get<7>(e));
    CHECK(std::string{row[7].c_str()} == std::to_string(std::get<8>(e)));
  }

  // One above INT64_MAX is refused, naming the row and the column, before anything of the call is kept.
  db.exec("TRUNCATE h");
  input[3] = input.back();
  std::get<8>(input[3]) = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
  try {
    (void)BulkInserter{db.backend()}.insert(table, input, test::small_chunks<TestType>());
    FAIL("an unsigned value above INT64_MAX was accepted");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("row 3") && Catch::Contains("column \"u64\""));
  }
  CHECK(db.count("h") == 0);
}

TEMPLATE_TEST_CASE("timestamps before 1970 and after 2038 keep their microseconds on postgres", "[postgres][hostile]",
                   PerRow, MultiValues, ExecuteMany, Copy) {
  const bool text_path = GENERATE(Catch::Generators::from_range(copy_paths<TestType>())) != 0;
  INFO((text_path ? "text copy path" : "binary copy path"));
  test::PgDb db;
  db.exec("CREATE TABLE h (id bigint, ts timestamp, tz timestamptz, d date, force_text numeric)");
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
  std::vector<DynamicRow> rows;
  for (std::size_t i = 0; i < stamps.size(); ++i)
    rows.push_back({Value{static_cast<std::int64_t>(i)}, Value{stamps[i]}, Value{stamps[i]},
                    Value{std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(stamps[i])}}});
  const auto table = with_text_path({"id", "ts", "tz", "d"}, text_path);
  CHECK(BulkInserter{db.backend()}.insert(table, rows_with_text_path(rows, text_path), test::small_chunks<TestType>()).rows ==
        rows.size());
  const pqxx::result got = db.query(
      "SELECT to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US'), to_char(tz, 'YYYY-MM-DD HH24:MI:SS.US'), "
      "(extract(epoch FROM ts) * 1000000)::bigint, (extract(epoch FROM tz) * 1000000)::bigint, d - date '1970-01-01' "
      "FROM h ORDER BY id");
  REQUIRE(got.size() == stamps.size());
  for (std::size_t i = 0; i < stamps.size(); ++i) {
    INFO("row " << i << ": " << test::timestamp_text(stamps[i]));
    const auto row = got[static_cast<int>(i)];
    CHECK(std::string{row[0].c_str()} == test::timestamp_text(stamps[i]));
    CHECK(std::string{row[1].c_str()} == test::timestamp_text(stamps[i]));
    CHECK(row[2].as<std::int64_t>() == stamps[i].time_since_epoch().count());
    CHECK(row[3].as<std::int64_t>() == stamps[i].time_since_epoch().count());
    CHECK(row[4].as<std::int64_t>() ==
          std::chrono::floor<std::chrono::days>(stamps[i]).time_since_epoch().count());
  }
}

TEMPLATE_TEST_CASE("empty strings and NULLs are never confused on postgres", "[postgres][hostile]", PerRow,
                   MultiValues, ExecuteMany, Copy) {
  const bool text_path = GENERATE(Catch::Generators::from_range(copy_paths<TestType>())) != 0;
  INFO((text_path ? "text copy path" : "binary copy path"));
  test::PgDb db;
  db.exec("CREATE TABLE h (id bigint, t text, v varchar(10), b bytea, force_text numeric)");
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
  auto table = bulkinsert::Table<Row>{"h", {"id", "t", "v", "b"}};
  if (text_path) table.column("force_text", [](const Row&) { return "1"; });
  CHECK(BulkInserter{db.backend()}.insert(table, input, test::small_chunks<TestType>()).rows == input.size());
  const pqxx::result got = db.query("SELECT t, v, encode(b, 'hex') FROM h ORDER BY id");
  REQUIRE(got.size() == input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    INFO("row " << i);
    const auto row = got[static_cast<int>(i)];
    const auto& [id, t, v, b] = input[i];
    CHECK(row[0].is_null() == !t.has_value());
    if (t) CHECK(std::string{row[0].c_str()} == *t);
    CHECK(row[1].is_null() == !v.has_value());
    if (v) CHECK(std::string{row[1].c_str()} == *v);
    CHECK(row[2].is_null() == !b.has_value());
    if (b) CHECK(std::string{row[2].c_str()} == test::hex(*b));
  }
}

TEMPLATE_TEST_CASE("a NUL byte in postgres text is refused before its chunk is sent, keeping checkpoints",
                   "[postgres][hostile]", PerRow, MultiValues, ExecuteMany, Copy) {
  const bool text_path = GENERATE(Catch::Generators::from_range(copy_paths<TestType>())) != 0;
  INFO((text_path ? "text copy path" : "binary copy path"));
  test::PgDb db;
  db.exec("CREATE TABLE h (id bigint, v varchar(20), t text, force_text numeric)");
  using namespace std::string_literals;
  std::vector<DynamicRow> rows;
  for (std::int64_t i = 0; i < 20; ++i)
    rows.push_back({Value{i}, Value{"ok"s}, Value{i == 13 ? "x\0y"s : "fine"s}});
  const auto table = with_text_path({"id", "v", "t"}, text_path);
  bulkinsert::InsertOptions options = test::checkpoint_every(1);
  options.import_id = "nul";
  try {
    (void)BulkInserter{db.backend(), options}.insert(table, rows_with_text_path(rows, text_path),
                                                     test::with_chunk_rows<TestType>(5));
    FAIL("a NUL byte was accepted");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("row 13") && Catch::Contains("column \"t\"") &&
                                          Catch::Contains("NUL") && Catch::Contains("10 input rows committed"));
  }
  // Chunks 0 and 1 are committed; nothing of chunk 2 (rows 10-14) reached the table.
  CHECK(db.count("h") == 10);
  CHECK(db.query("SELECT max(id) FROM h")[0][0].as<std::int64_t>() == 9);
  CHECK(db.query("SELECT coalesce(sum(last_row - first_row), 0) FROM bulkinsert_progress WHERE import_id = 'nul'")[0][0]
            .as<std::int64_t>() == 10);
  // Fixed and resumed, the table equals the input.
  rows[13][2] = Value{"x y"s};
  const auto report = BulkInserter{db.backend(), options}.insert(table, rows_with_text_path(rows, text_path),
                                                                 test::with_chunk_rows<TestType>(5));
  CHECK(report.rows_skipped == 10);
  CHECK(report.rows == 10);
  CHECK(db.count("h") == 20);
  CHECK(db.query("SELECT count(DISTINCT id) FROM h WHERE t = CASE WHEN id = 13 THEN 'x y' ELSE 'fine' END")[0][0]
            .as<std::int64_t>() == 20);
}
