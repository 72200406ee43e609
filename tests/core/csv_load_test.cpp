// csv_load.hpp without a database: text -> value conversion and CSV -> table column mapping.

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <bulkinsert/csv_load.hpp>
#include <bulkinsert/postgres/encoding.hpp>

namespace {

using namespace std::chrono;
namespace csv = bulkinsert::detail::csv;

/// A column as PostgreSQL's catalog describes it: the type's facts come from its OID.
bulkinsert::ColumnInfo column(bulkinsert::Kind kind, std::uint32_t type_id = 0, std::string type = "t") {
  bulkinsert::ColumnInfo c;
  c.name = "c";
  c.type = std::move(type);
  c.kind = kind;
  c.type_id = type_id;
  bulkinsert::detail::pg::add_value_facts(c);
  return c;
}
/// A column of a database that stores NaN as NULL (SQLite).
bulkinsert::ColumnInfo without_nan(bulkinsert::ColumnInfo c) {
  c.stores_nan = false;
  return c;
}

/// The converted value, or the reason it failed.
std::variant<bulkinsert::Value, std::string> pg(std::string_view text, const bulkinsert::ColumnInfo& c) {
  bulkinsert::Value v;
  std::string why = csv::convert(text, c, v);
  if (!why.empty()) return why;
  return v;
}
std::string pg_error(std::string_view text, const bulkinsert::ColumnInfo& c) {
  auto r = pg(text, c);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}
template <class T>
T pg_ok(std::string_view text, const bulkinsert::ColumnInfo& c) {
  auto r = pg(text, c);
  if (auto* why = std::get_if<std::string>(&r)) FAIL(*why);
  return std::get<T>(std::get<bulkinsert::Value>(r));
}

}  // namespace

TEST_CASE("csv integers convert strictly and within the column's range", "[core][csv]") {
  const auto i8 = column(bulkinsert::Kind::integer, 20, "bigint");
  REQUIRE(pg_ok<std::int64_t>("42", i8) == 42);
  REQUIRE(pg_ok<std::int64_t>("-9223372036854775808", i8) == std::numeric_limits<std::int64_t>::min());
  REQUIRE(pg_ok<std::int64_t>("+7", i8) == 7);
  for (const char* bad : {"", " 1", "1 ", "1.0", "1e3", "0x10", "++1", "abc", "1,000"}) {
    CAPTURE(bad);
    REQUIRE_THAT(pg_error(bad, i8), Catch::Contains("is not an integer"));
  }
  REQUIRE_THAT(pg_error("9223372036854775808", i8), Catch::Contains("out of range"));
  const auto i2 = column(bulkinsert::Kind::integer, 21, "smallint");
  REQUIRE(pg_ok<std::int64_t>("32767", i2) == 32767);
  REQUIRE_THAT(pg_error("32768", i2), Catch::Contains("\"32768\" is out of range for type smallint"));
  const auto i4 = column(bulkinsert::Kind::integer, 23, "integer");
  REQUIRE_THAT(pg_error("2147483648", i4), Catch::Contains("out of range"));
}

TEST_CASE("csv reals convert strictly, with NaN and Infinity spelled as PostgreSQL does", "[core][csv]") {
  const auto f8 = column(bulkinsert::Kind::real, 701, "double precision");
  REQUIRE(pg_ok<double>("1.5", f8) == 1.5);
  REQUIRE(pg_ok<double>("-2e-3", f8) == -2e-3);
  REQUIRE(pg_ok<double>(".5", f8) == 0.5);
  REQUIRE(pg_ok<double>("+3", f8) == 3);
  REQUIRE(std::isnan(pg_ok<double>("NaN", f8)));
  REQUIRE(pg_ok<double>("Infinity", f8) == HUGE_VAL);
  REQUIRE(pg_ok<double>("-infinity", f8) == -HUGE_VAL);
  REQUIRE(pg_ok<double>("+inf", f8) == HUGE_VAL);
  for (const char* bad : {"", "1.5x", " 1", "0x1p3", "nan1", "-nan", "1,5", "e5"}) {
    CAPTURE(bad);
    REQUIRE_THAT(pg_error(bad, f8), Catch::Contains("is not a number"));
  }
  REQUIRE_THAT(pg_error("1e999", f8), Catch::Contains("out of range"));
  REQUIRE_THAT(pg_error("1e39", column(bulkinsert::Kind::real, 700, "real")), Catch::Contains("out of range for type real"));
}

TEST_CASE("csv NaN is refused for SQLite, which would store NULL", "[core][csv]") {
  bulkinsert::Value v;
  REQUIRE_THAT(csv::convert("NaN", without_nan(column(bulkinsert::Kind::real)), v), Catch::Contains("NaN"));
  REQUIRE(csv::convert("Infinity", without_nan(column(bulkinsert::Kind::real)), v).empty());
}

TEST_CASE("csv booleans take PostgreSQL's spellings in any case", "[core][csv]") {
  const auto b = column(bulkinsert::Kind::boolean);
  for (const char* t : {"t", "TRUE", "True", "1", "yes", "Y", "on"}) REQUIRE(pg_ok<bool>(t, b));
  for (const char* f : {"f", "false", "0", "NO", "n", "off"}) REQUIRE_FALSE(pg_ok<bool>(f, b));
  REQUIRE_THAT(pg_error("maybe", b), Catch::Contains("\"maybe\" is not a boolean"));
}

TEST_CASE("csv timestamps read ISO 8601 into UTC", "[core][csv]") {
  const auto ts = column(bulkinsert::Kind::timestamp);
  const auto base = sys_days{2024y / 2 / 29} + 13h + 45min + 30s;
  REQUIRE(pg_ok<bulkinsert::Timestamp>("2024-02-29 13:45:30", ts) == base);
  REQUIRE(pg_ok<bulkinsert::Timestamp>("2024-02-29T13:45:30Z", ts) == base);
  REQUIRE(pg_ok<bulkinsert::Timestamp>("2024-02-29T13:45:30.123456", ts) == base + 123456us);
  REQUIRE(pg_ok<bulkinsert::Timestamp>("2024-02-29 13:45:30.5+00", ts) == base + 500ms);
  REQUIRE(pg_ok<bulkinsert::Timestamp>("2024-02-29 15:45:30+02:00", ts) == base);
  REQUIRE(pg_ok<bulkinsert::Timestamp>("2024-02-29 08:15:30-0530", ts) == base);
  REQUIRE(pg_ok<bulkinsert::Timestamp>("2024-02-29 13:45", ts) == base - 30s);
  REQUIRE(pg_ok<bulkinsert::Timestamp>("2024-02-29", ts) == sys_days{2024y / 2 / 29});
  for (const char* bad : {"2023-02-29 00:00:00", "2024-02-29 24:00:00", "2024-02-29 13:45:30.1234567",
                          "2024-02-29 13:45:30.", "2024-02-29 13:45:30 UTC", "29/02/2024", "2024-2-29", "now"}) {
    CAPTURE(bad);
    REQUIRE_THAT(pg_error(bad, ts), Catch::Contains("is not a timestamp"));
  }
}

TEST_CASE("csv dates read YYYY-MM-DD and refuse impossible days", "[core][csv]") {
  const auto d = column(bulkinsert::Kind::date);
  REQUIRE(pg_ok<bulkinsert::Date>("2024-02-29", d) == 2024y / 2 / 29);
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-02-29 00:00", "20240229", ""}) {
    CAPTURE(bad);
    REQUIRE_THAT(pg_error(bad, d), Catch::Contains("is not a date"));
  }
}

TEST_CASE("csv bytes read PostgreSQL's hex form", "[core][csv]") {
  const auto b = column(bulkinsert::Kind::bytes);
  REQUIRE(pg_ok<bulkinsert::Bytes>("\\x00fF10", b) == bulkinsert::Bytes{std::byte{0}, std::byte{0xff}, std::byte{0x10}});
  REQUIRE(pg_ok<bulkinsert::Bytes>("\\x", b).empty());
  for (const char* bad : {"00ff", "\\x0", "\\xzz", "x00"}) REQUIRE_THAT(pg_error(bad, b), Catch::Contains("hex"));
}

TEST_CASE("csv text must be valid UTF-8", "[core][csv]") {
  const auto t = column(bulkinsert::Kind::text);
  REQUIRE(pg_ok<std::string>("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80", t) == "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80");
  REQUIRE(pg_ok<std::string>("", t).empty());
  for (const std::string& bad : std::vector<std::string>{"caf\xE9", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "abc\xE2\x82", "\xFF",
                                "0123456789\x80"}) {
    CAPTURE(bad);
    REQUIRE_THAT(pg_error(bad, t), Catch::Contains("invalid UTF-8"));
  }
  REQUIRE_THAT(pg_error("caf\xE9", t), Catch::Contains("byte 4") && Catch::Contains("\\xe9"));
}

TEST_CASE("csv messages shorten long text", "[core][csv]") {
  const std::string why = pg_error(std::string(1 << 20, '7') + "x", column(bulkinsert::Kind::integer, 20));
  REQUIRE(why.size() < 200);
  REQUIRE_THAT(why, Catch::Contains("1048577 bytes"));
}

namespace {
std::vector<bulkinsert::ColumnInfo> users_columns() {
  auto col = [](std::string name, bool not_null, bool has_default) {
    bulkinsert::ColumnInfo c;
    c.name = std::move(name);
    c.not_null = not_null;
    c.has_default = has_default;
    return c;
  };
  return {col("id", true, true), col("username", true, false), col("email", false, false), col("Age", false, false)};
}
std::vector<std::string> mapped(const std::vector<bulkinsert::CsvTarget>& targets) {
  std::vector<std::string> out;
  for (const auto& t : targets) out.push_back(std::to_string(t.field) + ">" + t.column.name);
  return out;
}
}  // namespace

TEST_CASE("csv columns map by name, by explicit pairs, and case-insensitively when unique", "[core][csv]") {
  bulkinsert::CsvLoadOptions o;
  o.table = "users";
  REQUIRE(mapped(bulkinsert::map_csv_columns({"username", "email"}, users_columns(), o)) ==
          std::vector<std::string>{"0>username", "1>email"});
  REQUIRE(mapped(bulkinsert::map_csv_columns({"USERNAME", "age"}, users_columns(), o)) ==
          std::vector<std::string>{"0>username", "1>Age"});
  o.map = {{"login", "username"}, {"mail", "email"}};
  REQUIRE(mapped(bulkinsert::map_csv_columns({"mail", "login"}, users_columns(), o)) ==
          std::vector<std::string>{"0>email", "1>username"});
}

TEST_CASE("csv columns without a table column are an error unless ignored", "[core][csv]") {
  bulkinsert::CsvLoadOptions o;
  o.table = "users";
  REQUIRE_THROWS_WITH(bulkinsert::map_csv_columns({"username", "phone"}, users_columns(), o),
                      Catch::Contains("CSV column \"phone\" has no column in table \"users\""));
  o.ignore_unmapped = true;
  REQUIRE(mapped(bulkinsert::map_csv_columns({"username", "phone"}, users_columns(), o)) ==
          std::vector<std::string>{"0>username"});
}

TEST_CASE("csv mapping names a missing required column", "[core][csv]") {
  bulkinsert::CsvLoadOptions o;
  o.table = "users";
  REQUIRE_THROWS_WITH(bulkinsert::map_csv_columns({"email"}, users_columns(), o),
                      Catch::Contains("requires column username"));
}

TEST_CASE("csv mapping refuses unknown, duplicate and colliding names", "[core][csv]") {
  bulkinsert::CsvLoadOptions o;
  o.table = "users";
  o.map = {{"nope", "email"}};
  REQUIRE_THROWS_WITH(bulkinsert::map_csv_columns({"username"}, users_columns(), o),
                      Catch::Contains("the CSV header has no column \"nope\""));
  o.map = {{"username", "nope"}};
  REQUIRE_THROWS_WITH(bulkinsert::map_csv_columns({"username"}, users_columns(), o),
                      Catch::Contains("table \"users\" has no column \"nope\""));
  o.map = {{"mail", "username"}};
  REQUIRE_THROWS_WITH(bulkinsert::map_csv_columns({"username", "mail"}, users_columns(), o),
                      Catch::Contains("both go to column \"username\""));
  o.map.clear();
  REQUIRE_THROWS_WITH(bulkinsert::map_csv_columns({"username", "username"}, users_columns(), o),
                      Catch::Contains("names column \"username\" twice"));
}
