#pragma once

// BM_Postgres_Baseline_ServerCopy: the server alone. COPY ... FROM '<file>' reads rows the server
// process opens itself, so no client encodes or sends anything: the ceiling for any client strategy.
// The file is written once, before timing, in the same COPY BINARY format as the CopyBinary
// baseline (binary input skips the server's text parsing, which text format would add).
// COPY FROM a file needs a superuser (or pg_read_server_files) and the server on this machine.

#include <libpq-fe.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../harness.hpp"
#include "libpq_support.hpp"
#include "pg_copy_binary.hpp"

namespace baselines {

/// Writes `rows` as a COPY BINARY file at `path`, readable by every OS user (the server runs as `postgres`).
inline void write_copy_binary_file(const std::filesystem::path& path, const std::vector<harness::User>& rows) {
  std::vector<char> buf(CopyBinaryEncoder::header_size + CopyBinaryEncoder::trailer_size);
  std::size_t size = buf.size();
  for (const auto& u : rows) size += CopyBinaryEncoder::row_size(u);
  buf.resize(size);
  char* p = CopyBinaryEncoder::header(buf.data());
  for (const auto& u : rows) p = CopyBinaryEncoder::row(p, u);
  p = CopyBinaryEncoder::trailer(p);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot create " + path.string());
  const bool ok = std::fwrite(buf.data(), 1, static_cast<std::size_t>(p - buf.data()), f) ==
                  static_cast<std::size_t>(p - buf.data());
  if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot write " + path.string());
  ::chmod(path.c_str(), 0644);
}

class PgServerCopy {
 public:
  /// Borrows `c`; `file` holds the rows (write_copy_binary_file).
  PgServerCopy(PGconn* c, std::filesystem::path file) : c_(c), file_(std::move(file)) {}

  harness::Sent insert(std::string_view table, std::size_t rows) {
    std::string quoted;
    for (const char ch : file_.string()) {
      if (ch == '\'') quoted += '\'';
      quoted += ch;
    }
    const std::string sql = "COPY " + std::string{table} + " (" + std::string{harness::column_list} + ") FROM '" +
                            quoted + "' (FORMAT binary)";
    PgResult r{PQexec(c_, sql.c_str())};
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
      pg_fail(c_, r.get(), "COPY FROM a server file (needs superuser or pg_read_server_files, and the server on this machine)");
    if (pg_affected(r) != rows) throw std::runtime_error("server COPY stored a different number of rows");
    return {1, 0};
  }

 private:
  PGconn* c_;
  std::filesystem::path file_;
};

}  // namespace baselines
