#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "backend.hpp"
#include "csv.hpp"
#include "dialect.hpp"
#include "error.hpp"
#include "inserter.hpp"
#include "options.hpp"
#include "parallel.hpp"
#include "report.hpp"
#include "strategy.hpp"
#include "table.hpp"
#include "value.hpp"

namespace bulkinsert {

/// A CSV row that was not loaded, with why. Nothing is lost: `record` is the row as CSV text.
struct CsvReject {
  std::uint64_t line = 0;  ///< physical line (1-based) where the record starts; 0 if unknown
  std::string column;      ///< the table column whose value failed; empty for the whole row
  std::string code;        ///< SQLSTATE / SQLite code when the database refused the row; empty otherwise
  std::string reason;      ///< what was wrong, one line
  std::string record;      ///< the record written back as one CSV line; empty if no longer known
};

/// How far a load has got, handed to CsvLoadOptions::on_progress.
struct CsvProgress {
  std::uint64_t rows_read = 0;      ///< data rows read so far
  std::uint64_t rows_rejected = 0;  ///< of which rejected
  std::uint64_t bytes_read = 0;
  std::optional<std::uint64_t> total_bytes;  ///< the file's size, when it is a regular file
  std::chrono::steady_clock::duration elapsed{};
  bool done = false;  ///< the last call, once every row is read
};

/// What a CSV load does. Only `table` is required.
struct CsvLoadOptions {
  std::string table;
  std::string schema;  ///< empty: the connection's default
  /// CSV header name -> table column. Every other header name goes to the table column of the same name
  /// (exactly, else case-insensitively when only one column matches).
  std::vector<std::pair<std::string, std::string>> map;
  /// CSV columns with no table column are skipped instead of being an error.
  bool ignore_unmapped = false;
  /// An unquoted field equal to this is NULL (a quoted one never is); nullopt: no field is NULL.
  std::optional<std::string> null_text = std::string{};
  /// "copy", "multi_values", "execute_many", "per_row"; empty: the backend's default.
  std::string strategy;
  /// Rows per chunk (rows per statement for multi_values); 0: the strategy's default.
  std::size_t chunk_rows = 0;
  /// Commit every N chunks (0: one transaction for the whole load).
  std::size_t checkpoint_every_chunks = 0;
  /// Non-empty: an exactly-once, resumable import under this id (see InsertOptions::import_id).
  std::string import_id;
  /// Rows that may be rejected (by conversion or by the database) before the load fails. 0: the first
  /// bad row fails the load and the open transaction is rolled back.
  std::size_t max_rejects = 0;
  /// Told about each rejected row (only with max_rejects > 0).
  std::function<void(const CsvReject&)> on_reject;
  /// Called every few thousand rows and once at the end; it should be cheap (throttle in it).
  std::function<void(const CsvProgress&)> on_progress;
};

/// What a load did. rows_loaded + rows_rejected == rows_read.
struct CsvLoadResult {
  std::uint64_t rows_read = 0;
  std::uint64_t rows_loaded = 0;
  std::uint64_t rows_rejected = 0;
  std::uint64_t rows_skipped = 0;  ///< of rows_loaded, those a resumed import found committed by an earlier run
  std::uint64_t blank_lines = 0;   ///< empty lines skipped (not data rows)
  Report report;                  ///< the inserter's report
};

/// A load that stopped: the message names the file, the line(s) and the reason. Whatever was committed
/// at a checkpoint stays; everything after it was rolled back. The cause is nested.
class CsvLoadError : public Error {
 public:
  CsvLoadError(std::string what, std::uint64_t line, std::uint64_t rows_read)
      : Error(std::move(what)), line_(line), rows_read_(rows_read) {}
  /// The line of the failing row (the first line of the failing chunk for a database error); 0 if unknown.
  [[nodiscard]] std::uint64_t line() const noexcept { return line_; }
  /// Data rows read before the failure.
  [[nodiscard]] std::uint64_t rows_read() const noexcept { return rows_read_; }

 private:
  std::uint64_t line_;
  std::uint64_t rows_read_;
};

/// One CSV column routed to one table column.
struct CsvTarget {
  std::size_t field = 0;  ///< 0-based CSV field
  ColumnInfo column;      ///< the table column, from the catalog
};

namespace detail::csv {

/// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). Returns the offset of the
/// first bad byte, or npos.
inline std::size_t invalid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII runs, eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) len = 3, hi = 0x9F;  // no UTF-16 surrogates
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F;  // nothing above U+10FFFF
    else return i;
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    i += len;
  }
  return std::string_view::npos;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/// Whether the database stores NaN as a number: PostgreSQL does, SQLite would store NULL.
constexpr bool stores_nan(const PostgresDialect&) noexcept { return true; }
constexpr bool stores_nan(const SqliteDialect&) noexcept { return false; }

/// The integer range of a column: PostgreSQL's smallint and integer by type OID, 64 bits otherwise.
inline std::pair<std::int64_t, std::int64_t> integer_range(const ColumnInfo& c) noexcept {
  if (c.type_id == 21) return {std::numeric_limits<std::int16_t>::min(), std::numeric_limits<std::int16_t>::max()};
  if (c.type_id == 23) return {std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()};
  return {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
}

/// Reads exactly `n` digits at s[pos]; false if any is not a digit.
inline bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

inline bool parse_date(std::string_view s, Date& out) noexcept {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) || !digits(s, 5, 2, m) ||
      !digits(s, 8, 2, d))
    return false;
  out = std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(m)} / std::chrono::day{static_cast<unsigned>(d)};
  return out.ok();
}

/// "YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|(+|-)HH[[:]MM]]", read as UTC unless an offset is given.
inline bool parse_timestamp(std::string_view s, Timestamp& out) noexcept {
  using namespace std::chrono;
  Date date;
  if (s.size() < 10 || !parse_date(s.substr(0, 10), date)) return false;
  microseconds t{0};
  std::size_t p = 10;
  if (p < s.size()) {
    if (s[p] != ' ' && s[p] != 'T' && s[p] != 't') return false;
    int hh, mm, ss = 0;
    if (!digits(s, p + 1, 2, hh) || p + 3 >= s.size() || s[p + 3] != ':' || !digits(s, p + 4, 2, mm)) return false;
    p += 6;
    if (p < s.size() && s[p] == ':') {
      if (!digits(s, p + 1, 2, ss)) return false;
      p += 3;
    }
    if (hh > 23 || mm > 59 || ss > 59) return false;  // PostgreSQL also refuses leap second 60 here
    t = hours{hh} + minutes{mm} + seconds{ss};
    if (p < s.size() && s[p] == '.') {
      ++p;
      std::int64_t frac = 0;
      std::size_t n = 0;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        if (++n > 6) return false;  // finer than a microsecond: refuse rather than round
        frac = frac * 10 + (s[p] - '0');
        ++p;
      }
      if (n == 0) return false;
      for (; n < 6; ++n) frac *= 10;
      t += microseconds{frac};
    }
    if (p < s.size()) {
      if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) {
        p = s.size();
      } else if (s[p] == '+' || s[p] == '-') {
        const int sign = s[p] == '-' ? -1 : 1;
        int oh, om = 0;
        if (!digits(s, p + 1, 2, oh)) return false;
        p += 3;
        if (p < s.size()) {
          if (s[p] == ':') ++p;
          if (!digits(s, p, 2, om) || p + 2 != s.size()) return false;
          p += 2;
        }
        if (oh > 15 || om > 59) return false;
        t -= sign * (hours{oh} + minutes{om});
      } else {
        return false;
      }
    }
  }
  out = Timestamp{sys_days{date}.time_since_epoch()} + t;
  return true;
}

inline bool parse_integer(std::string_view s, std::int64_t& out, bool& overflow) noexcept {
  overflow = false;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '+') return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc::result_out_of_range && end == s.data() + s.size()) {
    overflow = true;
    return false;
  }
  return ec == std::errc{} && end == s.data() + s.size();
}

/// A decimal or exponent number, or NaN / [+-]Infinity / [+-]inf (any case), as PostgreSQL spells them.
inline bool parse_real(std::string_view s, double& out, bool& overflow) noexcept {
  overflow = false;
  std::string_view body = s;
  double sign = 1;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    sign = body[0] == '-' ? -1 : 1;
    body.remove_prefix(1);
  }
  if (iequals(body, "infinity") || iequals(body, "inf")) {
    out = sign * std::numeric_limits<double>::infinity();
    return true;
  }
  if (iequals(s, "nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (body.empty() || !(std::isdigit(static_cast<unsigned char>(body[0])) || body[0] == '.')) return false;
  if (s[0] == '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (end != s.data() + s.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    overflow = true;
    return false;
  }
  return ec == std::errc{};
}

inline bool parse_boolean(std::string_view s, bool& out) noexcept {
  for (const std::string_view t : {"t", "true", "1", "yes", "y", "on"})
    if (iequals(s, t)) return out = true, true;
  for (const std::string_view f : {"f", "false", "0", "no", "n", "off"})
    if (iequals(s, f)) return out = false, true;
  return false;
}

/// PostgreSQL's hex bytea form: "\x" then pairs of hex digits.
inline bool parse_bytes(std::string_view s, Bytes& out) {
  if (s.size() < 2 || s[0] != '\\' || (s[1] != 'x' && s[1] != 'X') || s.size() % 2 != 0) return false;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.clear();
  out.reserve((s.size() - 2) / 2);
  for (std::size_t i = 2; i < s.size(); i += 2) {
    const int a = hex(s[i]), b = hex(s[i + 1]);
    if (a < 0 || b < 0) return false;
    out.push_back(static_cast<std::byte>(a * 16 + b));
  }
  return true;
}

/// `text` quoted for a message: at most 60 bytes, control and non-ASCII bytes escaped.
inline std::string shown(std::string_view text) {
  std::string out = "\"";
  const std::size_t n = std::min<std::size_t>(text.size(), 60);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') out += fmt::format("\\{}", static_cast<char>(c));
    else if (c >= 0x20 && c < 0x7F) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  out += '"';
  if (text.size() > n) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

/// Converts one field to the column's kind. Returns an empty string on success, else why it failed.
template <class Dialect>
std::string convert(std::string_view text, const ColumnInfo& column, Value& out) {
  switch (column.kind) {
    case Kind::integer: {
      std::int64_t v;
      bool overflow;
      if (!parse_integer(text, v, overflow))
        return overflow ? fmt::format("{} is out of range for a 64-bit integer", shown(text))
                        : fmt::format("{} is not an integer", shown(text));
      const auto [lo, hi] = integer_range(column);
      if (v < lo || v > hi) return fmt::format("{} is out of range for type {}", shown(text), column.type);
      out = v;
      return {};
    }
    case Kind::real: {
      double v;
      bool overflow;
      if (!parse_real(text, v, overflow))
        return overflow ? fmt::format("{} is out of range for a double", shown(text))
                        : fmt::format("{} is not a number", shown(text));
      if (std::isnan(v) && !stores_nan(Dialect{}))
        return fmt::format("{}: NaN cannot be stored in this database (it would become NULL)", shown(text));
      // float4 (PostgreSQL's real): a finite value beyond its range would become infinity.
      if (column.type_id == 700 && std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max())
        return fmt::format("{} is out of range for type {}", shown(text), column.type);
      out = v;
      return {};
    }
    case Kind::boolean: {
      bool v;
      if (!parse_boolean(text, v)) return fmt::format("{} is not a boolean (true/false, t/f, yes/no, 1/0)", shown(text));
      out = v;
      return {};
    }
    case Kind::timestamp: {
      Timestamp v;
      if (!parse_timestamp(text, v))
        return fmt::format("{} is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff][Z|+HH:MM])", shown(text));
      out = v;
      return {};
    }
    case Kind::date: {
      Date v;
      if (!parse_date(text, v)) return fmt::format("{} is not a date (YYYY-MM-DD)", shown(text));
      out = v;
      return {};
    }
    case Kind::bytes: {
      Bytes v;
      if (!parse_bytes(text, v)) return fmt::format("{} is not bytes in hex form (\\x0123abcd)", shown(text));
      out = std::move(v);
      return {};
    }
    case Kind::null_value:
    case Kind::text:
      break;
  }
  if (const std::size_t bad = invalid_utf8(text); bad != std::string_view::npos)
    return fmt::format("invalid UTF-8 at byte {} of {}", bad + 1, shown(text));
  out = std::string{text};
  return {};
}

/// Remembers the CSV line (and, when rejects are written, the record) of the last `capacity` rows fed to
/// the inserter, so a row it reports by position can be named. Memory is bounded by one chunk.
class LineRing {
 public:
  void reset(std::size_t capacity, bool keep_records) {
    slots_.assign(capacity == 0 ? 1 : capacity, Slot{});
    keep_records_ = keep_records;
  }
  void put(std::uint64_t fed, std::uint64_t line, const CsvReader& csv) {
    Slot& s = slots_[fed % slots_.size()];
    s.fed = fed;
    s.line = line;
    if (keep_records_) s.record = csv.record_text();
  }
  /// The slot of fed row `fed`, or null if it has left the ring.
  [[nodiscard]] const auto* find(std::uint64_t fed) const noexcept {
    const Slot& s = slots_[fed % slots_.size()];
    return s.fed == fed ? &s : nullptr;
  }

 private:
  struct Slot {
    std::uint64_t fed = static_cast<std::uint64_t>(-1);
    std::uint64_t line = 0;
    std::string record;
  };
  std::vector<Slot> slots_;
  bool keep_records_ = false;
};

}  // namespace detail::csv

/// Routes CSV header names to table columns: explicit pairs first, then same name (exact, else
/// case-insensitive when unique). Throws InputError for a duplicate or unknown name, a CSV column with no
/// table column (unless ignore_unmapped), a table column fed twice, or a required column (NOT NULL
/// without a default) that no CSV column feeds.
[[nodiscard]] inline std::vector<CsvTarget> map_csv_columns(const std::vector<std::string>& header,
                                                            const std::vector<ColumnInfo>& columns,
                                                            const CsvLoadOptions& options) {
  const std::string& table = options.table;
  auto find_header = [&](std::string_view name) -> std::size_t {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  auto find_column = [&](std::string_view name) -> const ColumnInfo* {
    const auto it = std::find_if(columns.begin(), columns.end(), [&](const ColumnInfo& c) { return c.name == name; });
    if (it != columns.end()) return &*it;
    const ColumnInfo* found = nullptr;
    for (const ColumnInfo& c : columns) {
      if (!detail::csv::iequals(c.name, name)) continue;
      if (found != nullptr) return nullptr;  // ambiguous: only an exact match will do
      found = &c;
    }
    return found;
  };

  std::vector<const ColumnInfo*> routed(header.size(), nullptr);
  std::vector<bool> explicit_pair(header.size(), false);
  for (const auto& [csv_name, column_name] : options.map) {
    const std::size_t f = find_header(csv_name);
    if (f == header.size())
      throw InputError(fmt::format("--map {}={}: the CSV header has no column \"{}\" (it has: {})", csv_name,
                                   column_name, csv_name, fmt::join(header, ", ")));
    // An init-capture: clang before 16 cannot capture a structured binding.
    const auto it = std::find_if(columns.begin(), columns.end(),
                                 [&wanted = column_name](const ColumnInfo& c) { return c.name == wanted; });
    if (it == columns.end())
      throw InputError(fmt::format("--map {}={}: table \"{}\" has no column \"{}\"", csv_name, column_name, table,
                                   column_name));
    if (explicit_pair[f]) throw InputError(fmt::format("CSV column \"{}\" is mapped twice", csv_name));
    routed[f] = &*it;
    explicit_pair[f] = true;
  }
  for (std::size_t f = 0; f < header.size(); ++f) {
    if (std::find(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(f), header[f]) !=
        header.begin() + static_cast<std::ptrdiff_t>(f))
      throw InputError(fmt::format("the CSV header names column \"{}\" twice", header[f]));
    if (explicit_pair[f]) continue;
    routed[f] = find_column(header[f]);
    if (routed[f] == nullptr && !options.ignore_unmapped) {
      // A loop, not columns | views::transform: clang 14 rejects that pipe against libstdc++ 12's ranges.
      std::vector<std::string_view> names;
      for (const ColumnInfo& c : columns) names.push_back(c.name);
      throw InputError(fmt::format(
          "CSV column \"{}\" has no column in table \"{}\" (it has: {}); map it with --map {}=COLUMN, or ignore "
          "unmapped columns",
          header[f], table, fmt::join(names, ", "), header[f]));
    }
  }

  std::vector<CsvTarget> targets;
  for (std::size_t f = 0; f < header.size(); ++f) {
    if (routed[f] == nullptr) continue;
    for (const CsvTarget& t : targets)
      if (t.column.name == routed[f]->name)
        throw InputError(fmt::format("CSV columns \"{}\" and \"{}\" both go to column \"{}\" of table \"{}\"",
                                     header[t.field], header[f], routed[f]->name, table));
    targets.push_back({f, *routed[f]});
  }
  std::vector<std::string> missing;
  for (const ColumnInfo& c : columns) {
    if (!c.not_null || c.has_default) continue;
    if (std::none_of(targets.begin(), targets.end(), [&](const CsvTarget& t) { return t.column.name == c.name; }))
      missing.push_back(c.name);
  }
  if (!missing.empty())
    throw InputError(fmt::format("table \"{}\" requires column{} {} (NOT NULL, no default), but no CSV column feeds it",
                                 table, missing.size() > 1 ? "s" : "", fmt::join(missing, ", ")));
  if (targets.empty()) throw InputError(fmt::format("no CSV column maps to a column of table \"{}\"", table));
  return targets;
}

namespace detail::csv {

/// The rows of a CSV file, converted, as a single-pass input range for BulkInserter. A row that cannot
/// be converted is either rejected (reported, not fed) or ends the load, per the options.
template <class Dialect>
class RowSource {
 public:
  RowSource(CsvReader& csv, const std::vector<CsvTarget>& targets, const CsvLoadOptions& options, LineRing& ring,
            CommittedRows committed = {})
      : csv_(csv),
        targets_(targets),
        options_(options),
        ring_(ring),
        committed_(std::move(committed)),
        started_(std::chrono::steady_clock::now()) {}

  struct Sentinel {};
  class Iterator {
   public:
    using value_type = DynamicRow;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    explicit Iterator(RowSource* s) noexcept : s_(s) {}
    DynamicRow operator*() const { return std::move(s_->row_); }
    Iterator& operator++() {
      s_->advance();
      return *this;
    }
    void operator++(int) { s_->advance(); }
    friend bool operator==(const Iterator& i, Sentinel) noexcept { return i.s_->done(); }

   private:
    RowSource* s_ = nullptr;
  };

  Iterator begin() {
    advance();
    return Iterator{this};
  }
  Sentinel end() const noexcept { return {}; }

  [[nodiscard]] bool done() const noexcept { return done_; }
  [[nodiscard]] std::uint64_t fed() const noexcept { return fed_; }
  [[nodiscard]] std::uint64_t rejected() const noexcept { return rejected_; }
  [[nodiscard]] std::uint64_t rejects_total() const noexcept { return rejected_ + database_rejected_; }
  [[nodiscard]] std::uint64_t database_rejected() const noexcept { return database_rejected_; }

  /// A row the database refused (from InsertOptions::on_reject).
  void database_reject(const RejectedRow& r) {
    ++database_rejected_;
    CsvReject out;
    out.code = r.code;
    out.reason = r.message;
    if (const auto* slot = ring_.find(r.input_row)) {
      out.line = slot->line;
      out.record = slot->record;
    } else {
      // Only in a parallel load whose workers fell far behind the reader: the row has left the ring.
      out.reason += fmt::format(" (data row {} of those sent; its line is no longer known)", r.input_row + 1);
    }
    emit(std::move(out));
  }

  void progress(bool done) {
    if (!options_.on_progress) return;
    CsvProgress p;
    p.rows_read = csv_.records();
    p.rows_rejected = rejects_total();
    p.bytes_read = csv_.bytes_read();
    p.total_bytes = csv_.total_bytes();
    p.elapsed = std::chrono::steady_clock::now() - started_;
    p.done = done;
    options_.on_progress(p);
  }

 private:
  void emit(CsvReject reject) {
    const std::lock_guard lock{emit_mutex_};
    if (rejects_total() > options_.max_rejects)
      throw CsvLoadError(fmt::format("{}: more than {} rejected rows; the last: line {}{}: {}", csv_.name(),
                                     options_.max_rejects, reject.line,
                                     reject.column.empty() ? "" : fmt::format(", column \"{}\"", reject.column),
                                     reject.reason),
                         reject.line, csv_.records());
    if (options_.on_reject) options_.on_reject(reject);
  }

  /// A bad row: rejected if the limit allows, else the end of the load.
  void refuse(std::uint64_t line, std::string column, std::string reason, std::string message) {
    if (options_.max_rejects == 0) throw CsvLoadError(std::move(message), line, csv_.records());
    ++rejected_;
    // A resumed import reads its file from the start: a row refused before a row an earlier run
    // committed was reported by that run, and is counted, not written again.
    if (committed_.contains(fed_)) return;
    emit(CsvReject{line, std::move(column), {}, std::move(reason), csv_.record_text()});
  }

  void advance() {
    for (;;) {
      try {
        if (!csv_.next()) {
          done_ = true;
          return;
        }
      } catch (const CsvError& e) {
        if (!e.recoverable()) throw;
        refuse(e.line(), {}, e.reason(), e.what());
        continue;
      }
      if (++since_progress_ == 4096) {
        since_progress_ = 0;
        progress(false);
      }
      if (convert_row()) break;
    }
    ring_.put(fed_, csv_.line(), csv_);
    ++fed_;
  }

  bool convert_row() {
    DynamicRow row(targets_.size());
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      const CsvTarget& t = targets_[i];
      const std::string_view text = csv_.field(t.field);
      if (options_.null_text && !csv_.quoted(t.field) && text == *options_.null_text) continue;  // Null already
      std::string why = convert<Dialect>(text, t.column, row[i]);
      if (!why.empty()) {
        const std::string& csv_name = csv_.header()[t.field];
        std::string message =
            fmt::format("{}: line {}, column \"{}\"{}: {}", csv_.name(), csv_.line(), t.column.name,
                        csv_name == t.column.name ? std::string{} : fmt::format(" (CSV column \"{}\")", csv_name), why);
        refuse(csv_.line(), t.column.name, std::move(why), std::move(message));
        return false;
      }
    }
    row_ = std::move(row);
    return true;
  }

  CsvReader& csv_;
  const std::vector<CsvTarget>& targets_;
  const CsvLoadOptions& options_;
  LineRing& ring_;
  CommittedRows committed_;
  std::chrono::steady_clock::time_point started_;
  DynamicRow row_;
  bool done_ = false;
  std::uint64_t fed_ = 0;
  std::uint64_t rejected_ = 0;
  std::atomic<std::uint64_t> database_rejected_{0};  // counted by parallel workers too
  std::mutex emit_mutex_;                             // rejects come from the reading thread and from workers
  std::size_t since_progress_ = 0;
};

}  // namespace detail::csv

namespace detail::csv {

/// The body of load_csv: `make_inserter(insert_options)` returns the inserter; `in_flight` is how many
/// chunks it may hold unreported at once (rejects name rows from any of them).
template <class Backend, class MakeInserter>
CsvLoadResult load(Backend& backend, CsvReader& csv, const CsvLoadOptions& options, std::size_t in_flight,
                   MakeInserter make_inserter) {
  using Dialect = typename Backend::dialect_type;
  TableSpec spec;
  spec.schema = options.schema;
  spec.name = options.table;
  std::vector<ColumnInfo> columns;
  try {
    columns = backend.describe(spec);
  } catch (const DatabaseError& e) {
    std::throw_with_nested(DatabaseError(e.code(), fmt::format("table \"{}\": {}", options.table, e.message())));
  }
  if (csv.header().empty()) throw InputError(fmt::format("{}: no header row (the file is empty?)", csv.name()));
  const std::vector<CsvTarget> targets = map_csv_columns(csv.header(), columns, options);

  std::vector<std::string> names;
  for (const CsvTarget& t : targets) names.push_back(t.column.name);
  Table<DynamicRow> table{options.table, std::move(names)};
  if (!options.schema.empty()) table.schema(options.schema);

  LineRing ring;
  CommittedRows committed;
  if (!options.import_id.empty())
    for (const RowRange& r : committed_rows(backend, options.import_id)) committed.add(r);
  RowSource<Dialect> source{csv, targets, options, ring, std::move(committed)};

  InsertOptions insert_options;
  insert_options.checkpoint_every_chunks = options.checkpoint_every_chunks;
  insert_options.import_id = options.import_id;
  insert_options.max_rejects = options.max_rejects;
  if (options.max_rejects > 0) insert_options.on_reject = [&](const RejectedRow& r) { source.database_reject(r); };
  auto inserter = make_inserter(std::move(insert_options));

  const std::string_view strategy =
      options.strategy.empty() ? std::string_view{Backend::default_strategy::name} : std::string_view{options.strategy};
  CsvLoadResult result;
  try {
    result.report = with_strategy<Backend>(strategy, [&](auto s) {
      if (options.chunk_rows != 0) {
        if constexpr (requires { s.rows_per_chunk; }) s.rows_per_chunk = options.chunk_rows;
        else if constexpr (requires { s.rows_per_statement; }) s.rows_per_statement = options.chunk_rows;
      }
      ring.reset(in_flight * s.chunk_rows(backend.limits(), table.column_count()) + 2, options.max_rejects > 0);
      return inserter->insert(table, source, s);
    });
  } catch (const ChunkError& e) {
    // The rows of the refused chunk, as CSV lines.
    std::uint64_t first = 0, last = 0;
    if (const auto* slot = ring.find(e.rows().first)) first = slot->line;
    if (e.rows().last > 0)
      if (const auto* slot = ring.find(e.rows().last - 1)) last = slot->line;
    std::string where = first == 0 ? std::string{"a chunk"}
                        : first == last ? fmt::format("line {}", first)
                                        : fmt::format("the chunk of lines {}-{}", first, last);
    std::throw_with_nested(CsvLoadError(fmt::format("{}: {} refused by the database: {}", csv.name(), where, e.what()),
                                        first, csv.records()));
  }
  source.progress(true);
  result.rows_read = csv.records();
  result.rows_rejected = source.rejects_total();
  result.rows_loaded = source.fed() - source.database_rejected();
  result.rows_skipped = result.report.rows_skipped;
  result.blank_lines = csv.blank_lines();
  return result;
}

}  // namespace detail::csv

/// Loads a CSV file into an existing table. Column types come from the database's catalog
/// (Backend::describe), so nothing is declared. Streams: memory is one read buffer plus one chunk.
/// Returns the three counts (rows_loaded + rows_rejected == rows_read). Throws InputError for a mapping
/// problem (before anything is sent), CsvLoadError naming the line for a bad row or a refused chunk
/// (the open transaction is rolled back), DatabaseError for a missing table or a lost connection.
template <backend Backend>
[[nodiscard]] CsvLoadResult load_csv(Backend& backend, CsvReader& csv, const CsvLoadOptions& options) {
  return detail::csv::load(backend, csv, options, 1, [&](InsertOptions o) {
    return std::make_unique<BulkInserter<Backend>>(backend, std::move(o));
  });
}

/// The same over `workers` connections opened by `connect`, read by this thread and sent by the workers
/// in parallel (ParallelInserter: with checkpoints, chunks commit out of input order).
template <backend Backend>
[[nodiscard]] CsvLoadResult load_csv_parallel(const std::function<std::unique_ptr<Backend>()>& connect,
                                              std::size_t workers, CsvReader& csv, const CsvLoadOptions& options) {
  std::unique_ptr<ParallelInserter<Backend>> inserter;
  auto make = [&](InsertOptions o) {
    inserter = std::make_unique<ParallelInserter<Backend>>(connect, workers, std::move(o));
    return inserter.get();
  };
  // The catalog is read through a connection of its own, before the workers open theirs.
  const std::unique_ptr<Backend> first = connect();
  // ParallelInserter never lets the reader run more than max_chunks_in_flight() chunks ahead of the
  // oldest unfinished one (4 per worker); the reader's own chunk and slack make the rest.
  return detail::csv::load(*first, csv, options, 4 * workers + 2, make);
}

}  // namespace bulkinsert
