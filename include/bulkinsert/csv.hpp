#pragma once

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <sys/stat.h>

#include <fmt/format.h>

#include "error.hpp"

namespace bulkinsert {

/// How a CSV file is read.
struct CsvOptions {
  /// Field separator: ',' (RFC 4180), '\t', ';' or '|'. Never '"', '\r', '\n' or NUL.
  char delimiter = ',';
  /// The first record names the columns. Without it the first record only fixes the field count.
  bool header = true;
  /// A record longer than this is an error: it bounds memory when a quote is never closed.
  std::size_t max_record_bytes = 256u << 20;
  /// Bytes asked of the file per read.
  std::size_t read_bytes = 1u << 20;
};

/// Malformed CSV: says where (1-based physical line, 1-based field, the header's name for it).
/// recoverable(): the reader has skipped the bad record and can go on with the next one
/// (wrong field count, NUL byte, stray quote); otherwise the file cannot be read further (a quote
/// never closed, a record over max_record_bytes, a read error).
class CsvError : public InputError {
 public:
  CsvError(std::string what, std::uint64_t line, std::size_t field, std::string reason, bool recoverable)
      : InputError(std::move(what)), line_(line), field_(field), reason_(std::move(reason)), recoverable_(recoverable) {}

  /// The physical line (1-based) where the problem is.
  [[nodiscard]] std::uint64_t line() const noexcept { return line_; }
  /// The 1-based field, 0 when the problem concerns the whole record.
  [[nodiscard]] std::size_t field() const noexcept { return field_; }
  /// The problem alone, without the position.
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }
  [[nodiscard]] bool recoverable() const noexcept { return recoverable_; }

 private:
  std::uint64_t line_;
  std::size_t field_;
  std::string reason_;
  bool recoverable_;
};

/// A streaming RFC 4180 reader: quoted fields holding delimiters, doubled quotes and line breaks; LF or
/// CRLF; a UTF-8 byte-order mark; a header row. It holds one read buffer and one record, never the file.
///
///     bulkinsert::CsvReader csv{"users.csv"};            // "-" reads standard input
///     while (csv.next())
///       for (std::size_t i = 0; i < csv.size(); ++i) use(csv.header()[i], csv.field(i));
///
/// Bytes are passed through as they are: checking UTF-8 is the caller's business, since only text
/// columns need it. Lines that are entirely empty are skipped when records have more than one field
/// (counted by blank_lines()); with one field, an empty line is a record with one empty field.
class CsvReader {
 public:
  /// Opens `path`, or standard input for "-". Throws InputError if it cannot be opened.
  explicit CsvReader(const std::string& path, CsvOptions options = {}) : options_(options), name_(path) {
    check_options();
    if (path == "-") {
      file_ = stdin;
      name_ = "<stdin>";
    } else {
      file_ = std::fopen(path.c_str(), "rb");
      if (file_ == nullptr) throw InputError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
      owned_.reset(file_);
    }
    start();
  }

  /// Reads from a stream the caller opened and keeps open; `name` is used in messages.
  CsvReader(std::FILE* file, std::string name, CsvOptions options = {})
      : options_(options), name_(std::move(name)), file_(file) {
    check_options();
    start();
  }

  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  /// The header's names (empty without a header).
  [[nodiscard]] const std::vector<std::string>& header() const noexcept { return header_; }
  /// Reads the next record. Returns false at the end of the input. Throws CsvError for malformed input.
  bool next() {
    if (!read_record()) return false;
    ++records_;
    check_width();
    return true;
  }

  /// Fields in the current record.
  [[nodiscard]] std::size_t size() const noexcept { return ends_.size(); }
  /// Field `i` of the current record, unquoted; valid until the next call to next().
  [[nodiscard]] std::string_view field(std::size_t i) const noexcept {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view{record_}.substr(begin, ends_[i] - begin);
  }
  /// Whether field `i` was written in quotes ("" is an empty string, an empty unquoted field is not).
  [[nodiscard]] bool quoted(std::size_t i) const noexcept { return quoted_[i] != 0; }
  /// The physical line (1-based) where the current record starts.
  [[nodiscard]] std::uint64_t line() const noexcept { return record_line_; }
  /// Data records read so far, the bad ones included (the header is not one).
  [[nodiscard]] std::uint64_t records() const noexcept { return records_; }
  /// Empty lines skipped so far.
  [[nodiscard]] std::uint64_t blank_lines() const noexcept { return blank_lines_; }
  /// Bytes consumed from the input so far.
  [[nodiscard]] std::uint64_t bytes_read() const noexcept { return consumed_ + pos_; }
  /// The input's size when it is a regular file; empty for a pipe or terminal.
  [[nodiscard]] std::optional<std::uint64_t> total_bytes() const noexcept { return total_; }
  /// The file name given ("<stdin>" for standard input).
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// The header's name for 0-based field `i`, or its number when there is none.
  [[nodiscard]] std::string field_name(std::size_t i) const {
    return i < header_.size() ? fmt::format("field {} (\"{}\")", i + 1, header_[i]) : fmt::format("field {}", i + 1);
  }
  /// The current record written back as one CSV line (quoted where needed, no line break).
  [[nodiscard]] std::string record_text() const {
    std::string out;
    for (std::size_t i = 0; i < size(); ++i) {
      if (i != 0) out += options_.delimiter;
      append_field(out, field(i), quoted(i), options_.delimiter);
    }
    return out;
  }

  /// Appends `value` as a CSV field, quoted when it must be (or when `force_quotes`).
  static void append_field(std::string& out, std::string_view value, bool force_quotes, char delimiter = ',') {
    const bool quote = force_quotes || value.find_first_of(std::string_view{"\"\r\n\0", 4}) != std::string_view::npos ||
                       value.find(delimiter) != std::string_view::npos;
    if (!quote) {
      out.append(value);
      return;
    }
    out += '"';
    for (const char c : value) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }

 private:
  struct Close {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };

  // Byte classes of the unquoted-field scanner: anything that ends or spoils a plain run.
  enum : std::uint8_t { plain = 0, special = 1 };

  void check_options() const {
    const char d = options_.delimiter;
    if (d == '"' || d == '\r' || d == '\n' || d == '\0')
      throw InputError("a CSV delimiter cannot be a quote, a line break or NUL");
  }

  void start() {
    struct stat st {};
    if (::fstat(::fileno(file_), &st) == 0 && S_ISREG(st.st_mode)) total_ = static_cast<std::uint64_t>(st.st_size);
    classes_.fill(plain);
    for (const char c : {'"', '\r', '\n', '\0', options_.delimiter}) classes_[static_cast<unsigned char>(c)] = special;
    read_size_ = options_.read_bytes == 0 ? (1u << 20) : options_.read_bytes;
    // The first read takes at least the three bytes of a byte-order mark.
    buffer_.resize(std::max<std::size_t>(read_size_, 3));
    fill(buffer_.size());
    // A UTF-8 byte-order mark is not data.
    if (end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
    if (options_.header) {
      if (!read_record()) return;
      header_.reserve(size());
      for (std::size_t i = 0; i < size(); ++i) header_.emplace_back(field(i));
      width_ = header_.size();
    }
  }

  /// Refills the buffer once it is consumed; false at the end of the input.
  bool fill() { return fill(read_size_); }
  bool fill(std::size_t want) {
    if (pos_ < end_) return true;
    if (eof_) return false;
    consumed_ += end_;
    pos_ = end_ = 0;
    const std::size_t n = std::fread(buffer_.data(), 1, want, file_);
    if (n < want) {
      if (std::ferror(file_))
        throw CsvError(fmt::format("{}: read error after line {}: {}", name_, line_, std::strerror(errno)), line_, 0,
                       "read error", false);
      eof_ = true;
    }
    end_ = n;
    return n != 0;
  }

  [[noreturn]] void fatal(std::uint64_t line, std::size_t field, std::string reason) const {
    std::string what = fmt::format("{}: line {}, {}: {}", name_, line, field_name(field), reason);
    throw CsvError(std::move(what), line, field + 1, std::move(reason), false);
  }

  /// Remembers the first recoverable problem of the record; reported once the record is read to its end.
  void flag(std::size_t field, std::string reason) {
    if (!problem_) problem_.emplace(line_, field, std::move(reason));
  }

  void grow_check() const {
    if (record_.size() > options_.max_record_bytes)
      fatal(record_line_, ends_.size(),
            fmt::format("the record starting here is longer than {} bytes (a quote that is never closed?)",
                        options_.max_record_bytes));
  }

  /// Reads one record into record_/ends_/quoted_. False at the end of the input.
  bool read_record() {
    record_.clear();
    ends_.clear();
    quoted_.clear();
    problem_.reset();
    for (;;) {
      if (!fill()) return false;
      record_line_ = line_;
      // An empty line: skipped for multi-field files, one empty field otherwise.
      const char c = buffer_[pos_];
      if ((c == '\n' || c == '\r') && width_ != 1) {
        ++pos_;
        if (c == '\r' && fill() && buffer_[pos_] == '\n') ++pos_;
        ++line_;
        ++blank_lines_;
        continue;
      }
      break;
    }
    const char delim = options_.delimiter;
    for (;;) {  // one field per turn
      const std::size_t field = ends_.size();
      bool at_end = !fill();
      if (!at_end && buffer_[pos_] == '"') {
        quoted_.push_back(1);
        ++pos_;
        const std::uint64_t opened = line_;
        for (;;) {  // inside quotes
          if (!fill()) fatal(opened, field, "a quoted field is never closed");
          const char* begin = buffer_.data() + pos_;
          const char* stop = static_cast<const char*>(std::memchr(begin, '"', end_ - pos_));
          const std::size_t run = stop != nullptr ? static_cast<std::size_t>(stop - begin) : end_ - pos_;
          for (std::size_t i = 0; i < run; ++i) {
            if (begin[i] == '\n') ++line_;
            else if (begin[i] == '\0') flag(field, "a NUL byte");
          }
          record_.append(begin, run);
          pos_ += run;
          grow_check();
          if (stop == nullptr) continue;
          ++pos_;  // the quote
          if (fill() && buffer_[pos_] == '"') {
            record_ += '"';
            ++pos_;
            continue;
          }
          break;
        }
        // After the closing quote only a delimiter or the end of the record may follow.
        if (fill()) {
          const char n = buffer_[pos_];
          if (n != delim && n != '\n' && n != '\r') {
            flag(field, fmt::format("'{}' after a closing quote (a quote inside a field must be doubled)", printable(n)));
            scan_plain(field);
          }
        }
      } else {
        quoted_.push_back(0);
        if (!at_end) scan_plain(field);
      }
      ends_.push_back(record_.size());
      // What ended the field.
      if (!fill()) break;
      const char n = buffer_[pos_];
      if (n == delim) {
        ++pos_;
        if (!fill()) {  // a trailing delimiter at the very end: one more, empty, field
          quoted_.push_back(0);
          ends_.push_back(record_.size());
          break;
        }
        continue;
      }
      if (n == '\r') {
        ++pos_;
        if (fill() && buffer_[pos_] == '\n') ++pos_;
        else flag(field, "a carriage return not followed by a line feed");
        ++line_;
        break;
      }
      // n == '\n'
      ++pos_;
      ++line_;
      break;
    }
    report_problem();
    return true;
  }

  /// Copies an unquoted run up to the delimiter or the end of the line.
  void scan_plain(std::size_t field) {
    const char delim = options_.delimiter;
    while (fill()) {
      const char* p = buffer_.data() + pos_;
      const char* e = buffer_.data() + end_;
      const char* q = p;
      while (q != e && classes_[static_cast<unsigned char>(*q)] == plain) ++q;
      record_.append(p, static_cast<std::size_t>(q - p));
      pos_ += static_cast<std::size_t>(q - p);
      grow_check();
      if (q == e) continue;
      const char c = *q;
      if (c == delim || c == '\n') return;
      if (c == '\r') return;  // the caller checks that a line feed follows
      if (c == '"') {
        flag(field, "a quote inside an unquoted field (quote the field and double the quote)");
      } else {
        flag(field, "a NUL byte");
      }
      record_ += c;
      ++pos_;
    }
  }

  void report_problem() {
    if (!problem_) return;
    auto [line, field, reason] = std::move(*problem_);
    problem_.reset();
    if (width_ != 0 || !options_.header) ++records_;  // a bad record is still a data record read
    std::string what = fmt::format("{}: line {}, {}: {}", name_, line, field_name(field), reason);
    throw CsvError(std::move(what), line, field + 1, std::move(reason), true);
  }

  void check_width() {
    if (width_ == 0) {
      width_ = size();
      return;
    }
    if (size() != width_)
      throw CsvError(fmt::format("{}: line {}: {} fields, but the {} has {}", name_, record_line_, size(),
                                 options_.header ? "header" : "first record", width_),
                     record_line_, 0, fmt::format("{} fields, expected {}", size(), width_), true);
  }

  static std::string printable(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7F ? std::string(1, c) : fmt::format("\\x{:02x}", u);
  }

  CsvOptions options_;
  std::string name_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<std::FILE, Close> owned_;
  std::optional<std::uint64_t> total_;
  std::array<std::uint8_t, 256> classes_{};

  std::vector<char> buffer_;
  std::size_t read_size_ = 0;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t consumed_ = 0;
  bool eof_ = false;

  std::uint64_t line_ = 1;
  std::uint64_t record_line_ = 1;
  std::uint64_t records_ = 0;
  std::uint64_t blank_lines_ = 0;
  std::size_t width_ = 0;
  std::vector<std::string> header_;

  std::string record_;
  std::vector<std::size_t> ends_;
  std::vector<unsigned char> quoted_;
  std::optional<std::tuple<std::uint64_t, std::size_t, std::string>> problem_;
};

}  // namespace bulkinsert
