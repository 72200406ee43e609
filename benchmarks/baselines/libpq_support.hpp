#pragma once

// The few libpq helpers the PostgreSQL baselines share: an owning PGresult and status checks.

#include <libpq-fe.h>

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

namespace baselines {

struct ClearResult {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ClearResult>;

[[noreturn]] inline void pg_fail(PGconn* c, const PGresult* r, const std::string& what) {
  std::string msg = r != nullptr ? PQresultErrorMessage(r) : "";
  if (msg.empty()) msg = PQerrorMessage(c);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  throw std::runtime_error(what + ": " + msg);
}

/// Throws unless `r` has status `expected`; returns it.
inline PgResult pg_check(PGconn* c, PgResult r, ExecStatusType expected, const std::string& what) {
  if (!r || PQresultStatus(r.get()) != expected) pg_fail(c, r.get(), what);
  return r;
}

inline PgResult pg_exec(PGconn* c, const std::string& sql, ExecStatusType expected = PGRES_COMMAND_OK) {
  return pg_check(c, PgResult{PQexec(c, sql.c_str())}, expected, sql.substr(0, 60));
}

/// Rows a command reported (INSERT 0 n, COPY n).
inline std::size_t pg_affected(const PgResult& r) {
  const char* n = PQcmdTuples(r.get());
  return n != nullptr && *n != '\0' ? static_cast<std::size_t>(std::strtoull(n, nullptr, 10)) : 0;
}

/// Reads the results a finished command left, so the connection is ready for the next one.
inline void pg_drain(PGconn* c) {
  while (PGresult* r = PQgetResult(c)) PQclear(r);
}

}  // namespace baselines
