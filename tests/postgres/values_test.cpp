// Every kind of value bulkinsert sends, through every PostgreSQL strategy, read back with libpqxx
// and compared value by value. COPY is checked on both of its paths: binary (every column of a
// built-in type) and text (a numeric and a uuid column have no binary encoder here).

#include <catch2/catch.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/postgres.hpp"
#include "support/samples.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;

namespace {

const char* const samples_ddl =
    "CREATE TABLE samples (id bigint PRIMARY KEY, always_null text, maybe bigint, flag boolean, i8 smallint, "
    "i16 smallint, i32 integer, i64 bigint, u32 bigint, f real, d double precision, s text, sv varchar(200), "
    "opt_s text, bytes bytea, ts timestamp, date date, tz timestamptz, amount numeric, uid uuid)";

std::string amount_of(const test::Sample& s) { return fmt::format("{}.{:04}", s.id * 1000, s.id); }
std::string uuid_of(const test::Sample& s) { return fmt::format("00000000-0000-4000-8000-{:012x}", s.id); }

/// The sample table plus a timestamptz column; with `text_columns`, also a numeric and a uuid
/// given as text, which have no binary COPY encoder and so force COPY's text format.
bulkinsert::Table<test::Sample> sample_table(bool text_columns) {
  auto t = test::sample_table();
  t.column("tz", &test::Sample::ts);
  if (text_columns) {
    t.column("amount", [](const test::Sample& s) { return amount_of(s); });
    t.column("uid", [](const test::Sample& s) { return uuid_of(s); });
  }
  return t;
}

bulkinsert::Table<bulkinsert::DynamicRow> dynamic_table(bool text_columns) {
  auto columns = test::sample_columns();
  columns.push_back("tz");
  if (text_columns) {
    columns.push_back("amount");
    columns.push_back("uid");
  }
  return {"samples", columns};
}

std::vector<bulkinsert::DynamicRow> dynamic_rows(const std::vector<test::Sample>& samples, bool text_columns) {
  std::vector<bulkinsert::DynamicRow> rows;
  for (const auto& s : samples) {
    auto row = test::to_dynamic(s);
    row.emplace_back(s.ts);
    if (text_columns) {
      row.emplace_back(amount_of(s));
      row.emplace_back(uuid_of(s));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

template <class T>
T parse_float(const char* text) {
  T v{};
  const std::string_view s{text};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  REQUIRE(ec == std::errc{});
  REQUIRE(end == s.data() + s.size());
  return v;
}

void compare_samples(test::PgDb& db, const std::vector<test::Sample>& expected, bool text_columns) {
  const pqxx::result r = db.query(
      "SELECT id, always_null IS NULL, maybe, flag, i8, i16, i32, i64, u32, f::text, d::text, s, sv, opt_s, "
      "encode(bytes, 'hex'), (extract(epoch FROM ts) * 1000000)::bigint, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US'), "
      "date - date '1970-01-01', date::text, (extract(epoch FROM tz) * 1000000)::bigint, amount::text, uid::text, "
      "bytes IS NULL "
      "FROM samples ORDER BY id");
  REQUIRE(r.size() == expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const auto row = r[static_cast<int>(k)];
    const test::Sample& e = expected[k];
    INFO("sample row " << k);
    CHECK(row[0].as<std::int64_t>() == e.id);
    CHECK(std::string{row[1].c_str()} == "t");
    if (e.maybe) CHECK(row[2].as<std::int64_t>() == *e.maybe);
    else CHECK(row[2].is_null());
    CHECK(std::string{row[3].c_str()} == (e.flag ? "t" : "f"));
    CHECK(row[4].as<std::int64_t>() == e.i8);
    CHECK(row[5].as<std::int64_t>() == e.i16);
    CHECK(row[6].as<std::int64_t>() == e.i32);
    CHECK(row[7].as<std::int64_t>() == e.i64);
    CHECK(row[8].as<std::int64_t>() == static_cast<std::int64_t>(e.u32));
    const auto f = parse_float<float>(row[9].c_str());
    if (std::isnan(e.f)) CHECK(std::isnan(f));
    else CHECK(f == e.f);
    CHECK(std::signbit(f) == std::signbit(e.f));
    const auto d = parse_float<double>(row[10].c_str());
    if (std::isnan(e.d)) CHECK(std::isnan(d));
    else CHECK(d == e.d);
    CHECK(std::string{row[11].c_str()} == e.s);
    CHECK(std::string{row[12].c_str()} == std::string{e.sv});
    if (e.opt_s) {
      REQUIRE_FALSE(row[13].is_null());
      CHECK(std::string{row[13].c_str()} == *e.opt_s);
    } else {
      CHECK(row[13].is_null());
    }
    CHECK(std::string{row[14].c_str()} == test::hex(e.bytes));
    CHECK(std::string{row[22].c_str()} == "f");  // an empty bytea is not NULL
    CHECK(row[15].as<std::int64_t>() == e.ts.time_since_epoch().count());
    CHECK(std::string{row[16].c_str()} == test::timestamp_text(e.ts));
    CHECK(row[17].as<std::int64_t>() == test::days_since_epoch(e.date));
    CHECK(std::string{row[18].c_str()} == test::date_text(e.date));
    CHECK(row[19].as<std::int64_t>() == e.ts.time_since_epoch().count());
    if (text_columns) {
      CHECK(std::string{row[20].c_str()} == amount_of(e));
      CHECK(std::string{row[21].c_str()} == uuid_of(e));
    } else {
      CHECK(row[20].is_null());
      CHECK(row[21].is_null());
    }
  }
}

template <class S>
void round_trip(bool dynamic, bool text_columns) {
  test::PgDb db;
  db.exec(samples_ddl);
  const auto expected = test::samples(true);  // NaN included: PostgreSQL stores it
  BulkInserter inserter{db.backend()};
  const auto strategy = test::with_chunk_rows<S>(5);  // several chunks, and a last one of another size
  const auto report = dynamic ? inserter.insert(dynamic_table(text_columns), dynamic_rows(expected, text_columns), strategy)
                              : inserter.insert(sample_table(text_columns), expected, strategy);
  CHECK(report.rows == expected.size());
  compare_samples(db, expected, text_columns);
}

}  // namespace

TEMPLATE_TEST_CASE("values round trip through postgres", "[postgres][values]", PerRow, MultiValues, ExecuteMany,
                   Copy) {
  SECTION("struct rows of built in types (binary copy)") { round_trip<TestType>(false, false); }
  SECTION("struct rows with numeric and uuid columns (text copy)") { round_trip<TestType>(false, true); }
  SECTION("dynamic rows of built in types (binary copy)") { round_trip<TestType>(true, false); }
  SECTION("dynamic rows with numeric and uuid columns (text copy)") { round_trip<TestType>(true, true); }
}

TEMPLATE_TEST_CASE("a NUL byte in text is refused by postgres naming row and column", "[postgres][values]", PerRow,
                   MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  db.exec("CREATE TABLE notes (id bigint, body text, amount numeric)");
  struct Note {
    std::int64_t id;
    std::string body;
  };
  std::vector<Note> rows;
  using namespace std::string_literals;
  for (std::int64_t i = 0; i < 20; ++i) rows.push_back({i, i == 13 ? "before\0after"s : "fine"s});
  auto table = bulkinsert::Table<Note>{"notes"}.column("id", &Note::id).column("body", &Note::body);
  SECTION("built in columns") {}
  SECTION("with a numeric column (text copy)") { table.column("amount", [](const Note&) { return "1.5"; }); }
  try {
    (void)BulkInserter{db.backend()}.insert(table, rows, test::with_chunk_rows<TestType>(5));
    FAIL("a NUL byte was accepted");
  } catch (const bulkinsert::InputError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("row 13") && Catch::Contains("column \"body\"") && Catch::Contains("NUL"));
  }
  CHECK(db.count("notes") == 0);
  // The connection is usable afterwards.
  rows[13].body = "fixed";
  CHECK(BulkInserter{db.backend()}.insert(table, rows, TestType{}).rows == 20);
  CHECK(db.count("notes") == 20);
}

TEMPLATE_TEST_CASE("a value out of range for its column is refused", "[postgres][values]", PerRow, MultiValues,
                   ExecuteMany, Copy) {
  test::PgDb db;
  db.exec("CREATE TABLE small (id integer, v smallint)");
  using Row = std::tuple<std::int64_t, std::int64_t>;
  std::vector<Row> rows;
  for (std::int64_t i = 0; i < 10; ++i) rows.emplace_back(i, i == 6 ? 40000 : i);
  // Binary COPY checks the range itself (InputError); the other paths get the server's 22003.
  CHECK_THROWS_AS(BulkInserter{db.backend()}.insert(bulkinsert::Table<Row>{"small", {"id", "v"}}, rows, TestType{}),
                  bulkinsert::Error);
  CHECK(db.count("small") == 0);
}
