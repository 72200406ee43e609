// Every built-in strategy of every backend, for every row kind, on the article's roles/users schema,
// plus a user-defined strategy, the concepts that gate strategies, and choosing one by name.

#include <catch2/catch.hpp>

#include <ranges>
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/generated.hpp"
#include "support/schema.hpp"

using bulkinsert::BulkInserter;

namespace {

template <class Fixture, class Kind, class Strategy>
void load_and_compare(std::size_t n, std::size_t chunk_rows) {
  Fixture db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};

  const auto roles = test::roles_as<Kind>();
  CHECK(inserter.insert(Kind::roles_table(), roles, test::with_chunk_rows<Strategy>(chunk_rows)).rows ==
        test::role_count);

  const std::vector<test::User> expected = test::users(n);
  const auto rows = test::users_as<Kind>(expected);
  const auto report = inserter.insert(Kind::users_table(), rows, test::with_chunk_rows<Strategy>(chunk_rows));

  const std::size_t chunks = test::chunks_for(n, chunk_rows);
  CHECK(report.strategy == Strategy::name);
  CHECK(report.rows == n);
  CHECK(report.rows_committed == n);
  CHECK(report.chunks == chunks);
  CHECK(report.statements == test::expected_statements<Strategy>(n, chunks, Fixture::batches_execute_many));
  CHECK(report.bytes > 0);

  const auto got = db.read_users();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < n; ++i) {
    INFO("row " << i);
    REQUIRE(got[i] == test::expected_read(expected[i]));
  }
  db.check_users_stored(expected);
  // NULL and the empty string stay apart.
  CHECK(db.count("users WHERE email IS NULL") == static_cast<std::int64_t>((n + 6) / 7));
  CHECK(db.count("users WHERE email = ''") > 0);
}

}  // namespace

CONFORMANCE_STRATEGY_TEST_CASE("strategy loads the roles and users schema", "[strategy]") {
  using F = typename TestType::fixture;
  using S = typename TestType::strategy;
  // 1,000 rows in chunks of 300: three full chunks and a short last one (two statement shapes).
  SECTION("struct rows") { load_and_compare<F, test::StructRows, S>(1000, 300); }
  SECTION("tuple rows") { load_and_compare<F, test::TupleRows, S>(1000, 300); }
  SECTION("dynamic rows") { load_and_compare<F, test::DynamicRows, S>(1000, 300); }
}

CONFORMANCE_STRATEGY_TEST_CASE("strategy with default chunk sizes loads users", "[strategy]") {
  using S = typename TestType::strategy;
  typename TestType::fixture db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), S{});
  const auto expected = test::users(2500);
  const auto report = inserter.insert(test::StructRows::users_table(), expected, S{});
  CHECK(report.rows == 2500);
  const auto got = db.read_users();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) REQUIRE(got[i] == test::expected_read(expected[i]));
}

CONFORMANCE_STRATEGY_TEST_CASE("strategy with empty input sends nothing", "[strategy]") {
  using S = typename TestType::strategy;
  typename TestType::fixture db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  SECTION("struct rows") {
    const auto r = inserter.insert(test::StructRows::users_table(), std::vector<test::User>{}, S{});
    CHECK(r.rows == 0);
    CHECK(r.chunks == 0);
    CHECK(r.statements == 0);
    CHECK(r.bytes == 0);
    CHECK(r.rows_committed == 0);
  }
  SECTION("tuple rows") {
    const auto r = inserter.insert(test::TupleRows::users_table(), std::vector<test::UserTuple>{}, S{});
    CHECK(r.rows == 0);
    CHECK(r.statements == 0);
  }
  SECTION("dynamic rows") {
    const auto r = inserter.insert(test::DynamicRows::users_table(), std::vector<bulkinsert::DynamicRow>{}, S{});
    CHECK(r.rows == 0);
    CHECK(r.statements == 0);
  }
  CHECK(db.count("users") == 0);
}

CONFORMANCE_STRATEGY_TEST_CASE("strategy inserts one row", "[strategy]") {
  using S = typename TestType::strategy;
  typename TestType::fixture db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), S{});
  const auto two = test::users(2);  // user 1 has every column set
  auto one_row = [&]<class Kind>(Kind) {
    const auto rows = test::users_as<Kind>({two[1]});
    const auto r = inserter.insert(Kind::users_table(), rows, S{});
    CHECK(r.rows == 1);
    CHECK(r.chunks == 1);
    CHECK(r.statements == 1);
  };
  SECTION("struct rows") { one_row(test::StructRows{}); }
  SECTION("tuple rows") { one_row(test::TupleRows{}); }
  SECTION("dynamic rows") { one_row(test::DynamicRows{}); }
  const auto got = db.read_users();
  REQUIRE(got.size() == 1);
  CHECK(got[0] == test::expected_read(two[1]));
}

CONFORMANCE_STRATEGY_TEST_CASE("strategy quotes names that need quoting", "[strategy]") {
  using F = typename TestType::fixture;
  F db;
  db.exec(fmt::format(R"(CREATE TABLE "We""ird; DROP TABLE x" ("select" {}, "Mixed Case" {}, "naïve" {}))",
                      F::types.bigint, F::types.text, F::types.text));
  using Row = std::tuple<std::int64_t, std::string, std::string>;
  const std::vector<Row> rows{{1, "a", "b"}, {2, "c", "d"}};
  const bulkinsert::Table<Row> table{"We\"ird; DROP TABLE x", {"select", "Mixed Case", "naïve"}};
  CHECK(BulkInserter{db.backend()}.insert(table, rows, typename TestType::strategy{}).rows == 2);
  std::string joined;
  for (const auto& r : db.rows(R"(SELECT "select", "Mixed Case", "naïve" FROM "We""ird; DROP TABLE x" ORDER BY "select")"))
    joined += (joined.empty() ? "" : ",") + r[0].value() + r[1].value() + r[2].value();
  CHECK(joined == "1ab,2cd");
}

CONFORMANCE_STRATEGY_TEST_CASE("strategy reads rows from a single pass input range", "[strategy]") {
  // A view yielding temporaries: the inserter must buffer one chunk at a time.
  using S = typename TestType::strategy;
  const std::size_t n = GENERATE(333, 777);
  typename TestType::fixture db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), S{});
  auto rows = test::generated(n, [](std::size_t i) { return test::user(i); });
  const auto r = inserter.insert(test::StructRows::users_table(), rows, test::with_chunk_rows<S>(100));
  CHECK(r.rows == n);
  CHECK(r.chunks == test::chunks_for(n, 100));
  const auto got = db.read_users();
  REQUIRE(got.size() == n);
  for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == test::expected_read(test::user(i)));
}

CONFORMANCE_TEST_CASE("a user defined strategy runs", "[strategy]") {
  STATIC_REQUIRE(bulkinsert::strategy_for<test::LoggingMultiValues, typename TestType::backend_type>);
  TestType db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  std::vector<std::size_t> log;
  (void)inserter.insert(test::StructRows::roles_table(), test::roles(), test::LoggingMultiValues{.rows = 7, .log = &log});
  CHECK(log == std::vector<std::size_t>{5});
  log.clear();
  const auto expected = test::users(30);
  const auto r = inserter.insert(test::StructRows::users_table(), expected, test::LoggingMultiValues{.rows = 7, .log = &log});
  CHECK(r.strategy == "logging_multi_values");
  CHECK(r.rows == 30);
  CHECK(r.chunks == 5);
  CHECK(r.statements == 5);
  CHECK(log == std::vector<std::size_t>{7, 7, 7, 7, 2});
  const auto got = db.read_users();
  REQUIRE(got.size() == 30);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == test::expected_read(expected[i]));
}

CONFORMANCE_TEST_CASE("a user defined copy strategy runs where the backend has copy", "[strategy]") {
  using B = typename TestType::backend_type;
  STATIC_REQUIRE(bulkinsert::strategy_for<test::CopyOnly, B> == bulkinsert::copy_capable<B>);
  if constexpr (bulkinsert::copy_capable<B>) {
    TestType db;
    db.create_roles_users();
    BulkInserter inserter{db.backend()};
    (void)inserter.insert(test::StructRows::roles_table(), test::roles(), test::CopyOnly{});
    const auto r = inserter.insert(test::StructRows::users_table(), test::users(250), test::CopyOnly{});
    CHECK(r.strategy == "copy_only");
    CHECK(r.chunks == 3);
    CHECK(r.statements == 3);
    CHECK(db.count("users") == 250);
  }
}

namespace {

/// The names of a fixture's strategies, as available_strategies() lists them.
template <class... S>
std::string names_of(std::tuple<S...>*) {
  std::string out;
  ((out += (out.empty() ? "" : ", ") + std::string{S::name}), ...);
  return out;
}

template <class B, class... S>
constexpr bool has_all(std::tuple<S...>*) {
  return (bulkinsert::strategy_for<S, B> && ...);
}

template <class Fixture>
std::string strategy_names() {
  return names_of(static_cast<typename Fixture::strategies*>(nullptr));
}

}  // namespace

CONFORMANCE_TEST_CASE("strategy concepts", "[concepts]") {
  using B = typename TestType::backend_type;
  using strategies = typename TestType::strategies;
  STATIC_REQUIRE(bulkinsert::backend<B>);
  STATIC_REQUIRE(has_all<B>(static_cast<strategies*>(nullptr)));
  STATIC_REQUIRE(bulkinsert::strategy_for<bulkinsert::PerRow, B>);
  STATIC_REQUIRE(bulkinsert::strategy_for<bulkinsert::MultiValues, B>);
  STATIC_REQUIRE(bulkinsert::strategy_for<bulkinsert::ExecuteMany, B>);
  // Copy is there exactly when the backend can COPY, and only then is it in the fixture's list.
  STATIC_REQUIRE(bulkinsert::strategy_for<bulkinsert::Copy, B> == bulkinsert::copy_capable<B>);
  STATIC_REQUIRE_FALSE(bulkinsert::strategy_for<int, B>);
  CHECK(bulkinsert::available_strategies<B>() == strategy_names<TestType>());
}

CONFORMANCE_TEST_CASE("strategy chosen by name", "[strategy]") {
  using B = typename TestType::backend_type;
  TestType db;
  db.create_roles_users();
  BulkInserter inserter{db.backend()};
  const auto table = test::StructRows::roles_table();
  const auto rows = test::roles();
  const std::string available = strategy_names<TestType>();

  SECTION("every available name works") {
    std::int64_t id = 0;
    [&]<class... S>(std::tuple<S...>*) {
      (
          [&] {
            const std::vector<test::Role> batch{{++id, std::string{S::name}}};
            const auto r = inserter.insert(table, batch, S::name);
            CHECK(r.strategy == S::name);
            CHECK(r.rows == 1);
          }(),
          ...);
    }(static_cast<typename TestType::strategies*>(nullptr));
    CHECK(db.count("roles") == static_cast<std::int64_t>(std::tuple_size_v<typename TestType::strategies>));
  }
  SECTION("an unknown name is refused and lists what the backend has") {
    for (const std::string_view name : {"bulk_magic", "COPY"}) {
      try {
        (void)inserter.insert(table, rows, name);
        FAIL("an unknown strategy was accepted");
      } catch (const bulkinsert::UnsupportedStrategy& e) {
        CHECK_THAT(std::string{e.what()}, Catch::Contains(fmt::format("\"{}\"", name)) && Catch::Contains(available));
      }
    }
    CHECK(db.count("roles") == 0);
  }
  if constexpr (!bulkinsert::copy_capable<B>) {
    SECTION("copy is refused and the message lists what the backend has") {
      try {
        (void)inserter.insert(table, rows, std::string_view{"copy"});
        FAIL("copy was accepted");
      } catch (const bulkinsert::UnsupportedStrategy& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("\"copy\""));
        CHECK_THAT(what, Catch::Contains(available));
      }
      CHECK(db.count("roles") == 0);
    }
  }
  SECTION("the default strategy") {
    STATIC_REQUIRE(std::is_same_v<typename B::default_strategy, typename TestType::default_strategy>);
    const auto r = inserter.insert(table, rows);
    CHECK(r.strategy == B::default_strategy::name);
    CHECK(db.count("roles") == static_cast<std::int64_t>(test::role_count));
  }
}
