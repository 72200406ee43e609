// Upserts, client-side defaults, parents then children, streaming a million generated rows in bounded
// memory, and insert_async, on every backend. What only one backend has (insert_returning's ordering
// guarantees, COPY's staging upsert and streaming, a refused COPY) is in tests/<backend>/.

#include <catch2/catch.hpp>

#include <cstdint>
#include <future>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "support/backends.hpp"
#include "support/features.hpp"

using bulkinsert::BulkInserter;

// --- returning -----------------------------------------------------------------------------------

namespace {

template <class B, class S>
concept can_return = requires(BulkInserter<B>& ins, const bulkinsert::Table<test::Named>& t,
                              const std::vector<test::Named>& rows) {
  ins.insert_returning(t, rows, std::vector<std::string>{"id"}, S{});
};

}  // namespace

CONFORMANCE_TEST_CASE("insert_returning refuses strategies that cannot return rows in order", "[returning]") {
  using B = typename TestType::backend_type;
  STATIC_REQUIRE_FALSE(bulkinsert::returning_strategy<bulkinsert::Copy>);
  STATIC_REQUIRE_FALSE(bulkinsert::returning_strategy<bulkinsert::MultiValues>);
  STATIC_REQUIRE(bulkinsert::returning_strategy<bulkinsert::ExecuteMany>);
  STATIC_REQUIRE(bulkinsert::returning_strategy<bulkinsert::PerRow>);
  STATIC_REQUIRE_FALSE(can_return<B, bulkinsert::Copy>);
  STATIC_REQUIRE_FALSE(can_return<B, bulkinsert::MultiValues>);
  STATIC_REQUIRE(can_return<B, bulkinsert::ExecuteMany>);
  STATIC_REQUIRE(can_return<B, bulkinsert::PerRow>);

  TestType db;
  db.exec(fmt::format("CREATE TABLE named (id {}, name {}, qty {})", TestType::types.auto_id, TestType::types.text,
                      TestType::types.bigint));
  BulkInserter ins{db.backend()};
  const auto rows = test::named_rows(100);
  for (const char* name : {"copy", "multi_values"}) {
    INFO(name);
    try {
      (void)ins.insert_returning(test::named_table(), rows, {"id"}, name);
      FAIL("no exception");
    } catch (const bulkinsert::UnsupportedStrategy& e) {
      CHECK_THAT(e.what(), Catch::Contains(fmt::format("\"{}\"", name)));
      // A backend without COPY refuses the name before it asks whether the strategy can return rows.
      if (bulkinsert::copy_capable<B> || std::string_view{name} != "copy")
        CHECK_THAT(e.what(), Catch::Contains("cannot return rows in input order"));
    }
  }
  CHECK_THROWS_AS(ins.insert_returning(test::named_table(), rows, {"id"}, "bulk"), bulkinsert::UnsupportedStrategy);
  CHECK_THROWS_AS(ins.insert_returning(test::named_table(), rows, {}), bulkinsert::InputError);
  CHECK(db.count("named") == 0);
}

// --- upsert --------------------------------------------------------------------------------------

namespace {

template <class Fixture>
void prepare_prices(Fixture& db) {
  test::prepare_prices(db, Fixture::types.bigint, Fixture::types.text);
}

constexpr std::size_t conflicts = test::old_prices - test::first_new_price;

}  // namespace

CONFORMANCE_STRATEGY_TEST_CASE("upsert on conflict do nothing skips existing keys and counts them", "[upsert]") {
  typename TestType::fixture db;
  prepare_prices(db);
  const auto report = BulkInserter{db.backend()}.insert(test::price_table().on_conflict_do_nothing({"sku"}),
                                                        test::upsert_rows(),
                                                        test::with_chunk_rows<typename TestType::strategy>(128));
  CHECK(report.rows == test::upserted_prices);
  CHECK(report.rows_affected == test::upserted_prices - conflicts);
  CHECK(report.rows - report.rows_affected == conflicts);
  CHECK(report.rows_updated == std::optional<std::size_t>{0});  // a do-nothing upsert updates nothing, on every backend
  CHECK(report.rows_committed == test::upserted_prices);
  test::check_prices(db, false);
}

CONFORMANCE_STRATEGY_TEST_CASE("upsert on conflict updates only the chosen columns", "[upsert]") {
  typename TestType::fixture db;
  prepare_prices(db);
  const auto report = BulkInserter{db.backend()}.insert(test::price_table().on_conflict_update({"sku"}, {"price"}),
                                                        test::upsert_rows(),
                                                        test::with_chunk_rows<typename TestType::strategy>(128));
  CHECK(report.rows == test::upserted_prices);
  CHECK(report.rows_affected == test::upserted_prices);  // inserted and updated rows count alike
  if constexpr (TestType::fixture::tells_updated_rows) {
    CHECK(report.rows_updated == std::optional<std::size_t>{conflicts});
    CHECK(report.rows_inserted() == std::optional<std::size_t>{test::upserted_prices - conflicts});
  } else {
    CHECK_FALSE(report.rows_updated.has_value());
    CHECK_FALSE(report.rows_inserted().has_value());
  }
  test::check_prices(db, true);
}

CONFORMANCE_STRATEGY_TEST_CASE("upsert counts updated rows exactly when rows are rejected and keys repeat", "[upsert][rejects]") {
  using Fixture = typename TestType::fixture;
  // The refused row's id conflicts outside the upsert's target: where any unique key takes the update, it updates.
  if constexpr (Fixture::tells_updated_rows && Fixture::upserts_on_target_only) {
    Fixture db;
    prepare_prices(db);
    auto rows = test::upsert_rows();
    // In the first chunk, among rows that update: an existing key again (it updates that row a second
    // time, the last row winning), and a new key whose id is taken (refused: the rows sent with it are
    // rolled back and sent again, and must count once).
    rows.insert(rows.begin() + 5, rows.front());
    rows.insert(rows.begin() + 10, {0, "sku-refused", 1, "new"});
    const auto report = BulkInserter{db.backend(), {.max_rejects = 1}}.insert(
        test::price_table().on_conflict_update({"sku"}, {"price"}), rows, test::with_chunk_rows<typename TestType::strategy>(128));
    CHECK(report.rows_rejected == 1);
    CHECK(report.rows == test::upserted_prices + 1);
    CHECK(report.rows_updated == std::optional<std::size_t>{conflicts + 1});
    CHECK(report.rows_inserted() == std::optional<std::size_t>{test::upserted_prices - conflicts});
  }
}

CONFORMANCE_STRATEGY_TEST_CASE("upsert by strategy name", "[upsert]") {
  typename TestType::fixture db;
  prepare_prices(db);
  const auto table = test::price_table().on_conflict_update({"sku"}, {"price"});
  CHECK(BulkInserter{db.backend()}.insert(table, test::upsert_rows(), TestType::strategy::name).rows ==
        test::upserted_prices);
  test::check_prices(db, true);
}

CONFORMANCE_STRATEGY_TEST_CASE("upsert do nothing without a target skips any unique conflict", "[upsert]") {
  typename TestType::fixture db;
  prepare_prices(db);
  auto rows = test::upsert_rows();
  rows[599].id = 5;  // sku-899 is new but its id conflicts with the primary key of sku-5
  const auto report = BulkInserter{db.backend()}.insert(test::price_table().on_conflict_do_nothing(), rows,
                                                        test::with_chunk_rows<typename TestType::strategy>(128));
  CHECK(report.rows_affected == test::upserted_prices - conflicts - 1);
  CHECK(db.count("prices") == static_cast<std::int64_t>(test::first_new_price + test::upserted_prices - 1));
  CHECK(db.count("prices WHERE sku = 'sku-899'") == 0);
}

CONFORMANCE_STRATEGY_TEST_CASE("upsert naming an update column that is not inserted is an input error", "[upsert]") {
  typename TestType::fixture db;
  prepare_prices(db);
  const auto table = test::price_table().on_conflict_update({"sku"}, {"price", "note"});
  try {
    (void)BulkInserter{db.backend()}.insert(table, test::upsert_rows(), typename TestType::strategy{});
    FAIL("no exception");
  } catch (const bulkinsert::InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("\"note\"") && Catch::Contains("not one of the inserted columns"));
  }
  CHECK(db.count("prices") == static_cast<std::int64_t>(test::old_prices));
  CHECK(db.count("prices WHERE label <> 'old'") == 0);
  CHECK_THROWS_AS(test::price_table().on_conflict_update({}, {"price"}), bulkinsert::InputError);
  CHECK_THROWS_AS(test::price_table().on_conflict_update({"sku"}, {}), bulkinsert::InputError);
}

// --- defaults ------------------------------------------------------------------------------------

namespace {

struct Event {
  std::int64_t id = 0;
  std::optional<std::string> uid;                 // generated where missing
  std::optional<bulkinsert::Timestamp> happened;  // falls back to now_utc
  std::optional<std::int64_t> weight;             // falls back to a constant
};

const std::string fixed_uid = "00000000-0000-4000-8000-00000000abcd";

}  // namespace

CONFORMANCE_STRATEGY_TEST_CASE("client-side defaults fill missing values and keep given ones", "[defaults]") {
  using F = typename TestType::fixture;
  F db;
  db.exec(fmt::format("CREATE TABLE events (id {0} PRIMARY KEY, uid {1}, happened {2}, weight {0}, loaded_at {2}, "
                      "batch {1}, source {1})",
                      F::types.bigint, F::types.text, F::types.timestamp));
  const auto table = bulkinsert::Table<Event>{"events"}
                         .column("id", &Event::id)
                         .column("uid", &Event::uid, bulkinsert::uuid_v4)
                         .column("happened", &Event::happened, bulkinsert::now_utc)
                         .column("weight", &Event::weight, [] { return std::int64_t{42}; })
                         .default_column("loaded_at", bulkinsert::now_utc)
                         .default_column("batch", [] { return std::string{"batch-7"}; })
                         .default_column("source", [] { return fixed_uid; });
  constexpr std::size_t n = 700;
  std::vector<Event> rows;
  for (std::size_t i = 0; i < n; ++i) {
    Event e;
    e.id = static_cast<std::int64_t>(i);
    if (i % 2 == 0) e.uid = fmt::format("00000000-0000-4000-8000-{:012}", i);
    if (i % 3 == 0) e.happened = test::timestamp(2001, 2, 3, 4, 5, 6, static_cast<std::int64_t>(i));
    if (i % 5 == 0) e.weight = -static_cast<std::int64_t>(i);
    rows.push_back(std::move(e));
  }
  const std::string before = test::timestamp_text(bulkinsert::now_utc());
  CHECK(BulkInserter{db.backend()}.insert(table, rows, test::with_chunk_rows<typename TestType::strategy>(250)).rows == n);
  const std::string after = test::timestamp_text(bulkinsert::now_utc());

  const auto r = db.rows(fmt::format("SELECT id, uid, {}, weight, {}, batch, source FROM events ORDER BY id",
                                     F::timestamp_text_sql("happened"), F::timestamp_text_sql("loaded_at")));
  REQUIRE(r.size() == n);
  std::set<std::string> generated;
  for (std::size_t i = 0; i < n; ++i) {
    INFO("row " << i);
    const auto& row = r[i];
    for (const auto& v : row) REQUIRE(v.has_value());
    const std::string& uid = *row[1];
    if (rows[i].uid) {
      CHECK(uid == *rows[i].uid);
    } else {
      // A version 4 UUID, different for every row.
      REQUIRE(uid.size() == 36);
      CHECK(uid[14] == '4');
      CHECK(std::string_view{"89ab"}.find(uid[19]) != std::string_view::npos);
      CHECK(generated.insert(uid).second);
    }
    const std::string& happened = *row[2];
    if (rows[i].happened) {
      CHECK(happened == test::timestamp_text(*rows[i].happened));
    } else {
      CHECK(happened >= before);  // ISO text compares in time order
      CHECK(happened <= after);
    }
    CHECK(row[3] == std::to_string(rows[i].weight ? *rows[i].weight : 42));
    CHECK(*row[4] >= before);
    CHECK(*row[4] <= after);
    CHECK(row[5] == "batch-7");
    CHECK(row[6] == fixed_uid);
  }
  CHECK(generated.size() == n / 2);
}

// --- parents then children -----------------------------------------------------------------------

namespace {

/// The article's schema with generated ids; the roles' ids start far from the users' positions.
template <class Fixture>
void create_linked_schema(Fixture& db) {
  db.exec(fmt::format("CREATE TABLE roles (id {}, name varchar(50) UNIQUE)", Fixture::types.auto_id));
  db.next_id_after("roles", 500);
  db.exec(fmt::format("CREATE TABLE users (id {}, username varchar(100) UNIQUE NOT NULL, email varchar(255), "
                      "created_at {}, role_id integer REFERENCES roles(id))",
                      Fixture::types.auto_id, Fixture::types.timestamp));
}

}  // namespace

CONFORMANCE_STRATEGY_TEST_CASE("insert_linked fills every child's foreign key from its parent's generated id",
                               "[linked]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  F db;
  create_linked_schema(db);
  const auto users = test::linked_users(F::per_row_waits && std::is_same_v<S, bulkinsert::PerRow> ? 500 : 5000);
  const auto linked = BulkInserter{db.backend()}.insert_linked(test::linked_role_table(), test::linked_roles(), "name",
                                                               "id", test::linked_user_table(), users, "role_id",
                                                               test::role_of, S{});
  CHECK(linked.parents.rows == 5);
  CHECK(linked.children.rows == users.size());
  CHECK(linked.children.rows_committed == users.size());
  REQUIRE(linked.ids.size() == 5);

  const auto roles = db.rows("SELECT name, id FROM roles");
  REQUIRE(roles.size() == 5);
  for (const auto& r : roles) {
    INFO(*r[0]);
    CHECK(std::to_string(linked.ids.at(*r[0])) == *r[1]);
    CHECK(std::stoll(*r[1]) > 500);
  }
  const auto got = db.rows("SELECT u.username, r.name FROM users u JOIN roles r ON r.id = u.role_id ORDER BY u.id");
  REQUIRE(got.size() == users.size());
  for (std::size_t i = 0; i < users.size(); ++i) {
    INFO("user " << i);
    REQUIRE(got[i][0] == users[i].username);
    REQUIRE(got[i][1] == users[i].role);
  }
  CHECK(db.count("users WHERE role_id IS NULL OR created_at IS NULL") == 0);
}

CONFORMANCE_STRATEGY_TEST_CASE("insert_linked with a child naming a missing parent leaves both tables empty",
                               "[linked]") {
  using S = typename TestType::strategy;
  typename TestType::fixture db;
  create_linked_schema(db);
  auto users = test::linked_users(1000);
  users[777].role = "nobody";
  BulkInserter ins{db.backend()};
  try {
    (void)ins.insert_linked(test::linked_role_table(), test::linked_roles(), "name", "id", test::linked_user_table(),
                            users, "role_id", test::role_of, S{});
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
  CHECK(ins.insert_linked(test::linked_role_table(), test::linked_roles(), "name", "id", test::linked_user_table(), users,
                          "role_id", test::role_of, S{})
            .children.rows == 1000);
  CHECK(db.count("users u JOIN roles r ON r.id = u.role_id") == 1000);
}

CONFORMANCE_TEST_CASE("insert_linked rejects a natural key that is not a parent column", "[linked]") {
  TestType db;
  create_linked_schema(db);
  CHECK_THROWS_AS(BulkInserter{db.backend()}.insert_linked(test::linked_role_table(), test::linked_roles(), "title", "id",
                                                           test::linked_user_table(), test::linked_users(3), "role_id",
                                                           test::role_of),
                  bulkinsert::InputError);
  CHECK(db.count("roles") == 0);
}

CONFORMANCE_TEST_CASE("insert_linked returns ids of parents that already exist through an upsert", "[linked][upsert]") {
  TestType db;
  create_linked_schema(db);
  db.exec("INSERT INTO roles (name) VALUES ('viewer')");  // id 501
  const auto parents = test::linked_role_table().on_conflict_update({"name"}, {"name"});
  const auto linked = BulkInserter{db.backend()}.insert_linked(parents, test::linked_roles(), "name", "id",
                                                               test::linked_user_table(), test::linked_users(50),
                                                               "role_id", test::role_of);
  CHECK(linked.ids.at("viewer") == 501);
  CHECK(db.count("roles") == 5);
  CHECK(db.count("users u JOIN roles r ON r.id = u.role_id") == 50);
}

// --- streaming -----------------------------------------------------------------------------------

CONFORMANCE_TEST_CASE("a million generated rows stream through multi_values in bounded memory", "[streaming]") {
  using F = TestType;
  F db;
  db.create_scratch(fmt::format("items (id {0}, name {1}, qty {0})", F::types.bigint, F::types.text));
  constexpr std::size_t n = 1'000'000;
  auto rows = test::single_pass<test::Item>(n, [](std::size_t i) { return test::item(i); });
  static_assert(std::ranges::input_range<decltype(rows)>);
  static_assert(!std::ranges::forward_range<decltype(rows)>);
  BulkInserter ins{db.backend()};
  const long baseline = test::reset_peak_rss_kib();
  const auto report = ins.insert(test::items_table(), rows, bulkinsert::MultiValues{});
  const long grew = test::peak_rss_kib() - baseline;
  INFO(fmt::format("{}; peak RSS grew by {} KiB", report, grew));
  CHECK(report.rows == n);
  CHECK(rows.read() == n);
  CHECK(grew < test::stream_growth_limit_kib);
  CHECK(db.rows("SELECT count(*), count(DISTINCT id), sum(id), sum(qty) FROM items") ==
        test::TextRows{{std::to_string(n), std::to_string(n), std::to_string(test::id_sum(n)),
                        std::to_string(static_cast<std::int64_t>(n / 1000) * 499'500)}});
  CHECK(db.count(fmt::format("items WHERE name <> {}", F::item_name_sql("id"))) == 0);
}

// --- insert_async --------------------------------------------------------------------------------

CONFORMANCE_TEST_CASE("insert_async returns a future of the report", "[async]") {
  using F = TestType;
  F db;
  db.exec(fmt::format("CREATE TABLE items (id {0} PRIMARY KEY, name {1}, qty {0})", F::types.bigint, F::types.text));
  BulkInserter ins{db.backend()};
  std::vector<test::Item> rows;
  for (std::size_t i = 0; i < 50'000; ++i) rows.push_back(test::item(i));
  SECTION("an lvalue range, the default strategy") {
    std::future<bulkinsert::Report> f = ins.insert_async(test::items_table(), rows);
    const bulkinsert::Report r = f.get();
    CHECK(r.rows == rows.size());
    CHECK(r.rows_committed == rows.size());
    CHECK(db.count("items") == 50'000);
  }
  SECTION("an rvalue range is moved into the task") {
    std::future<bulkinsert::Report> f;
    {
      std::vector<test::Item> mine(rows.begin(), rows.begin() + 20'000);
      f = ins.insert_async(test::items_table(), std::move(mine), bulkinsert::ExecuteMany{});
    }  // the caller's vector is gone
    CHECK(f.get().rows == 20'000);
    CHECK(db.count("items") == 20'000);
  }
  SECTION("a failure arrives through get() and nothing is left") {
    rows[42'000].id = 9;
    auto f = ins.insert_async(test::items_table(), rows, test::with_chunk_rows<typename F::default_strategy>(10'000));
    try {
      (void)f.get();
      FAIL("no exception");
    } catch (const bulkinsert::ChunkError& e) {
      CHECK(e.code() == F::codes.primary_key_violation);
      CHECK(e.chunk_index() == 4);
      CHECK(e.rows() == bulkinsert::RowRange{40'000, 50'000});
      CHECK(e.rows_committed() == 0);
    }
    CHECK(db.count("items") == 0);
    // The backend is free again once the future is ready.
    rows[42'000].id = 42'000;
    CHECK(ins.insert_async(test::items_table(), rows).get().rows == 50'000);
  }
  SECTION("an input error arrives through get()") {
    std::vector<bulkinsert::DynamicRow> short_rows{{bulkinsert::Value{std::int64_t{1}}, bulkinsert::Value{std::string{"a"}}}};
    const bulkinsert::Table<bulkinsert::DynamicRow> t{"items", {"id", "name", "qty"}};
    auto f = ins.insert_async(t, short_rows);
    CHECK_THROWS_AS(f.get(), bulkinsert::InputError);
    CHECK(db.count("items") == 0);
  }
}
