#pragma once

// BM_Mariadb_Baseline_LoadData: LOAD DATA LOCAL INFILE fed from memory through
// mysql_set_local_infile_handler, written by hand: one LOAD DATA for the whole load, in one
// transaction; the read callback encodes rows straight into Connector/C's buffer (tab-separated,
// the benchmark's text needs no escaping), so nothing is held beyond one row. Checked as the
// library checks it: rows affected equal to rows sent, and no warning.

#include <mysql.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "../harness.hpp"
#include "mariadb_support.hpp"
#include "timestamp_text.hpp"

namespace baselines {

class MariadbLoadData {
 public:
  /// Borrows `c`, which must outlive this object.
  explicit MariadbLoadData(MYSQL* c) : c_(c) {}

  harness::Sent insert(std::string_view table, const std::vector<harness::User>& rows) {
    const std::string sql = "LOAD DATA LOCAL INFILE 'rows' INTO TABLE " + std::string{table} +
                            " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" +
                            std::string{harness::column_list} + ")";
    return mariadb_transaction(c_, [&] {
      rows_ = &rows;
      next_ = 0;
      pending_.clear();
      pending_at_ = 0;
      bytes_ = 0;
      mysql_set_local_infile_handler(c_, &init, &read, &end, &error, this);
      const int rc = mysql_real_query(c_, sql.data(), sql.size());
      mysql_set_local_infile_default(c_);
      if (rc != 0) mariadb_fail(c_, "LOAD DATA");
      if (mysql_affected_rows(c_) != rows.size() || mysql_warning_count(c_) != 0)
        throw std::runtime_error(fmt::format("LOAD DATA stored {} of {} rows, {} warnings", mysql_affected_rows(c_),
                                             rows.size(), mysql_warning_count(c_)));
      return harness::Sent{1, bytes_};
    });
  }

 private:
  /// Longest line of a benchmark row beyond its two strings: tabs, timestamp, role, newline.
  static constexpr std::size_t fixed_line = 3 + 26 + 11 + 1;

  static int init(void** ptr, const char*, void* self) {
    *ptr = self;
    return 0;
  }
  static int read(void* ptr, char* buf, unsigned int length) {
    auto& self = *static_cast<MariadbLoadData*>(ptr);
    char* p = buf;
    char* const stop = buf + length;
    // What did not fit last time first; then whole lines while they fit, the one that does not into pending_.
    if (self.pending_at_ < self.pending_.size()) {
      const std::size_t n = std::min<std::size_t>(length, self.pending_.size() - self.pending_at_);
      std::memcpy(p, self.pending_.data() + self.pending_at_, n);
      self.pending_at_ += n;
      p += n;
    }
    const auto& rows = *self.rows_;
    while (self.next_ < rows.size() && p < stop) {
      const harness::User& u = rows[self.next_];
      const std::size_t need = u.username.size() + u.email.size() + fixed_line;
      if (static_cast<std::size_t>(stop - p) >= need) {
        p = self.line(p, u);
      } else {
        self.pending_.resize(need);
        self.pending_.resize(static_cast<std::size_t>(self.line(self.pending_.data(), u) - self.pending_.data()));
        const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(stop - p), self.pending_.size());
        std::memcpy(p, self.pending_.data(), n);
        self.pending_at_ = n;
        p += n;
      }
      ++self.next_;
    }
    self.bytes_ += static_cast<std::size_t>(p - buf);
    return static_cast<int>(p - buf);
  }
  static void end(void*) {}
  static int error(void*, char* message, unsigned int length) {
    if (length != 0) std::snprintf(message, length, "%s", "baseline: reading rows failed");
    return 2000;
  }

  /// One row as a LOAD DATA line; returns its end.
  char* line(char* p, const harness::User& u) {
    std::memcpy(p, u.username.data(), u.username.size());
    p += u.username.size();
    *p++ = '\t';
    std::memcpy(p, u.email.data(), u.email.size());
    p += u.email.size();
    *p++ = '\t';
    p += ts_.format(p, u.created_at, false);
    *p++ = '\t';
    p += int_text(p, u.role_id);
    *p++ = '\n';
    return p;
  }

  MYSQL* c_;
  const std::vector<harness::User>* rows_ = nullptr;
  std::size_t next_ = 0;
  std::vector<char> pending_;
  std::size_t pending_at_ = 0;
  std::size_t bytes_ = 0;
  TimestampText ts_;
};

}  // namespace baselines
