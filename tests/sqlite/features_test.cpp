// On SQLite: insert_returning in input order, upserts through every strategy, client-side defaults,
// parents then children, streaming a million generated rows in bounded memory, and insert_async.

#include <catch2/catch.hpp>

#include <cstdint>
#include <future>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <SQLiteCpp/Statement.h>

#include <bulkinsert/sqlite.hpp>

#include "support/features.hpp"
#include "support/sqlite.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;
using bulkinsert::SqliteBackend;

namespace {

template <class Strategy>
Strategy chunked(std::size_t rows) {
  Strategy s{};
  if constexpr (std::is_same_v<Strategy, MultiValues>) s.rows_per_statement = rows;
  else s.rows_per_chunk = rows;
  return s;
}

struct Named {
  std::string name;
  std::int64_t qty = 0;
};

auto named_table() { return bulkinsert::Table<Named>{"named"}.column("name", &Named::name).column("qty", &Named::qty); }

std::vector<Named> named_rows(std::size_t n) {
  std::vector<Named> rows;
  for (std::size_t i = 0; i < n; ++i) rows.push_back({fmt::format("n{}", i), static_cast<std::int64_t>(i) * 3});
  return rows;
}

template <class B, class S>
concept can_return = requires(BulkInserter<B>& ins, const bulkinsert::Table<Named>& t, const std::vector<Named>& rows) {
  ins.insert_returning(t, rows, std::vector<std::string>{"id"}, S{});
};

}  // namespace

// --- returning -----------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("insert_returning gives back generated ids in input order", "[sqlite][returning]", ExecuteMany, PerRow) {
  test::SqliteDb db;
  // AUTOINCREMENT after a high row: ids are neither positions nor contiguous with them.
  db.exec("CREATE TABLE named (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL, qty INTEGER)");
  db.exec("INSERT INTO named (id, name, qty) VALUES (4999, 'seed', 0)");
  db.exec("DELETE FROM named");
  const std::size_t n = 100'000;
  const auto rows = named_rows(n);
  const auto out = BulkInserter{db.backend()}.insert_returning(named_table(), rows, {"id", "name", "qty"}, chunked<TestType>(7'000));
  CHECK(out.report.rows == n);
  CHECK(out.report.chunks == 15);
  REQUIRE(out.rows.size() == n);
  std::unordered_map<std::int64_t, std::string> stored;
  SQLite::Statement q{db.db(), "SELECT id, name FROM named"};
  while (q.executeStep()) stored[q.getColumn(0).getInt64()] = q.getColumn(1).getString();
  REQUIRE(stored.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    INFO("input row " << i);
    REQUIRE(out.rows[i].size() == 3);
    const std::int64_t id = std::get<std::int64_t>(out.rows[i][0]);
    REQUIRE(id == 5000 + static_cast<std::int64_t>(i));
    REQUIRE(stored.at(id) == rows[i].name);
    REQUIRE(std::get<std::string>(out.rows[i][1]) == rows[i].name);
    REQUIRE(std::get<std::int64_t>(out.rows[i][2]) == rows[i].qty);
  }
}

TEST_CASE("insert_returning defaults to execute_many and takes strategies by name", "[sqlite][returning]") {
  test::SqliteDb db;
  db.exec("CREATE TABLE named (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER)");
  BulkInserter ins{db.backend()};
  CHECK(ins.insert_returning(named_table(), named_rows(10), {"id"}).report.strategy == "execute_many");
  const auto by_name = ins.insert_returning(named_table(), named_rows(10), {"id"}, "per_row");
  CHECK(by_name.report.strategy == "per_row");
  REQUIRE(by_name.rows.size() == 10);
  CHECK(std::get<std::int64_t>(by_name.rows[0][0]) == 11);
}

TEST_CASE("insert_returning refuses strategies that cannot return rows in order", "[sqlite][returning]") {
  STATIC_REQUIRE_FALSE(bulkinsert::returning_strategy<bulkinsert::Copy>);
  STATIC_REQUIRE_FALSE(can_return<SqliteBackend, bulkinsert::MultiValues>);
  STATIC_REQUIRE_FALSE(can_return<SqliteBackend, bulkinsert::Copy>);
  STATIC_REQUIRE(can_return<SqliteBackend, bulkinsert::ExecuteMany>);
  STATIC_REQUIRE(can_return<SqliteBackend, bulkinsert::PerRow>);
  test::SqliteDb db;
  db.exec("CREATE TABLE named (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER)");
  BulkInserter ins{db.backend()};
  try {
    (void)ins.insert_returning(named_table(), named_rows(10), {"id"}, "multi_values");
    FAIL("no exception");
  } catch (const bulkinsert::UnsupportedStrategy& e) {
    CHECK_THAT(e.what(), Catch::Contains("cannot return rows in input order"));
  }
  try {
    (void)ins.insert_returning(named_table(), named_rows(10), {"id"}, "copy");
    FAIL("no exception");
  } catch (const bulkinsert::UnsupportedStrategy& e) {
    CHECK_THAT(e.what(), Catch::Contains("\"copy\""));
  }
  CHECK(db.count("named") == 0);
}

// --- upsert --------------------------------------------------------------------------------------

namespace {

struct Price {
  std::int64_t id = 0;
  std::string sku;
  std::int64_t price = 0;
  std::string label;
};

auto price_table() {
  return bulkinsert::Table<Price>{"prices"}.column("id", &Price::id).column("sku", &Price::sku).column("price", &Price::price).column("label", &Price::label);
}

void prepare_prices(test::SqliteDb& db) {
  db.exec("CREATE TABLE prices (id INTEGER PRIMARY KEY, sku TEXT UNIQUE NOT NULL, price INTEGER NOT NULL, label TEXT, "
          "note TEXT DEFAULT 'untouched')");
  db.exec("WITH RECURSIVE g(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM g WHERE k < 599) "
          "INSERT INTO prices (id, sku, price, label) SELECT k, 'sku-' || k, k, 'old' FROM g");
}

std::vector<Price> upsert_rows() {  // skus 300..899: 300 conflict, 300 new
  std::vector<Price> rows;
  for (std::int64_t k = 300; k < 900; ++k) rows.push_back({100'000 + k, fmt::format("sku-{}", k), k * 10, "new"});
  return rows;
}

void check_prices(test::SqliteDb& db, bool updated) {
  SQLite::Statement q{db.db(), "SELECT id, CAST(substr(sku, 5) AS INTEGER) AS k, price, label, note FROM prices ORDER BY k"};
  std::size_t seen = 0;
  while (q.executeStep()) {
    ++seen;
    const std::int64_t k = q.getColumn(1).getInt64();
    INFO("sku-" << k);
    CHECK(q.getColumn(4).getString() == "untouched");
    if (k < 600) {
      CHECK(q.getColumn(0).getInt64() == k);
      CHECK(q.getColumn(2).getInt64() == (k >= 300 && updated ? k * 10 : k));
      CHECK(q.getColumn(3).getString() == "old");
    } else {
      CHECK(q.getColumn(0).getInt64() == 100'000 + k);
      CHECK(q.getColumn(2).getInt64() == k * 10);
      CHECK(q.getColumn(3).getString() == "new");
    }
  }
  CHECK(seen == 900);
}

}  // namespace

TEMPLATE_TEST_CASE("upsert on conflict do nothing skips existing keys and counts them", "[sqlite][upsert]", PerRow,
                   MultiValues, ExecuteMany) {
  test::SqliteDb db;
  prepare_prices(db);
  const auto report = BulkInserter{db.backend()}.insert(price_table().on_conflict_do_nothing({"sku"}), upsert_rows(),
                                                        chunked<TestType>(128));
  CHECK(report.rows == 600);
  CHECK(report.rows_affected == 300);
  CHECK(report.rows - report.rows_affected == 300);
  check_prices(db, false);
}

TEMPLATE_TEST_CASE("upsert on conflict updates only the chosen columns", "[sqlite][upsert]", PerRow, MultiValues,
                   ExecuteMany) {
  test::SqliteDb db;
  prepare_prices(db);
  const auto report = BulkInserter{db.backend()}.insert(price_table().on_conflict_update({"sku"}, {"price"}), upsert_rows(),
                                                        chunked<TestType>(128));
  CHECK(report.rows == 600);
  CHECK(report.rows_affected == 600);  // SQLite counts the updated rows as changes too
  check_prices(db, true);
}

TEMPLATE_TEST_CASE("upsert do nothing without a target skips any unique conflict", "[sqlite][upsert]", PerRow,
                   MultiValues, ExecuteMany) {
  test::SqliteDb db;
  prepare_prices(db);
  auto rows = upsert_rows();
  rows[599].id = 5;
  const auto report = BulkInserter{db.backend()}.insert(price_table().on_conflict_do_nothing(), rows, chunked<TestType>(128));
  CHECK(report.rows_affected == 299);
  CHECK(db.count("prices") == 899);
  CHECK(db.count("prices WHERE sku = 'sku-899'") == 0);
}

TEMPLATE_TEST_CASE("upsert naming an update column that is not inserted is an input error", "[sqlite][upsert]", PerRow,
                   MultiValues, ExecuteMany) {
  test::SqliteDb db;
  prepare_prices(db);
  CHECK_THROWS_AS(BulkInserter{db.backend()}.insert(price_table().on_conflict_update({"sku"}, {"note"}), upsert_rows(), TestType{}),
                  bulkinsert::InputError);
  CHECK(db.count("prices") == 600);
  CHECK(db.count("prices WHERE label <> 'old'") == 0);
}

TEST_CASE("copy upsert is refused on SQLite", "[sqlite][upsert]") {
  test::SqliteDb db;
  prepare_prices(db);
  STATIC_REQUIRE_FALSE(bulkinsert::strategy_for<bulkinsert::Copy, SqliteBackend>);
  CHECK_THROWS_AS(BulkInserter{db.backend()}.insert(price_table().on_conflict_do_nothing({"sku"}), upsert_rows(), "copy"),
                  bulkinsert::UnsupportedStrategy);
  CHECK(db.count("prices") == 600);
}

// --- defaults ------------------------------------------------------------------------------------

namespace {

struct Event {
  std::int64_t id = 0;
  std::optional<std::string> uid;
  std::optional<bulkinsert::Timestamp> happened;
  std::optional<std::int64_t> weight;
};

}  // namespace

TEMPLATE_TEST_CASE("client-side defaults fill missing values and keep given ones", "[sqlite][defaults]", PerRow,
                   MultiValues, ExecuteMany) {
  test::SqliteDb db;
  db.exec("CREATE TABLE events (id INTEGER PRIMARY KEY, uid TEXT, happened TIMESTAMP, weight INTEGER, loaded_at TIMESTAMP, batch TEXT)");
  const auto table = bulkinsert::Table<Event>{"events"}
                         .column("id", &Event::id)
                         .column("uid", &Event::uid, bulkinsert::uuid_v4)
                         .column("happened", &Event::happened, bulkinsert::now_utc)
                         .column("weight", &Event::weight, [] { return std::int64_t{42}; })
                         .default_column("loaded_at", bulkinsert::now_utc)
                         .default_column("batch", [] { return std::string{"batch-7"}; });
  std::vector<Event> rows;
  for (std::size_t i = 0; i < 700; ++i) {
    Event e;
    e.id = static_cast<std::int64_t>(i);
    if (i % 2 == 0) e.uid = fmt::format("given-{}", i);
    if (i % 3 == 0) e.happened = test::timestamp(2001, 2, 3, 4, 5, 6, static_cast<std::int64_t>(i));
    if (i % 5 == 0) e.weight = -static_cast<std::int64_t>(i);
    rows.push_back(std::move(e));
  }
  const std::string before = test::timestamp_text(bulkinsert::now_utc());
  CHECK(BulkInserter{db.backend()}.insert(table, rows, chunked<TestType>(250)).rows == 700);
  const std::string after = test::timestamp_text(bulkinsert::now_utc());

  SQLite::Statement q{db.db(), "SELECT id, uid, happened, weight, loaded_at, batch FROM events ORDER BY id"};
  std::set<std::string> generated;
  std::size_t i = 0;
  for (; q.executeStep(); ++i) {
    INFO("row " << i);
    for (int c = 0; c < 6; ++c) REQUIRE_FALSE(q.getColumn(c).isNull());
    const std::string uid = q.getColumn(1).getString();
    if (rows[i].uid) {
      CHECK(uid == *rows[i].uid);
    } else {
      REQUIRE(uid.size() == 36);
      CHECK(uid[14] == '4');
      CHECK(generated.insert(uid).second);
    }
    const std::string happened = q.getColumn(2).getString();
    if (rows[i].happened) {
      CHECK(happened == test::timestamp_text(*rows[i].happened));
    } else {
      CHECK(happened >= before);  // ISO text compares in time order
      CHECK(happened <= after);
    }
    CHECK(q.getColumn(3).getInt64() == (rows[i].weight ? *rows[i].weight : 42));
    CHECK(q.getColumn(4).getString() >= before);
    CHECK(q.getColumn(4).getString() <= after);
    CHECK(q.getColumn(5).getString() == "batch-7");
  }
  CHECK(i == 700);
  CHECK(generated.size() == 350);
}

// --- parents then children -----------------------------------------------------------------------

namespace {

struct RoleIn {
  std::string name;
};
struct UserIn {
  std::string username;
  std::string role;
};

const auto role_table = bulkinsert::Table<RoleIn>{"roles"}.column("name", &RoleIn::name);
const auto user_table = bulkinsert::Table<UserIn>{"users"}.column("username", &UserIn::username).default_column("created_at", bulkinsert::now_utc);

void create_roles_users(test::SqliteDb& db) {
  db.exec("CREATE TABLE roles (id INTEGER PRIMARY KEY AUTOINCREMENT, name varchar(50) UNIQUE)");
  db.exec("INSERT INTO roles (id, name) VALUES (500, 'seed')");
  db.exec("DELETE FROM roles");
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, username varchar(100) UNIQUE NOT NULL, email varchar(255), "
          "created_at timestamp, role_id integer REFERENCES roles(id))");
}

std::vector<RoleIn> linked_roles() { return {{"admin"}, {"editor"}, {"viewer"}, {"rôle ünïcode"}, {"it's \"quoted\""}}; }

std::vector<UserIn> linked_users(std::size_t n) {
  const auto roles = linked_roles();
  std::vector<UserIn> users;
  for (std::size_t i = 0; i < n; ++i) users.push_back({fmt::format("user{}", i), roles[(i * 7) % roles.size()].name});
  return users;
}

auto role_of = [](const UserIn& u) -> std::string_view { return u.role; };

}  // namespace

TEMPLATE_TEST_CASE("insert_linked fills every child's foreign key from its parent's generated id", "[sqlite][linked]",
                   PerRow, MultiValues, ExecuteMany) {
  test::SqliteDb db;
  create_roles_users(db);
  const auto users = linked_users(3000);
  const auto linked = BulkInserter{db.backend()}.insert_linked(role_table, linked_roles(), "name", "id", user_table, users,
                                                               "role_id", role_of, TestType{});
  CHECK(linked.children.rows == users.size());
  REQUIRE(linked.ids.size() == 5);
  SQLite::Statement roles{db.db(), "SELECT name, id FROM roles"};
  while (roles.executeStep()) {
    INFO(roles.getColumn(0).getString());
    CHECK(linked.ids.at(roles.getColumn(0).getString()) == roles.getColumn(1).getInt64());
    CHECK(roles.getColumn(1).getInt64() > 500);
  }
  SQLite::Statement q{db.db(), "SELECT u.username, r.name FROM users u JOIN roles r ON r.id = u.role_id ORDER BY u.id"};
  std::size_t i = 0;
  for (; q.executeStep(); ++i) {
    INFO("user " << i);
    REQUIRE(q.getColumn(0).getString() == users[i].username);
    REQUIRE(q.getColumn(1).getString() == users[i].role);
  }
  CHECK(i == users.size());
}

TEMPLATE_TEST_CASE("insert_linked with a child naming a missing parent leaves both tables empty", "[sqlite][linked]",
                   PerRow, MultiValues, ExecuteMany) {
  test::SqliteDb db;
  create_roles_users(db);
  auto users = linked_users(1000);
  users[777].role = "nobody";
  BulkInserter ins{db.backend()};
  try {
    (void)ins.insert_linked(role_table, linked_roles(), "name", "id", user_table, users, "role_id", role_of, TestType{});
    FAIL("no exception");
  } catch (const bulkinsert::ChunkError& e) {
    FAIL("a database error instead of an input error: " << e.what());
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("row 777") && Catch::Contains("nobody"));
  }
  CHECK(db.count("roles") == 0);
  CHECK(db.count("users") == 0);
  users[777].role = "admin";
  CHECK(ins.insert_linked(role_table, linked_roles(), "name", "id", user_table, users, "role_id", role_of, TestType{})
            .children.rows == 1000);
  CHECK(db.count("users u JOIN roles r ON r.id = u.role_id") == 1000);
}

// --- streaming -----------------------------------------------------------------------------------

TEST_CASE("a million generated rows stream through multi_values in bounded memory", "[sqlite][streaming]") {
  test::SqliteDb db;
  db.exec("PRAGMA journal_mode = OFF");
  db.exec("PRAGMA synchronous = OFF");
  db.exec("CREATE TABLE items (id INTEGER, name TEXT, qty INTEGER)");
  constexpr std::size_t n = 1'000'000;
  auto rows = test::generated<test::Item>(n, [](std::size_t i) { return test::item(i); });
  static_assert(std::ranges::input_range<decltype(rows)> && !std::ranges::forward_range<decltype(rows)>);
  BulkInserter ins{db.backend()};
  const long baseline = test::reset_peak_rss_kib();
  const auto report = ins.insert(test::items_table(), rows);
  const long grew = test::peak_rss_kib() - baseline;
  INFO(fmt::format("{}; peak RSS grew by {} KiB", report, grew));
  CHECK(report.rows == n);
  CHECK(grew < test::stream_growth_limit_kib);
  SQLite::Statement q{db.db(), "SELECT count(*), count(DISTINCT id), sum(id), sum(qty) FROM items"};
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getInt64() == static_cast<std::int64_t>(n));
  CHECK(q.getColumn(1).getInt64() == static_cast<std::int64_t>(n));
  CHECK(q.getColumn(2).getInt64() == test::id_sum(n));
  CHECK(q.getColumn(3).getInt64() == 1000 * 499'500);
  CHECK(db.count("items WHERE name <> printf('item %07d of the generated stream, padded', id)") == 0);
}

// --- async ---------------------------------------------------------------------------------------

TEST_CASE("insert_async returns a future of the report", "[sqlite][async]") {
  test::SqliteDb db;
  db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER)");
  BulkInserter ins{db.backend()};
  std::vector<test::Item> rows;
  for (std::size_t i = 0; i < 50'000; ++i) rows.push_back(test::item(i));
  SECTION("success") {
    auto f = ins.insert_async(test::items_table(), rows);
    CHECK(f.get().rows_committed == 50'000);
    CHECK(db.count("items") == 50'000);
  }
  SECTION("an rvalue range is moved into the task") {
    auto f = ins.insert_async(test::items_table(), std::vector<test::Item>(rows.begin(), rows.begin() + 1000), ExecuteMany{});
    CHECK(f.get().rows == 1000);
    CHECK(db.count("items") == 1000);
  }
  SECTION("a failure arrives through get() and nothing is left") {
    rows[42'000].id = 9;
    auto f = ins.insert_async(test::items_table(), rows, MultiValues{.rows_per_statement = 10'000});
    try {
      (void)f.get();
      FAIL("no exception");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.chunk_index() == 4);
      CHECK(e.rows() == bulkinsert::RowRange{40'000, 50'000});
    }
    CHECK(db.count("items") == 0);
  }
}
