// value_traits: how C++ values become SQL values, and which ones are refused.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <bulkinsert/value.hpp>

using bulkinsert::Kind;
using bulkinsert::kind_of;
using bulkinsert::to_value;
using bulkinsert::ValueRef;

namespace {
template <class T>
std::int64_t as_int(T v) {
  const ValueRef r = to_value(v);
  REQUIRE(kind_of(r) == Kind::integer);
  return std::get<std::int64_t>(r);
}
}  // namespace

TEMPLATE_TEST_CASE("every integer width keeps its extremes", "[core][value]", std::int8_t, std::int16_t,
                   std::int32_t, std::int64_t, std::uint8_t, std::uint16_t, std::uint32_t, signed char, unsigned char,
                   short, long, long long, unsigned long long) {
  STATIC_REQUIRE(bulkinsert::sql_value<TestType>);
  using lim = std::numeric_limits<TestType>;
  CHECK(as_int(lim::min()) == static_cast<std::int64_t>(lim::min()));
  if constexpr (std::is_unsigned_v<TestType> && sizeof(TestType) == 8) {
    CHECK(as_int(static_cast<TestType>(std::numeric_limits<std::int64_t>::max())) ==
          std::numeric_limits<std::int64_t>::max());
  } else {
    CHECK(as_int(lim::max()) == static_cast<std::int64_t>(lim::max()));
  }
  CHECK(as_int(TestType{0}) == 0);
}

TEST_CASE("uint64 above INT64_MAX is a ValueError", "[core][value]") {
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  CHECK(as_int(max) == std::numeric_limits<std::int64_t>::max());
  CHECK_THROWS_AS(to_value(max + 1), bulkinsert::ValueError);
  CHECK_THROWS_WITH(to_value(std::numeric_limits<std::uint64_t>::max()), Catch::Contains("18446744073709551615"));
  // ValueError is an InputError and an Error.
  CHECK_THROWS_AS(to_value(max + 1), bulkinsert::InputError);
  CHECK_THROWS_AS(to_value(max + 1), bulkinsert::Error);
}

TEST_CASE("characters and wide characters are not sql values", "[core][value]") {
  STATIC_REQUIRE_FALSE(bulkinsert::sql_value<char>);
  STATIC_REQUIRE_FALSE(bulkinsert::sql_value<wchar_t>);
  STATIC_REQUIRE_FALSE(bulkinsert::sql_value<char8_t>);
  STATIC_REQUIRE_FALSE(bulkinsert::sql_value<char16_t>);
  STATIC_REQUIRE_FALSE(bulkinsert::sql_value<char32_t>);
  STATIC_REQUIRE_FALSE(bulkinsert::sql_value<long double>);
  STATIC_REQUIRE_FALSE(bulkinsert::sql_value<void*>);
}

TEST_CASE("bool null floats and text", "[core][value]") {
  CHECK(kind_of(to_value(true)) == Kind::boolean);
  CHECK(std::get<bool>(to_value(false)) == false);
  CHECK(kind_of(to_value(bulkinsert::null)) == Kind::null_value);
  CHECK(kind_of(to_value(std::nullopt)) == Kind::null_value);
  CHECK(std::get<double>(to_value(1.5f)) == 1.5);
  CHECK(std::get<double>(to_value(std::numeric_limits<float>::max())) ==
        static_cast<double>(std::numeric_limits<float>::max()));
  CHECK(std::get<double>(to_value(-std::numeric_limits<double>::infinity())) ==
        -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(std::get<double>(to_value(std::numeric_limits<double>::quiet_NaN()))));

  const std::string s = "text";
  CHECK(std::get<std::string_view>(to_value(s)).data() == s.data());  // borrowed, not copied
  CHECK(std::get<std::string_view>(to_value(std::string_view{"view"})) == "view");
  CHECK(std::get<std::string_view>(to_value("literal")) == "literal");
  const char* cstr = "c string";
  CHECK(std::get<std::string_view>(to_value(cstr)) == "c string");
  const char* none = nullptr;
  CHECK(kind_of(to_value(none)) == Kind::null_value);
  CHECK(kind_of(to_value(std::string{})) == Kind::text);  // empty text is not NULL
}

TEST_CASE("bytes are borrowed and empty bytes are not NULL", "[core][value]") {
  const bulkinsert::Bytes b{std::byte{1}, std::byte{0}, std::byte{255}};
  const ValueRef r = to_value(b);
  REQUIRE(kind_of(r) == Kind::bytes);
  CHECK(std::get<bulkinsert::BytesView>(r).data() == b.data());
  CHECK(std::get<bulkinsert::BytesView>(r).size() == 3);
  CHECK(kind_of(to_value(bulkinsert::Bytes{})) == Kind::bytes);
}

TEST_CASE("optional values are NULL or their value", "[core][value]") {
  CHECK(kind_of(to_value(std::optional<int>{})) == Kind::null_value);
  CHECK(as_int(std::optional<std::int16_t>{-7}.value()) == -7);
  CHECK(std::get<std::int64_t>(to_value(std::optional<std::int16_t>{-7})) == -7);
  CHECK(std::get<std::string_view>(to_value(std::optional<std::string>{""})) == "");
  CHECK(kind_of(to_value(std::optional<std::string>{})) == Kind::null_value);
  CHECK_THROWS_AS(to_value(std::optional<std::uint64_t>{std::numeric_limits<std::uint64_t>::max()}),
                  bulkinsert::ValueError);
}

TEST_CASE("time points keep microseconds and refuse finer digits", "[core][value]") {
  using namespace std::chrono;
  const sys_time<nanoseconds> whole{nanoseconds{1'700'000'000'123'456'000LL}};
  const ValueRef r = to_value(whole);
  REQUIRE(kind_of(r) == Kind::timestamp);
  CHECK(std::get<bulkinsert::Timestamp>(r).time_since_epoch().count() == 1'700'000'000'123'456LL);

  CHECK_THROWS_AS(to_value(whole + nanoseconds{1}), bulkinsert::ValueError);
  CHECK_THROWS_WITH(to_value(whole + nanoseconds{999}), Catch::Contains("sub-microsecond"));
  // Before 1970, a negative count with sub-microsecond digits is refused too.
  CHECK_THROWS_AS(to_value(sys_time<nanoseconds>{nanoseconds{-1}}), bulkinsert::ValueError);
  CHECK(std::get<bulkinsert::Timestamp>(to_value(sys_time<nanoseconds>{nanoseconds{-1000}})).time_since_epoch().count() == -1);

  const sys_seconds secs{seconds{-86400}};
  CHECK(std::get<bulkinsert::Timestamp>(to_value(secs)).time_since_epoch().count() == -86'400'000'000LL);
  const sys_days day{days{20000}};
  CHECK(std::get<bulkinsert::Timestamp>(to_value(day)).time_since_epoch() == days{20000});
  const bulkinsert::Timestamp us{microseconds{7}};
  CHECK(std::get<bulkinsert::Timestamp>(to_value(us)) == us);
}

TEST_CASE("dates are valid calendar dates", "[core][value]") {
  using namespace std::chrono;
  const bulkinsert::Date leap{year{2024}, month{2}, day{29}};
  CHECK(std::get<bulkinsert::Date>(to_value(leap)) == leap);
  CHECK_THROWS_AS(to_value(bulkinsert::Date{year{2023}, month{2}, day{29}}), bulkinsert::ValueError);
  CHECK_THROWS_AS(to_value(bulkinsert::Date{year{2023}, month{13}, day{1}}), bulkinsert::ValueError);
  CHECK_THROWS_AS(to_value(bulkinsert::Value{bulkinsert::Date{year{2023}, month{4}, day{31}}}), bulkinsert::ValueError);
}

TEST_CASE("owning values view as their kind", "[core][value]") {
  using bulkinsert::Value;
  CHECK(kind_of(to_value(Value{})) == Kind::null_value);
  CHECK(kind_of(to_value(Value{bulkinsert::null})) == Kind::null_value);
  CHECK(kind_of(to_value(Value{true})) == Kind::boolean);
  CHECK(kind_of(to_value(Value{std::int64_t{1}})) == Kind::integer);
  CHECK(kind_of(to_value(Value{2.5})) == Kind::real);
  const Value text{std::string{"abc"}};
  CHECK(std::get<std::string_view>(to_value(text)).data() == std::get<std::string>(text).data());
  CHECK(kind_of(to_value(Value{bulkinsert::Bytes{}})) == Kind::bytes);
  CHECK(kind_of(to_value(Value{bulkinsert::Timestamp{}})) == Kind::timestamp);
  CHECK(kind_of(to_value(Value{bulkinsert::Date{std::chrono::year{2000}, std::chrono::month{1}, std::chrono::day{1}}})) ==
        Kind::date);
  CHECK(bulkinsert::kind_name(Kind::timestamp) == "timestamp");
  CHECK(bulkinsert::kind_name(Kind::null_value) == "null");
}

namespace {
struct Money {
  std::int64_t cents;
};
}  // namespace

template <>
struct bulkinsert::value_traits<Money> {
  static ValueRef to_value(const Money& m) { return m.cents; }
};

TEST_CASE("a user type becomes a sql value by specialising value_traits", "[core][value]") {
  STATIC_REQUIRE(bulkinsert::sql_value<Money>);
  CHECK(std::get<std::int64_t>(to_value(Money{1234})) == 1234);
  CHECK(std::get<std::int64_t>(to_value(std::optional<Money>{Money{5}})) == 5);
}
