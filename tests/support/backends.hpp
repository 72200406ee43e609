#pragma once

// The backends the conformance suite (tests/conformance/) runs every test against.
//
// A backend joins the suite by adding its fixture to `backends` below; no test changes. A fixture
// is one fresh, empty database per test (constructed by the test, gone with it) and says what the
// tests need to know about its backend:
//
//   static constexpr std::string_view name;     "sqlite": ends every CTest name, and a tag [sqlite]
//   using backend_type;                          the bulkinsert backend under test
//   using strategies = std::tuple<...>;          the built-in strategies it has, in available_strategies() order
//   using default_strategy;                      the strategy the backend uses when the caller names none
//   static constexpr bool per_row_waits;         per_row pays a network round trip a row: tests shrink its loads
//   static const Types types;                    column types for CREATE TABLE (struct Types below)
//   static const Codes codes;                    the driver's codes and message words (struct Codes below)
//   static constexpr bool text_holds_any_byte;   text keeps bytes 128-255 that are not UTF-8
//   static constexpr std::string_view stored_false;  how a false boolean reads back as text
//   static const Identifiers identifiers;        what names the catalog holds (struct Identifiers below)
//   static constexpr bool stores_nan;            a NaN goes in (where false it is refused with an InputError)
//   static constexpr bool keeps_negative_zero;   -0.0 reads back with its sign
//   static constexpr bool defers_constraints;    a foreign key can be DEFERRABLE INITIALLY DEFERRED (checked at COMMIT)
//   static constexpr bool stores_infinity;       a floating-point column holds the infinities (where false they are refused)
//   static constexpr bool batches_execute_many;  execute_many sends a chunk in one statement (array binding), not one per row
//   static constexpr bool upserts_on_target_only; an upsert takes only conflicts on its target (MariaDB's take any unique key)
//   static constexpr bool tells_updated_rows;    a do-update upsert's report counts updated rows (Report::rows_updated)
//   static std::string real_text_sql(column);    SQL reading a floating-point column as text that parses exactly
//   static std::string hex_sql(column);          SQL reading a bytes column as lower-case hex
//   static std::string timestamp_text_sql(column);  SQL reading a timestamp as "YYYY-MM-DD HH:MM:SS.ffffff"
//
//   backend_type& backend();                     the connection under test
//   std::unique_ptr<backend_type> connect();     another connection to the same database
//   void exec(const std::string& sql);           SQL from the test itself, outside any load's transaction
//   TextRows rows(const std::string& sql);       a query's rows, every value as text, NULL as nullopt
//   std::int64_t scalar(const std::string& sql); the first value of a query's first row, as an integer
//   std::int64_t count(const std::string& from); SELECT count(*) FROM <from>
//   Reader reader();                             rows() and scalar() as an object (support/progress_checks.hpp)
//   void create_roles_users();                   the article's schema (support/schema.hpp)
//   std::vector<UserRead> read_users();          users, timestamps as "YYYY-MM-DD HH:MM:SS.ffffff"
//   void check_users_stored(const std::vector<User>&);  how users are stored, beyond read_users()
//   std::vector<std::string> column_names(table);  the table's columns from the catalog, in order
//   std::multiset<std::string> table_names();      the names of the database's tables
//   void next_id_after(table, n);                the table's generated ids (types.auto_id) continue at n + 1
//   void create_scratch(name_and_columns);       a table for bulk loads whose durability does not matter
//   static std::string item_name_sql(column);    SQL spelling test::item(id).name (support/features.hpp)
//
// Tests are declared with CONFORMANCE_TEST_CASE (TestType is the fixture) or
// CONFORMANCE_STRATEGY_TEST_CASE (TestType::fixture and TestType::strategy, for every strategy of
// every backend). They are Catch2's TEMPLATE_LIST_TEST_CASE with readable names: Catch2 2.13 names
// list cases "name - list - 0", which would say nothing in a CTest failure; these say
// "name - sqlite" and "name - postgres copy".

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <bulkinsert/postgres.hpp>
#include <bulkinsert/sqlite.hpp>

#include "postgres.hpp"
#include "schema.hpp"
#include "sqlite.hpp"
#if BULKINSERT_CONFORMANCE_MARIADB
#include "mariadb.hpp"
#endif

namespace test {

/// Column types for CREATE TABLE, as the backend spells them.
struct Types {
  const char* bigint;     ///< 64-bit integer
  const char* smallint;   ///< at least 16 bits
  const char* text;       ///< unbounded text
  const char* real;       ///< 64-bit floating point
  const char* blob;       ///< bytes
  const char* timestamp;  ///< a timestamp without time zone
  const char* auto_id;    ///< an integer primary key the database numbers when it is omitted
  const char* key_text;   ///< text that can be a primary key
};

/// What the driver reports, where tests check it.
struct Codes {
  const char* unique_violation;
  const char* foreign_key_violation;
  const char* undefined_table;
  std::vector<std::string> unique_violation_words;  ///< words the message of a duplicate users.username holds
  const char* undefined_table_words;                ///< words the message of a missing table holds
  const char* unique_violation_reason;              ///< words of any unique violation's message
  const char* primary_key_violation;                ///< a duplicate primary key (SQLite tells it from UNIQUE)
};

/// What names a backend's catalog holds.
struct Identifiers {
  bool utf8_only;               ///< names must be valid UTF-8
  bool fold_ascii_case;         ///< names equal but for ASCII case are the same name
  std::size_t max_bytes;        ///< the longest name; 0 for no limit
  const char* reserved_prefix;  ///< names the database keeps for itself start so (ignoring case), or ""
  bool beyond_bmp = true;       ///< names may hold characters beyond U+FFFF (MariaDB's utf8mb3 names may not)
  bool trailing_space = true;   ///< names may end with a blank (space, tab, CR, LF, VT, FF)
};

class SqliteFixture : public SqliteDb {
 public:
  static constexpr std::string_view name = "sqlite";
  using backend_type = bulkinsert::SqliteBackend;
  using strategies = std::tuple<bulkinsert::PerRow, bulkinsert::MultiValues, bulkinsert::ExecuteMany>;
  using default_strategy = bulkinsert::MultiValues;
  static constexpr bool per_row_waits = false;
  static inline const Types types{"INTEGER", "INTEGER", "TEXT", "REAL", "BLOB", "TIMESTAMP",
                                  "INTEGER PRIMARY KEY AUTOINCREMENT",  // ids never reused, as a sequence's
                                  "TEXT"};
  // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_FOREIGNKEY, SQLITE_ERROR
  static inline const Codes codes{"2067", "787", "1", {"UNIQUE", "users.username"}, "no such table", "UNIQUE",
                                  "1555"};  // SQLITE_CONSTRAINT_PRIMARYKEY
  static constexpr bool text_holds_any_byte = true;
  static constexpr bool stores_nan = false;           // it would become NULL
  static constexpr bool keeps_negative_zero = false;  // an integral REAL is stored as an integer
  static constexpr bool defers_constraints = true;
  static constexpr bool stores_infinity = true;
  static constexpr bool batches_execute_many = false;
  static constexpr bool upserts_on_target_only = true;
  static constexpr bool tells_updated_rows = false;   // changes() counts an updated row like an inserted one
  // SqliteReader writes a REAL exactly itself (SQLite's printf loses the last digit of DBL_MAX).
  static std::string real_text_sql(std::string_view column) { return std::string{column}; }
  static constexpr std::string_view stored_false = "0";  // a boolean is an integer
  static constexpr Identifiers identifiers{false, true, 0, "sqlite_"};
  // hex(NULL) is '', which would hide a NULL.
  static std::string hex_sql(std::string_view column) {
    return fmt::format("CASE WHEN {0} IS NULL THEN NULL ELSE lower(hex({0})) END", column);
  }
  // A Timestamp is stored as that text.
  static std::string timestamp_text_sql(std::string_view column) { return std::string{column}; }

  [[nodiscard]] std::unique_ptr<backend_type> connect() { return std::make_unique<backend_type>(path()); }

  [[nodiscard]] TextRows rows(const std::string& sql) { return reader().rows(sql); }
  [[nodiscard]] std::int64_t scalar(const std::string& sql) { return reader().scalar(sql); }

  /// SQLite has no timestamp type: a Timestamp is stored as ISO text, never as a number.
  void check_users_stored(const std::vector<User>&) {
    CHECK(count("users WHERE typeof(created_at) <> 'text' AND created_at IS NOT NULL") == 0);
  }

  [[nodiscard]] std::vector<std::string> column_names(const std::string& table) {
    SQLite::Statement q{db(), "SELECT name FROM pragma_table_info(?) ORDER BY cid"};
    q.bind(1, table);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  }
  [[nodiscard]] std::multiset<std::string> table_names() {
    std::multiset<std::string> out;
    for (auto& r : rows("SELECT name FROM sqlite_schema WHERE type = 'table'")) out.insert(r[0].value());
    return out;
  }
  void next_id_after(const std::string& table, std::int64_t n) {
    exec(fmt::format("INSERT INTO sqlite_sequence (name, seq) VALUES ('{}', {})", table, n));
  }
  void create_scratch(std::string_view name_and_columns) {
    exec("PRAGMA journal_mode = OFF");
    exec("PRAGMA synchronous = OFF");
    exec(fmt::format("CREATE TABLE {}", name_and_columns));
  }
  static std::string item_name_sql(std::string_view column) {
    return fmt::format("printf('item %07d of the generated stream, padded', {})", column);
  }
};

class PostgresFixture : public PgDb {
 public:
  static constexpr std::string_view name = "postgres";
  using backend_type = bulkinsert::PostgresBackend;
  using strategies = std::tuple<bulkinsert::PerRow, bulkinsert::MultiValues, bulkinsert::ExecuteMany, bulkinsert::Copy>;
  using default_strategy = bulkinsert::Copy;
  static constexpr bool per_row_waits = true;
  static inline const Types types{"bigint", "smallint", "text", "double precision", "bytea", "timestamp",
                                  "serial PRIMARY KEY", "text"};
  static inline const Codes codes{"23505", "23503", "42P01", {"users_username_key"}, "does not exist",
                                  "duplicate key", "23505"};
  static constexpr bool text_holds_any_byte = false;  // a UTF8 database
  static constexpr bool stores_nan = true;
  static constexpr bool keeps_negative_zero = true;
  static constexpr bool defers_constraints = true;
  static constexpr bool stores_infinity = true;
  static constexpr bool batches_execute_many = false;
  static constexpr bool upserts_on_target_only = true;
  static constexpr bool tells_updated_rows = true;  // RETURNING (xmax <> 0)
  static std::string real_text_sql(std::string_view column) { return fmt::format("{}::text", column); }
  static constexpr std::string_view stored_false = "f";
  static constexpr Identifiers identifiers{true, false, 63, ""};
  static std::string hex_sql(std::string_view column) { return fmt::format("encode({}, 'hex')", column); }
  static std::string timestamp_text_sql(std::string_view column) {
    return fmt::format("to_char({}, 'YYYY-MM-DD HH24:MI:SS.US')", column);
  }

  [[nodiscard]] std::unique_ptr<backend_type> connect() { return std::make_unique<backend_type>(conninfo()); }

  [[nodiscard]] TextRows rows(const std::string& sql) { return reader().rows(sql); }
  [[nodiscard]] std::int64_t scalar(const std::string& sql) { return reader().scalar(sql); }

  /// The instants themselves, not only their text.
  void check_users_stored(const std::vector<User>& expected) {
    const auto us = read_created_at_us();
    REQUIRE(us.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      INFO("row " << i);
      if (expected[i].created_at) REQUIRE(us[i] == expected[i].created_at->time_since_epoch().count());
      else REQUIRE_FALSE(us[i].has_value());
    }
  }

  [[nodiscard]] std::vector<std::string> column_names(const std::string& table) {
    if (!catalog_) catalog_.emplace(conninfo());
    pqxx::work w{*catalog_};
    std::vector<std::string> out;
    for (const auto& r : w.exec_params("SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 "
                                       "AND NOT attisdropped ORDER BY attnum",
                                       fmt::format("{}.{}", w.quote_name(schema()), w.quote_name(table))))
      out.emplace_back(r[0].c_str());
    return out;
  }
  [[nodiscard]] std::multiset<std::string> table_names() {
    std::multiset<std::string> out;
    for (auto& r : rows(fmt::format("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                    "WHERE n.nspname = '{}' AND c.relkind = 'r'",
                                    schema())))
      out.insert(r[0].value());
    return out;
  }
  void next_id_after(const std::string& table, std::int64_t n) {
    exec(fmt::format("SELECT setval(pg_get_serial_sequence('{}', 'id'), {})", table, n));
  }
  void create_scratch(std::string_view name_and_columns) { exec(fmt::format("CREATE UNLOGGED TABLE {}", name_and_columns)); }
  static std::string item_name_sql(std::string_view column) {
    return fmt::format("'item ' || lpad({}::text, 7, '0') || ' of the generated stream, padded'", column);
  }

 private:
  std::optional<pqxx::connection> catalog_;  // for queries with parameters, which PgDb::query() does not take
};

#if BULKINSERT_CONFORMANCE_MARIADB
class MariadbFixture : public MariaDb {
 public:
  static constexpr std::string_view name = "mariadb";
  using backend_type = bulkinsert::MariadbBackend;
  using strategies = std::tuple<bulkinsert::PerRow, bulkinsert::MultiValues, bulkinsert::ExecuteMany, bulkinsert::Copy>;
  using default_strategy = bulkinsert::MultiValues;
  static constexpr bool per_row_waits = true;
  // TEXT and BLOB hold at most 64 KiB: the unbounded ones are LONGTEXT and LONGBLOB. TIMESTAMP is a
  // 1970-2038 type converted to UTC; a timestamp without time zone is DATETIME(6).
  // A key holds at most 3,072 bytes, so a text key is a VARCHAR. An id is an INT, as the foreign keys the
  // tests declare (integer) must match the type of the key they reference.
  static inline const Types types{"BIGINT", "SMALLINT", "LONGTEXT", "DOUBLE", "LONGBLOB", "DATETIME(6)",
                                  "INT AUTO_INCREMENT PRIMARY KEY", "VARCHAR(255)"};
  static inline const Codes codes{"1062", "1452", "1146", {"Duplicate entry", "username"}, "doesn't exist",
                                  "Duplicate entry", "1062"};
  static constexpr bool text_holds_any_byte = false;  // utf8mb4
  static constexpr bool stores_nan = false;           // a DOUBLE holds finite values only
  static constexpr bool keeps_negative_zero = false;
  static constexpr bool defers_constraints = false;   // InnoDB checks a foreign key at each statement
  static constexpr bool upserts_on_target_only = false;  // ON DUPLICATE KEY UPDATE has no conflict target
  static constexpr bool tells_updated_rows = true;    // from the server's "Records: N  Duplicates: D" and the rows affected
  static constexpr bool stores_infinity = false;
  static constexpr bool batches_execute_many = true;  // COM_STMT_BULK_EXECUTE
  static std::string real_text_sql(std::string_view column) { return std::string{column}; }  // the reader writes it exactly
  static constexpr std::string_view stored_false = "0";  // BOOLEAN is TINYINT(1)
  static constexpr Identifiers identifiers{true, true, 64, "", false, false};
  static std::string hex_sql(std::string_view column) { return fmt::format("LOWER(HEX({}))", column); }
  static std::string timestamp_text_sql(std::string_view column) {
    return fmt::format("DATE_FORMAT({}, '%Y-%m-%d %H:%i:%s.%f')", column);
  }

  [[nodiscard]] std::unique_ptr<backend_type> connect() { return std::make_unique<backend_type>(url()); }

  [[nodiscard]] TextRows rows(const std::string& sql) { return reader().rows(sql); }
  [[nodiscard]] std::int64_t scalar(const std::string& sql) { return reader().scalar(sql); }

  /// A DATETIME(6) keeps the instant as UTC wall time: the text is the whole of it.
  void check_users_stored(const std::vector<User>&) {}

  [[nodiscard]] std::vector<std::string> column_names(const std::string& table) {
    std::vector<std::string> out;
    for (auto& r : rows(fmt::format("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                                    "AND TABLE_NAME = {} ORDER BY ORDINAL_POSITION",
                                    connection().literal(table))))
      out.push_back(r[0].value());
    return out;
  }
  [[nodiscard]] std::multiset<std::string> table_names() {
    std::multiset<std::string> out;
    for (auto& r : rows("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                        "TABLE_TYPE = 'BASE TABLE'"))
      out.insert(r[0].value());
    return out;
  }
  void next_id_after(const std::string& table, std::int64_t n) {
    exec(fmt::format("ALTER TABLE {} AUTO_INCREMENT = {}", quoted<MariadbFixture>(table), n + 1));
  }
  void create_scratch(std::string_view name_and_columns) { exec(fmt::format("CREATE TABLE {}", name_and_columns)); }
  static std::string item_name_sql(std::string_view column) {
    return fmt::format("CONCAT('item ', LPAD({}, 7, '0'), ' of the generated stream, padded')", column);
  }

 private:
  template <class Fixture>
  static std::string quoted(std::string_view name) {
    return bulkinsert::quote_identifier<typename Fixture::backend_type::dialect_type>(name);
  }
};
#endif

/// Every backend of the suite.
#if BULKINSERT_CONFORMANCE_MARIADB
using backends = std::tuple<SqliteFixture, PostgresFixture, MariadbFixture>;
#else
using backends = std::tuple<SqliteFixture, PostgresFixture>;
#endif

// --- the cases: a backend, or a backend and one of its strategies ---------------------------------

/// One strategy on one backend.
template <class Fixture, class Strategy>
struct With {
  using fixture = Fixture;
  using strategy = Strategy;
};

template <class Fixture, class... Strategies>
std::tuple<With<Fixture, Strategies>...> with_each(std::tuple<Strategies...>*);

template <class... Fixtures>
auto every_strategy(std::tuple<Fixtures...>*)
    -> decltype(std::tuple_cat(with_each<Fixtures>(static_cast<typename Fixtures::strategies*>(nullptr))...));

/// Every strategy of every backend.
using backend_strategies = decltype(every_strategy(static_cast<backends*>(nullptr)));

template <class Case>
struct case_name {
  static std::string label() { return std::string{Case::name}; }
  static std::string tag() { return fmt::format("[{}]", Case::name); }
};
template <class Fixture, class Strategy>
struct case_name<With<Fixture, Strategy>> {
  static std::string label() { return fmt::format("{} {}", Fixture::name, Strategy::name); }
  static std::string tag() { return fmt::format("[{}]", Fixture::name); }
};

/// Registers `invoker_of(type_identity<Case>)` for every Case of the list as "name - label".
template <class... Cases, class InvokerOf>
int register_cases(std::tuple<Cases...>*, const char* name, const char* tags, const Catch::SourceLineInfo& line,
                   InvokerOf invoker_of) {
  (Catch::AutoReg(invoker_of(std::type_identity<Cases>{}), line, Catch::StringRef(),
                  Catch::NameAndTags{fmt::format("{} - {}", name, case_name<Cases>::label()),
                                     fmt::format("[conformance]{}{}", tags, case_name<Cases>::tag())}),
   ...);
  return 0;
}

/// Rows of a strategy's chunk when the caller names no size.
/// The dialect's quoting of a table or column name.
template <class Fixture>
std::string quoted(std::string_view name) {
  return bulkinsert::quote_identifier<typename Fixture::backend_type::dialect_type>(name);
}

template <class S>
std::size_t default_chunk_rows() {
  if constexpr (std::is_same_v<S, bulkinsert::MultiValues>) return S{}.rows_per_statement;
  else return S{}.rows_per_chunk;
}

}  // namespace test

#define CONFORMANCE_CASE_IMPL(function, registrar, list, name, tags)                                        \
  template <class TestType>                                                                                 \
  static void function();                                                                                   \
  namespace {                                                                                               \
  const int registrar = ::test::register_cases(static_cast<list*>(nullptr), name, tags, CATCH_INTERNAL_LINEINFO, \
                                               []<class Case>(std::type_identity<Case>) {                   \
                                                 return Catch::makeTestInvoker(&function<Case>);            \
                                               });                                                          \
  }                                                                                                         \
  template <class TestType>                                                                                 \
  static void function()

/// A test run once for every backend; TestType is the fixture.
#define CONFORMANCE_TEST_CASE(name, tags)                                                                   \
  CONFORMANCE_CASE_IMPL(INTERNAL_CATCH_UNIQUE_NAME(conformance_test_), INTERNAL_CATCH_UNIQUE_NAME(conformance_reg_), \
                        ::test::backends, name, tags)

/// A test run once for every strategy of every backend; TestType::fixture and TestType::strategy.
#define CONFORMANCE_STRATEGY_TEST_CASE(name, tags)                                                          \
  CONFORMANCE_CASE_IMPL(INTERNAL_CATCH_UNIQUE_NAME(conformance_test_), INTERNAL_CATCH_UNIQUE_NAME(conformance_reg_), \
                        ::test::backend_strategies, name, tags)
