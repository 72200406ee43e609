#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "value.hpp"

namespace bulkinsert {

/// Generators for client-side defaults (Table::default_column, or the fallback of an optional column).

/// The current UTC time, at the microsecond resolution the databases store.
[[nodiscard]] inline Timestamp now_utc() {
  return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
}

/// A random (version 4) UUID in its 36-character text form, which PostgreSQL's uuid type and SQLite
/// text columns both accept. Each thread draws from its own generator, seeded from std::random_device.
[[nodiscard]] inline std::string uuid_v4() {
  thread_local std::mt19937_64 engine{(static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()};
  const std::uint64_t hi = (engine() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  const std::uint64_t lo = (engine() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 15; i >= 0; --i) {
    out += hex[(hi >> (4 * i)) & 0xF];
    if (i == 8 || i == 4) out += '-';
  }
  out += '-';
  for (int i = 15; i >= 0; --i) {
    out += hex[(lo >> (4 * i)) & 0xF];
    if (i == 12) out += '-';
  }
  return out;
}

}  // namespace bulkinsert
