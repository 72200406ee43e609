#pragma once

// Values made from a stream of bytes: the fuzzers feed it libFuzzer's input, the round-trip tests
// feed it a seeded PRNG, so both exercise the same values (extremes of every kind, COPY text's own
// escapes, NaN and infinities, dates and instants on both sides of year 1 and 1970).

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <bulkinsert/value.hpp>

namespace test {

/// Reads bytes as a sequence of choices; past the end every read gives zeros, so any input makes a value.
class ByteSource {
 public:
  explicit ByteSource(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

  [[nodiscard]] bool exhausted() const noexcept { return at_ >= bytes_.size(); }
  std::uint8_t u8() noexcept { return at_ < bytes_.size() ? bytes_[at_++] : 0; }
  std::uint64_t u64() noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | u8();
    return v;
  }
  /// A number in [0, n), n >= 1.
  std::size_t below(std::size_t n) noexcept {
    const std::uint64_t v = n <= 256 ? u8() : n <= 65536 ? (std::uint64_t{u8()} << 8 | u8()) : u64();
    return static_cast<std::size_t>(v % n);
  }
  /// A number in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) noexcept {
    const auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    const std::uint64_t v = span == std::numeric_limits<std::uint64_t>::max() ? u64() : u64() % (span + 1);
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + v);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

/// What the values may hold.
struct ValueLimits {
  /// Text may hold NUL (which every PostgreSQL path must refuse with an InputError).
  bool nul_in_text = true;
  /// Text is valid UTF-8, as a UTF8 database requires; otherwise any bytes.
  bool utf8_text = false;
  /// Timestamps and dates stay inside PostgreSQL's range (4713 BC to 294276 AD, dates to year 32767,
  /// std::chrono's limit); otherwise any int64 microseconds and any year/month/day, valid or not.
  bool server_range = false;
  std::size_t max_text = 48;
};

/// The PostgreSQL range of timestamps as Unix microseconds: [4713-11-24 BC, 294277-01-01).
inline constexpr std::int64_t pg_min_timestamp_us = -211813488000000000LL + 946684800000000LL;
inline constexpr std::int64_t pg_end_timestamp_us = std::numeric_limits<std::int64_t>::max();
/// Days since 1970: a little after PostgreSQL's first date (Julian day 0, 4714-11-24 BC), and
/// 32767-12-31, the last date std::chrono::year_month_day holds.
inline constexpr std::int64_t pg_min_date_days = -2440490;
inline constexpr std::int64_t max_chrono_date_days = 11248737;

/// Makes values of every kind from a ByteSource.
class ValueMaker {
 public:
  ValueMaker(ByteSource& in, ValueLimits limits) noexcept : in_(in), limits_(limits) {}

  /// A kind, null included.
  bulkinsert::Kind kind() noexcept { return static_cast<bulkinsert::Kind>(in_.below(8)); }

  /// A value of kind `k` (null for Kind::null_value).
  bulkinsert::Value value(bulkinsert::Kind k) {
    using bulkinsert::Kind;
    switch (k) {
      case Kind::null_value: return bulkinsert::Null{};
      case Kind::boolean: return (in_.u8() & 1) != 0;
      case Kind::integer: return integer();
      case Kind::real: return real();
      case Kind::text: return text();
      case Kind::bytes: return bytes();
      case Kind::timestamp: return timestamp();
      case Kind::date: return date();
    }
    return bulkinsert::Null{};
  }

  std::int64_t integer() noexcept {
    using lim = std::numeric_limits<std::int64_t>;
    static constexpr std::array<std::int64_t, 12> special = {
        0, 1, -1, lim::min(), lim::max(), -32768, 32767, 32768, -2147483648LL, 2147483647LL, 2147483648LL,
        9007199254740993LL};  // 2^53 + 1: not a double
    const auto pick = in_.u8();
    if (pick < 96) return special[pick % special.size()];
    if (pick < 160) return static_cast<std::int8_t>(in_.u8());
    return static_cast<std::int64_t>(in_.u64());
  }

  double real() noexcept {
    using lim = std::numeric_limits<double>;
    static constexpr std::array<double, 13> special = {
        0.0, -0.0, lim::quiet_NaN(), lim::infinity(), -lim::infinity(), lim::denorm_min(), -lim::denorm_min(),
        lim::min(), lim::max(), lim::lowest(), lim::epsilon(), 0.1, 1e21};
    const auto pick = in_.u8();
    if (pick < 96) return special[pick % special.size()];
    if (pick < 128) return static_cast<double>(static_cast<std::int16_t>(in_.u64())) / 8;
    return std::bit_cast<double>(in_.u64());  // any pattern: NaNs with payloads, subnormals, -0
  }

  std::string text() {
    // COPY text's escapes, SQL's quotes, and the start of a UTF-8 sequence, often enough to meet.
    static constexpr std::string_view alphabet = "\\\t\n\r.N\"' ,;x\xc3\xa9";
    const std::size_t n = in_.below(limits_.max_text + 1);
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
      const auto pick = in_.u8();
      if (pick < 96) {
        s += alphabet[pick % alphabet.size()];
      } else if (limits_.utf8_text) {
        append_utf8(s, static_cast<std::uint32_t>(in_.below(0x110000)));
      } else {
        s += static_cast<char>(in_.u8());
      }
    }
    if (limits_.utf8_text) s = valid_utf8(s);
    if (!limits_.nul_in_text)
      for (char& c : s)
        if (c == '\0') c = '0';
    return s;
  }

  bulkinsert::Bytes bytes() {
    const std::size_t n = in_.below(limits_.max_text + 1);
    bulkinsert::Bytes b(n);
    for (auto& x : b) x = static_cast<std::byte>(in_.u8());
    return b;
  }

  bulkinsert::Timestamp timestamp() noexcept {
    using bulkinsert::Timestamp;
    using std::chrono::microseconds;
    static constexpr std::array<std::int64_t, 9> special = {
        0, -1, 1, pg_min_timestamp_us, pg_end_timestamp_us, -62135596800000000LL /* 0001-01-01 */,
        -62135596800000001LL /* the last µs of 1 BC */, 253402300799999999LL /* 9999-12-31 23:59:59.999999 */,
        std::numeric_limits<std::int64_t>::min()};
    const auto pick = in_.u8();
    std::int64_t us = 0;
    if (pick < 64) us = special[pick % (limits_.server_range ? special.size() - 1 : special.size())];
    else if (pick < 160) us = in_.between(-62135596800000000LL, 253402300799999999LL);  // years 1 to 9999
    else if (limits_.server_range) us = in_.between(pg_min_timestamp_us, pg_end_timestamp_us);
    else us = static_cast<std::int64_t>(in_.u64());
    return Timestamp{microseconds{us}};
  }

  bulkinsert::Date date() noexcept {
    using namespace std::chrono;
    const auto pick = in_.u8();
    if (!limits_.server_range && pick >= 224)  // any year/month/day, valid or not
      return year_month_day{year{static_cast<int>(static_cast<std::int16_t>(in_.u64()))},
                            month{static_cast<unsigned>(in_.u8())}, day{static_cast<unsigned>(in_.u8())}};
    std::int64_t days = 0;
    if (pick < 32) days = std::array<std::int64_t, 4>{0, -1, -719162 /* 0001-01-01 */, -719163}[pick % 4];
    else if (pick < 160) days = in_.between(-719162, 2932896);  // years 1 to 9999
    else days = in_.between(limits_.server_range ? pg_min_date_days : -12687428, max_chrono_date_days);
    return year_month_day{sys_days{std::chrono::days{days}}};
  }

 private:
  static void append_utf8(std::string& s, std::uint32_t cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'u';  // surrogates are not characters
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | cp >> 6);
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | cp >> 12);
      s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | cp >> 18);
      s += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
      s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

 public:
  /// `s` with every byte that does not start a complete, well-formed UTF-8 sequence replaced by '?'.
  static std::string valid_utf8(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
      const auto c = static_cast<unsigned char>(s[i]);
      std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      bool ok = n != 0 && i + n <= s.size();
      std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
      for (std::size_t k = 1; ok && k < n; ++k) {
        const auto d = static_cast<unsigned char>(s[i + k]);
        ok = (d & 0xC0) == 0x80;
        cp = cp << 6 | (d & 0x3F);
      }
      // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
      static constexpr std::uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = ok && cp >= min_cp[n] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
      if (ok) {
        out.append(s.substr(i, n));
        i += n;
      } else {
        out += '?';
        ++i;
      }
    }
    return out;
  }

 private:
  ByteSource& in_;
  ValueLimits limits_;
};

/// `n` bytes from a seeded PRNG, the input a test gives ValueMaker.
inline std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

}  // namespace test
