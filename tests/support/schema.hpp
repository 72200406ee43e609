#pragma once

// The article's schema: roles(id PK, name varchar(50) unique) and users(id PK, username
// varchar(100) unique not null, email varchar(255), created_at timestamp, role_id int references
// roles(id)), its rows in the three shapes bulkinsert reads (struct, std::tuple, DynamicRow), and
// helpers to reason about strategies generically.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/bulkinsert.hpp>

#include "samples.hpp"

namespace test {

struct Role {
  std::int64_t id = 0;
  std::string name;
};

struct User {
  std::int64_t id = 0;
  std::string username;
  std::optional<std::string> email;
  std::optional<bulkinsert::Timestamp> created_at;
  std::optional<std::int32_t> role_id;
};

inline constexpr std::size_t role_count = 5;

inline std::vector<Role> roles() {
  return {{1, "admin"}, {2, "editor"}, {3, "viewer"}, {4, "rôle ünïcode"}, {5, "it's \"quoted\""}};
}

/// User number `i` (0-based): id i + 1, a unique username, an email that is sometimes NULL and
/// sometimes empty, a timestamp between 1960 and 2090 with microseconds (sometimes NULL), a role
/// (sometimes NULL).
inline User user(std::size_t i) {
  using namespace std::chrono;
  User u;
  u.id = static_cast<std::int64_t>(i) + 1;
  u.username = fmt::format("user{}", i);
  if (i % 7 == 0) u.email = std::nullopt;
  else if (i % 11 == 0) u.email = "";
  else u.email = fmt::format("user{}@example.com", i);
  if (i % 5 != 0)
    u.created_at = timestamp(1960, 1, 1) + microseconds{static_cast<std::int64_t>(i % 4096) * 1'000'003'123'457LL +
                                                        static_cast<std::int64_t>(i % 1'000'000)};
  if (i % 3 != 0) u.role_id = static_cast<std::int32_t>(i % role_count) + 1;
  return u;
}

inline std::vector<User> users(std::size_t n) {
  std::vector<User> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(user(i));
  return out;
}

/// `n` users whose input row `bad` repeats user 0's username.
inline std::vector<User> users_with_duplicate_at(std::size_t n, std::size_t bad) {
  auto rows = users(n);
  rows[bad].username = rows[0].username;
  return rows;
}

inline const std::vector<std::string>& user_columns() {
  static const std::vector<std::string> c = {"id", "username", "email", "created_at", "role_id"};
  return c;
}

/// DDL of the article's schema for `dialect` ("sqlite", "postgres" or "mariadb", whose TIMESTAMP is
/// a UTC-converted 1970-2038 type: its timestamp without time zone is DATETIME(6)).
inline std::vector<std::string> schema_sql(std::string_view dialect) {
  const bool pg = dialect == "postgres";
  const char* id = pg ? "integer PRIMARY KEY" : "INTEGER PRIMARY KEY";
  const char* timestamp = dialect == "mariadb" ? "DATETIME(6)" : "timestamp";
  return {
      fmt::format("CREATE TABLE roles (id {}, name varchar(50) UNIQUE)", id),
      fmt::format("CREATE TABLE users (id {}, username varchar(100) UNIQUE NOT NULL, email varchar(255), "
                  "created_at {}, role_id integer REFERENCES roles(id))",
                  id, timestamp),
  };
}

// --- row kinds: the same rows as structs, tuples and DynamicRows -------------------------------

using RoleTuple = std::tuple<std::int64_t, std::string>;
using UserTuple = std::tuple<std::int64_t, std::string, std::optional<std::string>,
                             std::optional<bulkinsert::Timestamp>, std::optional<std::int32_t>>;

struct StructRows {
  using role_row = Role;
  using user_row = User;
  static bulkinsert::Table<Role> roles_table() {
    return bulkinsert::Table<Role>{"roles"}.column("id", &Role::id).column("name", &Role::name);
  }
  static bulkinsert::Table<User> users_table() {
    return bulkinsert::Table<User>{"users"}
        .column("id", &User::id)
        // A getter returning std::string by value: the inserter keeps the result alive while its chunk is sent.
        .column("username", [](const User& u) { return u.username; })
        .column("email", &User::email)
        .column("created_at", &User::created_at)
        .column("role_id", &User::role_id);
  }
  static Role role(const Role& r) { return r; }
  static User user(const User& u) { return u; }
};

struct TupleRows {
  using role_row = RoleTuple;
  using user_row = UserTuple;
  static bulkinsert::Table<RoleTuple> roles_table() { return {"roles", {"id", "name"}}; }
  static bulkinsert::Table<UserTuple> users_table() { return {"users", user_columns()}; }
  static RoleTuple role(const Role& r) { return {r.id, r.name}; }
  static UserTuple user(const User& u) { return {u.id, u.username, u.email, u.created_at, u.role_id}; }
};

struct DynamicRows {
  using role_row = bulkinsert::DynamicRow;
  using user_row = bulkinsert::DynamicRow;
  static bulkinsert::Table<bulkinsert::DynamicRow> roles_table() { return {"roles", {"id", "name"}}; }
  static bulkinsert::Table<bulkinsert::DynamicRow> users_table() { return {"users", user_columns()}; }
  static bulkinsert::DynamicRow role(const Role& r) { return {bulkinsert::Value{r.id}, bulkinsert::Value{r.name}}; }
  static bulkinsert::DynamicRow user(const User& u) {
    using bulkinsert::Value;
    return {Value{u.id}, Value{u.username}, u.email ? Value{*u.email} : Value{bulkinsert::null},
            u.created_at ? Value{*u.created_at} : Value{bulkinsert::null},
            u.role_id ? Value{std::int64_t{*u.role_id}} : Value{bulkinsert::null}};
  }
};

template <class Kind>
std::vector<typename Kind::role_row> roles_as() {
  std::vector<typename Kind::role_row> out;
  for (const Role& r : roles()) out.push_back(Kind::role(r));
  return out;
}

template <class Kind>
std::vector<typename Kind::user_row> users_as(const std::vector<User>& us) {
  std::vector<typename Kind::user_row> out;
  out.reserve(us.size());
  for (const User& u : us) out.push_back(Kind::user(u));
  return out;
}

/// A users row as read back: timestamps as "YYYY-MM-DD HH:MM:SS.ffffff" text.
struct UserRead {
  std::int64_t id = 0;
  std::string username;
  std::optional<std::string> email;
  std::optional<std::string> created_at;
  std::optional<std::int64_t> role_id;
  friend bool operator==(const UserRead&, const UserRead&) = default;
};

inline UserRead expected_read(const User& u) {
  return {u.id, u.username, u.email,
          u.created_at ? std::optional<std::string>{timestamp_text(*u.created_at)} : std::nullopt,
          u.role_id ? std::optional<std::int64_t>{*u.role_id} : std::nullopt};
}

/// A query's rows as a test reads them back: each value as text (bytes as they are), NULL as nullopt.
using TextRows = std::vector<std::vector<std::optional<std::string>>>;

/// Options committing after every `n` chunks.
inline bulkinsert::InsertOptions checkpoint_every(std::size_t n) {
  bulkinsert::InsertOptions o;
  o.checkpoint_every_chunks = n;
  return o;
}

// --- strategies --------------------------------------------------------------------------------

/// A built-in strategy with `n` rows per chunk (rows per statement for MultiValues).
template <class S>
S with_chunk_rows(std::size_t n) {
  S s{};
  if constexpr (std::is_same_v<S, bulkinsert::MultiValues>) s.rows_per_statement = n;
  else s.rows_per_chunk = n;
  return s;
}

/// A built-in strategy with 3 rows per chunk: several chunks from a handful of rows, and a last one of
/// another size.
template <class S>
S small_chunks() {
  return with_chunk_rows<S>(3);
}

/// Statements a built-in strategy executes for `rows` rows in `chunks` chunks.
/// `batched`: execute_many sends each chunk as one statement (array binding).
template <class S>
std::size_t expected_statements(std::size_t rows, std::size_t chunks, bool batched = false) {
  if constexpr (std::is_same_v<S, bulkinsert::ExecuteMany>) return batched ? chunks : rows;
  else if constexpr (std::is_same_v<S, bulkinsert::PerRow>) return rows;
  else return chunks;
}

inline std::size_t chunks_for(std::size_t rows, std::size_t per_chunk) { return (rows + per_chunk - 1) / per_chunk; }

/// A user-defined strategy: sends each chunk as one multi-row INSERT, logging chunk sizes.
/// Nothing in the library knows about it.
struct LoggingMultiValues {
  static constexpr std::string_view name = "logging_multi_values";
  std::size_t rows = 7;
  std::vector<std::size_t>* log = nullptr;

  [[nodiscard]] std::size_t chunk_rows(const bulkinsert::Limits& limits, std::size_t columns) const {
    return bulkinsert::plan_rows_per_statement(limits, columns, rows);
  }
  template <bulkinsert::backend B>
  bulkinsert::SendStats send(B& b, const bulkinsert::Chunk& chunk) const {
    if (log != nullptr) log->push_back(chunk.size());
    return bulkinsert::MultiValues{.rows_per_statement = rows}.send(b, chunk);
  }
};

/// A user-defined strategy that needs COPY: only copy_capable backends accept it.
struct CopyOnly {
  static constexpr std::string_view name = "copy_only";
  [[nodiscard]] std::size_t chunk_rows(const bulkinsert::Limits&, std::size_t) const { return 100; }
  template <bulkinsert::copy_capable B>
  bulkinsert::SendStats send(B& b, const bulkinsert::Chunk& chunk) const {
    return b.copy_in(chunk, chunk.table());
  }
};

}  // namespace test
