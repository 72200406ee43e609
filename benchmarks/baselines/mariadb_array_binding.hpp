#pragma once

// BM_Mariadb_Baseline_ArrayBinding: Connector/C's array binding written by hand. One prepared
// single-row INSERT; each batch of 10,000 rows (the library's execute_many chunk) bound column-wise
// (STMT_ATTR_ARRAY_SIZE) and sent in one COM_STMT_BULK_EXECUTE: username and email as pointers into the
// rows, created_at as MYSQL_TIME, role_id as an int array; one transaction for the whole load.

#include <mysql.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "../harness.hpp"
#include "mariadb_support.hpp"

namespace baselines {

class MariadbArrayBinding {
 public:
  static constexpr std::size_t batch_rows = 10000;

  /// Borrows `c`, which must outlive this object.
  explicit MariadbArrayBinding(MYSQL* c) : c_(c) {}

  harness::Sent insert(std::string_view table, const std::vector<harness::User>& rows) {
    const MariadbStatement st{c_, "INSERT INTO " + std::string{table} + " (" + std::string{harness::column_list} +
                                      ") VALUES (?, ?, ?, ?)"};
    return mariadb_transaction(c_, [&] {
      harness::Sent sent;
      MysqlTimeOf to_time;
      for (std::size_t first = 0; first < rows.size(); first += batch_rows) {
        const std::size_t n = std::min(batch_rows, rows.size() - first);
        names_.resize(n);
        name_lengths_.resize(n);
        emails_.resize(n);
        email_lengths_.resize(n);
        times_.resize(n);
        time_pointers_.resize(n);
        roles_.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
          const harness::User& u = rows[first + i];
          names_[i] = u.username.data();
          name_lengths_[i] = static_cast<unsigned long>(u.username.size());
          emails_[i] = u.email.data();
          email_lengths_[i] = static_cast<unsigned long>(u.email.size());
          times_[i] = to_time(u.created_at);
          roles_[i] = u.role_id;
          sent.bytes += u.username.size() + u.email.size() + 8 + 4;
        }
        // DATETIME has no fixed packed length in Connector/C's column-wise arrays: an array of pointers.
        for (std::size_t i = 0; i < n; ++i) time_pointers_[i] = &times_[i];
        MYSQL_BIND b[4] = {};
        b[0].buffer_type = MYSQL_TYPE_STRING;
        b[0].buffer = names_.data();
        b[0].length = name_lengths_.data();
        b[1].buffer_type = MYSQL_TYPE_STRING;
        b[1].buffer = emails_.data();
        b[1].length = email_lengths_.data();
        b[2].buffer_type = MYSQL_TYPE_DATETIME;
        b[2].buffer = time_pointers_.data();
        b[3].buffer_type = MYSQL_TYPE_LONG;
        b[3].buffer = roles_.data();
        st.execute(b, static_cast<unsigned int>(n), n);
        ++sent.statements;
      }
      return sent;
    });
  }

 private:
  MYSQL* c_;
  std::vector<const char*> names_, emails_;
  std::vector<unsigned long> name_lengths_, email_lengths_;
  std::vector<MYSQL_TIME> times_;
  std::vector<MYSQL_TIME*> time_pointers_;
  std::vector<std::int32_t> roles_;
};

}  // namespace baselines
