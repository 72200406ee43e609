// The Appender: rows pushed one at a time go through the same load as insert(), with every policy.

#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

#include <bulkinsert/appender.hpp>

#include "support/backends.hpp"
#include "support/schema.hpp"

namespace {

struct Item {
  std::int64_t id = 0;
  std::string body;
};

const auto items = bulkinsert::Table<Item>{"items"}.column("id", &Item::id).column("body", &Item::body);

template <class Fixture>
void create_items(Fixture& db) {
  db.exec(fmt::format("CREATE TABLE items (id {} PRIMARY KEY, body {} NOT NULL)", Fixture::types.bigint,
                      Fixture::types.text));
}

Item item(std::int64_t i) { return {i, fmt::format("item {}", i)}; }

}  // namespace

CONFORMANCE_STRATEGY_TEST_CASE("appender sends pushed rows in chunks and commits on close", "[appender]") {
  using S = typename TestType::strategy;
  typename TestType::fixture db;
  create_items(db);
  bulkinsert::Appender app{db.backend(), items, test::with_chunk_rows<S>(100)};
  for (std::int64_t i = 0; i < 1050; ++i) app.append(item(i));
  CHECK(app.pending() == 50);  // ten chunks sent, the eleventh still filling
  const bulkinsert::Report report = app.close();
  CHECK(report.strategy == S::name);
  CHECK(report.rows == 1050);
  CHECK(report.rows_committed == 1050);
  CHECK(report.chunks == 11);
  CHECK(db.count("items") == 1050);
  CHECK(db.scalar("SELECT sum(id) FROM items") == 1049 * 1050 / 2);
  CHECK_THROWS_WITH(app.append(item(5000)), Catch::Contains("closed"));
}

CONFORMANCE_TEST_CASE("an appender nobody closed commits, unless an exception is unwinding", "[appender]") {
  TestType db;
  create_items(db);
  {
    bulkinsert::Appender app{db.backend(), items};
    for (std::int64_t i = 0; i < 10; ++i) app.append(item(i));
  }
  CHECK(db.count("items") == 10);
  try {
    bulkinsert::Appender app{db.backend(), items};
    for (std::int64_t i = 10; i < 20; ++i) app.append(item(i));
    app.flush();  // sent, inside the load's transaction
    throw std::runtime_error{"the producer failed"};
  } catch (const std::runtime_error&) {
  }
  CHECK(db.count("items") == 10);
}

CONFORMANCE_TEST_CASE("an appender that failed drops its rows, rolls back, and refuses further calls", "[appender]") {
  TestType db;
  create_items(db);
  bulkinsert::Appender app{db.backend(), items};
  app.append(item(1));
  app.append(item(1));  // the same key twice in one chunk
  CHECK_THROWS_AS(app.close(), bulkinsert::ChunkError);
  CHECK(db.count("items") == 0);
  CHECK_THROWS_WITH(app.append(item(2)), Catch::Contains("stopped after an error"));
  CHECK(app.pending() == 0);
}

CONFORMANCE_TEST_CASE("an appender keeps checkpoints and resumes an import exactly", "[appender][resume]") {
  using S = typename TestType::default_strategy;
  TestType db;
  create_items(db);
  const bulkinsert::InsertOptions options{.checkpoint_every_chunks = 1, .import_id = "appender-import"};
  auto first_run = [&] {
    bulkinsert::Appender app{db.backend(), items, test::with_chunk_rows<S>(10), options};
    // Row 17 repeats row 3's key: the append that fills the second chunk sends it, and throws.
    for (std::int64_t i = 0; i < 25; ++i) app.append(item(i == 17 ? 3 : i));
    (void)app.close();
  };
  CHECK_THROWS_AS(first_run(), bulkinsert::ChunkError);
  CHECK(db.count("items") == 10);  // the first chunk's checkpoint
  bulkinsert::Appender app{db.backend(), items, test::with_chunk_rows<S>(10), options};
  for (std::int64_t i = 0; i < 25; ++i) app.append(item(i));
  const auto report = app.close();
  CHECK(report.rows_skipped == 10);
  CHECK(report.rows == 15);
  CHECK(db.count("items") == 25);
  CHECK(db.scalar("SELECT sum(id) FROM items") == 24 * 25 / 2);
}

CONFORMANCE_TEST_CASE("an appender rejects refused rows and counts them apart", "[appender][rejects]") {
  TestType db;
  create_items(db);
  std::vector<std::size_t> rejected;
  bulkinsert::InsertOptions options{.max_rejects = 5};
  options.on_reject = [&](const bulkinsert::RejectedRow& r) { rejected.push_back(r.input_row); };
  bulkinsert::Appender app{db.backend(), items, typename TestType::default_strategy{}, options};
  for (std::int64_t i = 0; i < 100; ++i) app.append(item(i == 40 ? 7 : i));
  const auto report = app.close();
  CHECK(rejected == std::vector<std::size_t>{40});
  CHECK(report.rows_rejected == 1);
  CHECK(report.rows == 99);
  CHECK(report.rows_committed == 99);
  CHECK(db.count("items") == 99);
}

CONFORMANCE_TEST_CASE("chunks end at the byte budget before their row count", "[appender][chunk]") {
  TestType db;
  create_items(db);
  // Each row counts 8 bytes for its id and 1,000 for its text: ten rows reach 10,000 bytes.
  bulkinsert::Appender app{db.backend(), items, typename TestType::default_strategy{},
                           bulkinsert::InsertOptions{.max_chunk_bytes = 10'000}};
  for (std::int64_t i = 0; i < 100; ++i) app.append(Item{i, std::string(1000, 'x')});
  const auto report = app.close();
  CHECK(report.chunks == 10);
  CHECK(db.count("items") == 100);
}
