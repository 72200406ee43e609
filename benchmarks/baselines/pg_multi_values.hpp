#pragma once

// BM_Postgres_Baseline_MultiValues: multi-row INSERT ... VALUES written directly against libpq.
// As many rows per statement as the protocol allows (65,535 parameters: 16,383 rows of 4 columns),
// each statement shape prepared once per connection and run with PQexecPrepared; text parameters,
// with username and email pointing straight into the rows (std::string is NUL-terminated) and
// created_at / role_id formatted into a preallocated arena; one transaction for the whole load.

#include <libpq-fe.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../harness.hpp"
#include "libpq_support.hpp"
#include "timestamp_text.hpp"
#include "values_sql.hpp"

namespace baselines {

class PgMultiValues {
 public:
  static constexpr std::size_t max_params = 65535;  // the Bind message's 16-bit parameter count
  static constexpr std::size_t columns = 4;
  static constexpr std::size_t max_rows_per_statement = max_params / columns;

  /// Borrows `c`, which must outlive this object. `rows_per_statement` is capped by the parameter limit.
  explicit PgMultiValues(PGconn* c, std::size_t rows_per_statement = max_rows_per_statement)
      : c_(c),
        rows_per_statement_(std::min(rows_per_statement, max_rows_per_statement)),
        values_(rows_per_statement_ * columns),
        arena_(rows_per_statement_ * slot) {}

  harness::Sent insert(std::string_view table, const std::vector<harness::User>& rows) {
    pg_exec(c_, "BEGIN");
    try {
      harness::Sent sent;
      TimestampText ts;
      for (std::size_t first = 0; first < rows.size(); first += rows_per_statement_) {
        const std::size_t n = std::min(rows_per_statement_, rows.size() - first);
        const std::string& name = prepared(table, n);
        const char** v = values_.data();
        char* text = arena_.data();
        for (std::size_t r = first; r < first + n; ++r, text += slot) {
          const harness::User& u = rows[r];
          const std::size_t ts_len = ts.format(text, u.created_at, false);
          text[ts_len] = '\0';
          const std::size_t id_len = int_text(text + ts_slot, u.role_id);
          text[ts_slot + id_len] = '\0';
          *v++ = u.username.c_str();
          *v++ = u.email.c_str();
          *v++ = text;
          *v++ = text + ts_slot;
          sent.bytes += u.username.size() + u.email.size() + ts_len + id_len + 4;
        }
        const PgResult r = pg_check(c_,
                                    PgResult{PQexecPrepared(c_, name.c_str(), static_cast<int>(n * columns),
                                                            values_.data(), nullptr, nullptr, 0)},
                                    PGRES_COMMAND_OK, "INSERT");
        if (pg_affected(r) != n) throw std::runtime_error("INSERT stored fewer rows than sent");
        ++sent.statements;
      }
      pg_exec(c_, "COMMIT");
      return sent;
    } catch (...) {
      PQclear(PQexec(c_, "ROLLBACK"));
      throw;
    }
  }

 private:
  static constexpr std::size_t ts_slot = 28;       // "YYYY-MM-DD HH:MM:SS.ffffff" + NUL, rounded up
  static constexpr std::size_t slot = ts_slot + 12;  // + an int32 and NUL

  /// The statement for `n` rows into `table`, prepared on first use.
  const std::string& prepared(std::string_view table, std::size_t n) {
    auto key = std::make_pair(std::string{table}, n);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second;
    const std::string sql = insert_values_sql(table, n, columns, [](std::string& out, std::size_t p) {
      out += '$';
      out += std::to_string(p);
    });
    static std::size_t counter = 0;  // names are per connection; unique per process is simpler
    std::string name = "baseline_mv_" + std::to_string(++counter);
    pg_check(c_, PgResult{PQprepare(c_, name.c_str(), sql.c_str(), 0, nullptr)}, PGRES_COMMAND_OK, "PREPARE");
    return statements_.emplace(std::move(key), std::move(name)).first->second;
  }

  PGconn* c_;
  std::size_t rows_per_statement_;
  std::vector<const char*> values_;
  std::vector<char> arena_;
  std::map<std::pair<std::string, std::size_t>, std::string> statements_;
};

}  // namespace baselines
