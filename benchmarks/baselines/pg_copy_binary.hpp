#pragma once

// BM_Postgres_Baseline_CopyBinary: COPY ... FROM STDIN (FORMAT binary) written directly against
// libpq. Rows are encoded with fixed-width big-endian stores into a 1 MiB buffer that is handed to
// PQputCopyData when full; one COPY command, autocommit (a single COPY is atomic on its own, so
// BEGIN/COMMIT would only add round trips). The encoder also writes BM_Postgres_Baseline_ServerCopy's file.

#include <libpq-fe.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "../harness.hpp"
#include "libpq_support.hpp"

namespace baselines {

/// COPY BINARY encoding of harness::User rows (varchar, varchar, timestamp, int4).
class CopyBinaryEncoder {
 public:
  static constexpr std::size_t header_size = 19;
  static constexpr std::size_t trailer_size = 2;

  static char* header(char* p) {
    std::memcpy(p, "PGCOPY\n\377\r\n\0", 11);
    std::memset(p + 11, 0, 8);  // flags, header extension length
    return p + header_size;
  }
  static char* trailer(char* p) { return be16(p, 0xFFFF); }

  /// Bytes row `u` takes: field count, then (length, bytes) per field.
  static std::size_t row_size(const harness::User& u) noexcept {
    return 2 + 4 + u.username.size() + 4 + u.email.size() + 4 + 8 + 4 + 4;
  }

  static char* row(char* p, const harness::User& u) {
    p = be16(p, 4);
    p = text(p, u.username);
    p = text(p, u.email);
    p = be32(p, 8);
    // PostgreSQL counts microseconds from 2000-01-01.
    p = be64(p, static_cast<std::uint64_t>(u.created_at.time_since_epoch().count() - pg_epoch_us));
    p = be32(p, 4);
    return be32(p, static_cast<std::uint32_t>(u.role_id));
  }

 private:
  static constexpr std::int64_t pg_epoch_us = 10957LL * 86'400'000'000LL;

  static char* be16(char* p, std::uint16_t v) {
    v = __builtin_bswap16(v);
    std::memcpy(p, &v, 2);
    return p + 2;
  }
  static char* be32(char* p, std::uint32_t v) {
    v = __builtin_bswap32(v);
    std::memcpy(p, &v, 4);
    return p + 4;
  }
  static char* be64(char* p, std::uint64_t v) {
    v = __builtin_bswap64(v);
    std::memcpy(p, &v, 8);
    return p + 8;
  }
  static char* text(char* p, const std::string& s) {
    p = be32(p, static_cast<std::uint32_t>(s.size()));
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
  }
};
static_assert(std::endian::native == std::endian::little, "the encoder byte-swaps unconditionally");

class PgCopyBinary {
 public:
  static constexpr std::size_t buffer_bytes = 1 << 20;

  /// Borrows `c`, which must outlive this object.
  explicit PgCopyBinary(PGconn* c) : c_(c), buf_(buffer_bytes) {}

  harness::Sent insert(std::string_view table, const std::vector<harness::User>& rows) {
    const std::string sql =
        "COPY " + std::string{table} + " (" + std::string{harness::column_list} + ") FROM STDIN (FORMAT binary)";
    pg_exec(c_, sql, PGRES_COPY_IN);
    std::size_t bytes = 0;
    char* p = CopyBinaryEncoder::header(buf_.data());
    auto flush = [&] {
      const auto n = static_cast<int>(p - buf_.data());
      if (n != 0 && PQputCopyData(c_, buf_.data(), n) != 1) {
        PQputCopyEnd(c_, "baseline: send failed");
        pg_drain(c_);
        pg_fail(c_, nullptr, "PQputCopyData");
      }
      bytes += static_cast<std::size_t>(n);
      p = buf_.data();
    };
    for (const harness::User& u : rows) {
      const std::size_t need = CopyBinaryEncoder::row_size(u) + CopyBinaryEncoder::trailer_size;
      if (static_cast<std::size_t>(buf_.data() + buf_.size() - p) < need) {
        flush();
        if (buf_.size() < need) {  // a row larger than the buffer: only possible with huge text
          buf_.resize(need);
          p = buf_.data();  // the resize moved the buffer; it is empty after flush()
        }
      }
      p = CopyBinaryEncoder::row(p, u);
    }
    p = CopyBinaryEncoder::trailer(p);
    flush();
    if (PQputCopyEnd(c_, nullptr) != 1) pg_fail(c_, nullptr, "PQputCopyEnd");
    const PgResult r = pg_check(c_, PgResult{PQgetResult(c_)}, PGRES_COMMAND_OK, "COPY");
    pg_drain(c_);
    if (pg_affected(r) != rows.size()) throw std::runtime_error("COPY stored fewer rows than sent");
    return {1, bytes};
  }

 private:
  PGconn* c_;
  std::vector<char> buf_;
};

}  // namespace baselines
