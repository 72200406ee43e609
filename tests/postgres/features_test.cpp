// Client-side defaults, parents then children, streaming with bounded memory, and insert_async, on PostgreSQL.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <bulkinsert/postgres.hpp>

#include "support/features.hpp"
#include "support/postgres.hpp"

using bulkinsert::BulkInserter;
using bulkinsert::Copy;
using bulkinsert::ExecuteMany;
using bulkinsert::MultiValues;
using bulkinsert::PerRow;

namespace {

struct Event {
  std::int64_t id = 0;
  std::optional<std::string> uid;                   // uuid column: generated where missing
  std::optional<bulkinsert::Timestamp> happened;    // falls back to now_utc
  std::optional<std::int64_t> weight;               // falls back to a constant
};

const std::string fixed_uid = "00000000-0000-4000-8000-00000000abcd";

std::vector<Event> events(std::size_t n) {
  std::vector<Event> rows;
  for (std::size_t i = 0; i < n; ++i) {
    Event e;
    e.id = static_cast<std::int64_t>(i);
    if (i % 2 == 0) e.uid = fmt::format("00000000-0000-4000-8000-{:012}", i);
    if (i % 3 == 0) e.happened = test::timestamp(2001, 2, 3, 4, 5, 6, static_cast<std::int64_t>(i));
    if (i % 5 == 0) e.weight = -static_cast<std::int64_t>(i);
    rows.push_back(std::move(e));
  }
  return rows;
}

}  // namespace

TEMPLATE_TEST_CASE("client-side defaults fill missing values and keep given ones", "[postgres][defaults]", PerRow,
                   MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  db.exec("CREATE TABLE events (id bigint PRIMARY KEY, uid uuid, happened timestamp, weight bigint, "
          "loaded_at timestamp, batch text, source uuid)");
  const auto table = bulkinsert::Table<Event>{"events"}
                         .column("id", &Event::id)
                         .column("uid", &Event::uid, bulkinsert::uuid_v4)
                         .column("happened", &Event::happened, bulkinsert::now_utc)
                         .column("weight", &Event::weight, [] { return std::int64_t{42}; })
                         .default_column("loaded_at", bulkinsert::now_utc)
                         .default_column("batch", [] { return std::string{"batch-7"}; })
                         .default_column("source", [] { return fixed_uid; });
  constexpr std::size_t n = 700;
  const auto rows = events(n);
  const auto before = bulkinsert::now_utc();
  TestType strategy{};
  if constexpr (std::is_same_v<TestType, MultiValues>) strategy.rows_per_statement = 250;
  else strategy.rows_per_chunk = 250;
  CHECK(BulkInserter{db.backend()}.insert(table, rows, strategy).rows == n);
  const auto after = bulkinsert::now_utc();

  const auto r = db.query(
      "SELECT id, uid::text, (extract(epoch FROM happened) * 1000000)::bigint, weight, "
      "(extract(epoch FROM loaded_at) * 1000000)::bigint, batch, source::text FROM events ORDER BY id");
  REQUIRE(r.size() == n);
  std::set<std::string> generated;
  for (std::size_t i = 0; i < n; ++i) {
    INFO("row " << i);
    const auto& row = r[static_cast<int>(i)];
    for (int c = 0; c < 7; ++c) REQUIRE_FALSE(row[c].is_null());
    const std::string uid = row[1].c_str();
    if (rows[i].uid) {
      CHECK(uid == *rows[i].uid);
    } else {
      // A version 4 UUID, different for every row.
      REQUIRE(uid.size() == 36);
      CHECK(uid[14] == '4');
      CHECK(std::string_view{"89ab"}.find(uid[19]) != std::string_view::npos);
      CHECK(generated.insert(uid).second);
    }
    const auto happened = row[2].as<std::int64_t>();
    if (rows[i].happened) {
      CHECK(happened == rows[i].happened->time_since_epoch().count());
    } else {
      CHECK(happened >= before.time_since_epoch().count());
      CHECK(happened <= after.time_since_epoch().count());
    }
    CHECK(row[3].as<std::int64_t>() == (rows[i].weight ? *rows[i].weight : 42));
    CHECK(row[4].as<std::int64_t>() >= before.time_since_epoch().count());
    CHECK(row[4].as<std::int64_t>() <= after.time_since_epoch().count());
    CHECK(std::string{row[5].c_str()} == "batch-7");
    CHECK(std::string{row[6].c_str()} == fixed_uid);
  }
  CHECK(generated.size() == n / 2);
}

namespace {

struct RoleIn {
  std::string name;
};
struct UserIn {
  std::string username;
  std::string email;
  std::string role;  // the parent's natural key
};

void create_serial_roles_users(test::PgDb& db) {
  // The article's schema with generated ids; the roles' sequence starts far from the users' positions.
  db.exec("CREATE TABLE roles (id serial PRIMARY KEY, name varchar(50) UNIQUE)");
  db.exec("ALTER SEQUENCE roles_id_seq RESTART WITH 501");
  db.exec("CREATE TABLE users (id serial PRIMARY KEY, username varchar(100) UNIQUE NOT NULL, email varchar(255), "
          "created_at timestamp, role_id integer REFERENCES roles(id))");
}

const auto role_table = bulkinsert::Table<RoleIn>{"roles"}.column("name", &RoleIn::name);
const auto user_table = bulkinsert::Table<UserIn>{"users"}
                            .column("username", &UserIn::username)
                            .column("email", &UserIn::email)
                            .default_column("created_at", bulkinsert::now_utc);

std::vector<RoleIn> linked_roles() { return {{"admin"}, {"editor"}, {"viewer"}, {"rôle ünïcode"}, {"it's \"quoted\""}}; }

std::vector<UserIn> linked_users(std::size_t n) {
  const auto roles = linked_roles();
  std::vector<UserIn> users;
  for (std::size_t i = 0; i < n; ++i)
    users.push_back({fmt::format("user{}", i), fmt::format("user{}@example.com", i), roles[(i * 7) % roles.size()].name});
  return users;
}

}  // namespace

TEMPLATE_TEST_CASE("insert_linked fills every child's foreign key from its parent's generated id",
                   "[postgres][linked]", PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  create_serial_roles_users(db);
  const auto users = linked_users(TestType::name == "per_row" ? 500 : 5000);
  BulkInserter ins{db.backend()};
  const auto linked = ins.insert_linked(role_table, linked_roles(), "name", "id", user_table, users, "role_id",
                                        [](const UserIn& u) -> std::string_view { return u.role; }, TestType{});
  CHECK(linked.parents.rows == 5);
  CHECK(linked.children.rows == users.size());
  CHECK(linked.children.rows_committed == users.size());
  REQUIRE(linked.ids.size() == 5);

  std::unordered_map<std::string, std::int64_t> role_ids;
  for (const auto& r : db.query("SELECT name, id FROM roles")) role_ids[r[0].c_str()] = r[1].as<std::int64_t>();
  REQUIRE(role_ids.size() == 5);
  for (const auto& [name, id] : role_ids) {
    INFO(name);
    CHECK(linked.ids.at(name) == id);
    CHECK(id >= 501);
  }
  const auto r = db.query("SELECT u.username, r.name FROM users u JOIN roles r ON r.id = u.role_id ORDER BY u.id");
  REQUIRE(r.size() == users.size());
  for (std::size_t i = 0; i < users.size(); ++i) {
    INFO("user " << i);
    REQUIRE(std::string{r[static_cast<int>(i)][0].c_str()} == users[i].username);
    REQUIRE(std::string{r[static_cast<int>(i)][1].c_str()} == users[i].role);
  }
  CHECK(db.count("users WHERE role_id IS NULL OR created_at IS NULL") == 0);
}

TEMPLATE_TEST_CASE("insert_linked with a child naming a missing parent leaves both tables empty", "[postgres][linked]",
                   PerRow, MultiValues, ExecuteMany, Copy) {
  test::PgDb db;
  create_serial_roles_users(db);
  auto users = linked_users(1000);
  users[777].role = "nobody";
  BulkInserter ins{db.backend()};
  try {
    (void)ins.insert_linked(role_table, linked_roles(), "name", "id", user_table, users, "role_id",
                            [](const UserIn& u) -> std::string_view { return u.role; }, TestType{});
    FAIL("no exception");
  } catch (const bulkinsert::ChunkError& e) {
    FAIL("a database error instead of an input error: " << e.what());
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("row 777") && Catch::Contains("role_id") && Catch::Contains("nobody"));
  }
  CHECK(db.count("roles") == 0);
  CHECK(db.count("users") == 0);
  // The connection is usable afterwards, and the same call with the key fixed succeeds.
  users[777].role = "admin";
  CHECK(ins.insert_linked(role_table, linked_roles(), "name", "id", user_table, users, "role_id",
                          [](const UserIn& u) -> std::string_view { return u.role; }, TestType{})
            .children.rows == 1000);
  CHECK(db.count("users u JOIN roles r ON r.id = u.role_id") == 1000);
}

TEST_CASE("insert_linked rejects a natural key that is not a parent column", "[postgres][linked]") {
  test::PgDb db;
  create_serial_roles_users(db);
  CHECK_THROWS_AS(BulkInserter{db.backend()}.insert_linked(role_table, linked_roles(), "title", "id", user_table,
                                                           linked_users(3), "role_id",
                                                           [](const UserIn& u) -> std::string_view { return u.role; }),
                  bulkinsert::InputError);
  CHECK(db.count("roles") == 0);
}

TEST_CASE("insert_linked returns ids of parents that already exist through an upsert", "[postgres][linked][upsert]") {
  test::PgDb db;
  create_serial_roles_users(db);
  db.exec("INSERT INTO roles (name) VALUES ('viewer')");  // id 501
  const auto parents = bulkinsert::Table<RoleIn>{role_table}.on_conflict_update({"name"}, {"name"});
  const auto linked = BulkInserter{db.backend()}.insert_linked(parents, linked_roles(), "name", "id", user_table,
                                                               linked_users(50), "role_id",
                                                               [](const UserIn& u) -> std::string_view { return u.role; });
  CHECK(linked.ids.at("viewer") == 501);
  CHECK(db.count("roles") == 5);
  CHECK(db.count("users u JOIN roles r ON r.id = u.role_id") == 50);
}

// --- streaming -----------------------------------------------------------------------------------

namespace {

template <class Strategy>
void stream_a_million(Strategy strategy) {
  test::PgDb db;
  db.exec("CREATE UNLOGGED TABLE items (id bigint, name text, qty bigint)");
  constexpr std::size_t n = 1'000'000;
  auto rows = test::generated<test::Item>(n, [](std::size_t i) { return test::item(i); });
  static_assert(std::ranges::input_range<decltype(rows)>);
  static_assert(!std::ranges::forward_range<decltype(rows)>);
  BulkInserter ins{db.backend()};
  const long baseline = test::reset_peak_rss_kib();
  const auto report = ins.insert(test::items_table(), rows, strategy);
  const long grew = test::peak_rss_kib() - baseline;
  INFO(fmt::format("{}; peak RSS grew by {} KiB", report, grew));
  CHECK(report.rows == n);
  CHECK(rows.read() == n);
  CHECK(grew < test::stream_growth_limit_kib);
  const auto r = db.query("SELECT count(*), count(DISTINCT id), sum(id), sum(qty) FROM items");
  CHECK(r[0][0].as<std::int64_t>() == static_cast<std::int64_t>(n));
  CHECK(r[0][1].as<std::int64_t>() == static_cast<std::int64_t>(n));
  CHECK(r[0][2].as<std::int64_t>() == test::id_sum(n));
  CHECK(r[0][3].as<std::int64_t>() == static_cast<std::int64_t>(n / 1000) * 499'500);
  CHECK(db.count("items WHERE name <> 'item ' || lpad(id::text, 7, '0') || ' of the generated stream, padded'") == 0);
}

}  // namespace

TEST_CASE("a million generated rows stream through copy in bounded memory", "[postgres][streaming]") {
  stream_a_million(Copy{});
}

TEST_CASE("a million generated rows stream through multi_values in bounded memory", "[postgres][streaming]") {
  stream_a_million(MultiValues{});
}

// --- insert_async --------------------------------------------------------------------------------

TEST_CASE("insert_async returns a future of the report", "[postgres][async]") {
  test::PgDb db;
  db.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text, qty bigint)");
  BulkInserter ins{db.backend()};
  SECTION("an lvalue range, copy") {
    std::vector<test::Item> rows;
    for (std::size_t i = 0; i < 50'000; ++i) rows.push_back(test::item(i));
    std::future<bulkinsert::Report> f = ins.insert_async(test::items_table(), rows);
    const bulkinsert::Report r = f.get();
    CHECK(r.rows == rows.size());
    CHECK(r.rows_committed == rows.size());
    CHECK(db.count("items") == 50'000);
  }
  SECTION("an rvalue range is moved into the task") {
    std::future<bulkinsert::Report> f;
    {
      std::vector<test::Item> rows;
      for (std::size_t i = 0; i < 20'000; ++i) rows.push_back(test::item(i));
      f = ins.insert_async(test::items_table(), std::move(rows), MultiValues{});
    }  // the caller's vector is gone
    CHECK(f.get().rows == 20'000);
    CHECK(db.count("items") == 20'000);
  }
  SECTION("a failure arrives through get() and nothing is left") {
    std::vector<test::Item> rows;
    for (std::size_t i = 0; i < 30'000; ++i) rows.push_back(test::item(i));
    rows[25'000].id = 3;
    auto f = ins.insert_async(test::items_table(), rows, Copy{.rows_per_chunk = 10'000});
    try {
      (void)f.get();
      FAIL("no exception");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.code() == "23505");
      CHECK(e.chunk_index() == 2);
      CHECK(e.rows() == bulkinsert::RowRange{20'000, 30'000});
      CHECK(e.rows_committed() == 0);
    }
    CHECK(db.count("items") == 0);
    // The backend is free again once the future is ready.
    rows[25'000].id = 25'000;
    CHECK(ins.insert_async(test::items_table(), rows).get().rows == 30'000);
  }
  SECTION("an input error arrives through get()") {
    std::vector<bulkinsert::DynamicRow> rows{{bulkinsert::Value{std::int64_t{1}}, bulkinsert::Value{std::string{"a"}}}};
    const bulkinsert::Table<bulkinsert::DynamicRow> t{"items", {"id", "name", "qty"}};
    auto f = ins.insert_async(t, rows);
    CHECK_THROWS_AS(f.get(), bulkinsert::InputError);
    CHECK(db.count("items") == 0);
  }
}
