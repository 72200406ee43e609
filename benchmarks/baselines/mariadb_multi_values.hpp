#pragma once

// BM_Mariadb_Baseline_MultiValues: a multi-row prepared INSERT written against Connector/C, 1,000
// rows (4,000 placeholders) per statement, each statement shape prepared once per connection and
// table; the binary protocol: username and email bound in place (no copy), created_at as MYSQL_TIME,
// role_id as an int; one transaction for the whole load.

#include <mysql.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../harness.hpp"
#include "mariadb_support.hpp"
#include "values_sql.hpp"

namespace baselines {

class MariadbMultiValues {
 public:
  static constexpr std::size_t columns = 4;
  static constexpr std::size_t rows_per_statement = 1000;

  /// Borrows `c`, which must outlive this object.
  explicit MariadbMultiValues(MYSQL* c) : c_(c), binds_(rows_per_statement * columns), lengths_(binds_.size()), times_(rows_per_statement) {}

  harness::Sent insert(std::string_view table, const std::vector<harness::User>& rows) {
    return mariadb_transaction(c_, [&] {
      harness::Sent sent;
      MysqlTimeOf to_time;
      for (std::size_t first = 0; first < rows.size(); first += rows_per_statement) {
        const std::size_t n = std::min(rows_per_statement, rows.size() - first);
        const MariadbStatement& st = prepared(table, n);
        MYSQL_BIND* b = binds_.data();
        unsigned long* len = lengths_.data();
        for (std::size_t i = 0; i < n; ++i, b += columns, len += columns) {
          const harness::User& u = rows[first + i];
          times_[i] = to_time(u.created_at);
          len[0] = static_cast<unsigned long>(u.username.size());
          len[1] = static_cast<unsigned long>(u.email.size());
          b[0].buffer_type = MYSQL_TYPE_STRING;
          b[0].buffer = const_cast<char*>(u.username.data());
          b[0].length = &len[0];
          b[1].buffer_type = MYSQL_TYPE_STRING;
          b[1].buffer = const_cast<char*>(u.email.data());
          b[1].length = &len[1];
          b[2].buffer_type = MYSQL_TYPE_DATETIME;
          b[2].buffer = &times_[i];
          b[3].buffer_type = MYSQL_TYPE_LONG;
          b[3].buffer = const_cast<std::int32_t*>(&u.role_id);
          sent.bytes += u.username.size() + u.email.size() + 8 + 4;
        }
        st.execute(binds_.data(), 0, n);
        ++sent.statements;
      }
      return sent;
    });
  }

 private:
  /// The statement for `n` rows into `table`, prepared on first use.
  const MariadbStatement& prepared(std::string_view table, std::size_t n) {
    auto key = std::make_pair(std::string{table}, n);
    if (auto it = statements_.find(key); it != statements_.end()) return *it->second;
    const std::string sql = insert_values_sql(table, n, columns, [](std::string& out, std::size_t) { out += '?'; });
    return *statements_.emplace(std::move(key), std::make_unique<MariadbStatement>(c_, sql)).first->second;
  }

  MYSQL* c_;
  std::vector<MYSQL_BIND> binds_;
  std::vector<unsigned long> lengths_;
  std::vector<MYSQL_TIME> times_;
  std::map<std::pair<std::string, std::size_t>, std::unique_ptr<MariadbStatement>> statements_;
};

}  // namespace baselines
