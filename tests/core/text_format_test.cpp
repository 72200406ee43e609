// detail/text_format.hpp: dates and timestamps as text, and DateTimeText's reuse of the last day.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <bulkinsert/detail/text_format.hpp>

using namespace std::chrono;
using bulkinsert::Date;
using bulkinsert::Timestamp;
using bulkinsert::detail::DateTimeText;
using bulkinsert::detail::format_date;
using bulkinsert::detail::format_timestamp;
using bulkinsert::detail::text_buffer_size;

namespace {
std::string timestamp_text(Timestamp t, bool with_zone) {
  char buf[text_buffer_size];
  return {buf, format_timestamp(buf, t, with_zone)};
}
Timestamp at(sys_days day, microseconds time_of_day) { return Timestamp{day} + time_of_day; }
}  // namespace

TEST_CASE("timestamps and dates are written as ISO 8601, BC as PostgreSQL spells it", "[core][text]") {
  CHECK(timestamp_text(at(2024y / 2 / 29, 13h + 45min + 7s + 123456us), false) == "2024-02-29 13:45:07.123456");
  CHECK(timestamp_text(at(1970y / 1 / 1, 0us), true) == "1970-01-01 00:00:00.000000+00");
  CHECK(timestamp_text(at(1969y / 12 / 31, 23h + 59min + 59s + 999999us), false) == "1969-12-31 23:59:59.999999");
  CHECK(timestamp_text(at(year{-43} / 3 / 15, 12h), true) == "0044-03-15 12:00:00.000000+00 BC");
  CHECK(timestamp_text(at(year{12345} / 1 / 2, 1us), false) == "12345-01-02 00:00:00.000001");
  char buf[text_buffer_size];
  CHECK(std::string_view(buf, format_date(buf, Date{2023y / 12 / 31})) == "2023-12-31");
  CHECK(std::string_view(buf, format_date(buf, Date{year{0} / 1 / 1})) == "0001-01-01 BC");
}

TEST_CASE("DateTimeText writes what format_timestamp writes, reusing the day across calls", "[core][text]") {
  // Rows in time order (the day reused), a jump back, BC, a date between timestamps (which overwrites
  // the buffer's date), and the zone switched on and off.
  const std::vector<Timestamp> times{
      at(2024y / 2 / 29, 1s),       at(2024y / 2 / 29, 2s + 5us), at(2024y / 2 / 29, 23h + 59min + 59s + 999999us),
      at(2024y / 3 / 1, 0us),       at(2024y / 3 / 1, 1min),      at(1999y / 12 / 31, 23h),
      at(year{-43} / 3 / 15, 12h),  at(year{-43} / 3 / 15, 13h),  at(2024y / 3 / 1, 2min),
      at(year{12345} / 1 / 2, 1us), at(2024y / 3 / 1, 3min),      at(1969y / 12 / 31, 1s)};
  DateTimeText text;
  for (std::size_t i = 0; i < times.size(); ++i) {
    const bool zone = i % 3 == 1;
    INFO("timestamp " << i);
    CHECK(std::string{text.timestamp(times[i], zone)} == timestamp_text(times[i], zone));
    if (i == 3) {  // the next timestamp has the same day as this one
      char buf[text_buffer_size];
      const Date d{2024y / 3 / 2};
      CHECK(std::string{text.date(d)} == std::string_view(buf, format_date(buf, d)));
    }
  }
}
