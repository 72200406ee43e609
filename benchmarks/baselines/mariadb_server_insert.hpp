#pragma once

// BM_Mariadb_Baseline_ServerInsert: the server alone. INSERT ... SELECT from the Sequence engine's
// seq_0_to_N generates the benchmark's rows inside the server ("user{i}", "user{i}@example.com",
// 2024-01-01 00:00:00 + i s, role 1 + i % 3), so no client encodes or sends anything: the ceiling for
// any client strategy. One transaction, as the library's loads.

#include <mysql.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "../harness.hpp"
#include "mariadb_support.hpp"

namespace baselines {

class MariadbServerInsert {
 public:
  /// Borrows `c`, which must outlive this object.
  explicit MariadbServerInsert(MYSQL* c) : c_(c) {}

  harness::Sent insert(std::string_view table, std::size_t rows) {
    const std::string sql = fmt::format(
        "INSERT INTO {} ({}) SELECT CONCAT('user', seq), CONCAT('user', seq, '@example.com'), "
        "TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND, 1 + seq % 3 FROM seq_0_to_{}",
        table, harness::column_list, rows - 1);
    return mariadb_transaction(c_, [&] {
      mariadb_exec(c_, sql);
      if (mysql_affected_rows(c_) != rows)
        throw std::runtime_error(fmt::format("INSERT ... SELECT stored {} rows of {}", mysql_affected_rows(c_), rows));
      return harness::Sent{1, 0};
    });
  }

 private:
  MYSQL* c_;
};

}  // namespace baselines
