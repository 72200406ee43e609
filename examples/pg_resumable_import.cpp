// An exactly-once, resumable import: checkpoints every 10 chunks record their progress in the same
// transaction as the rows. The first run fails part-way (a duplicate key); after the bad row is fixed,
// the second run skips exactly the committed rows, and the table ends equal to the input.
#include <bulkinsert/postgres.hpp>
#include <fmt/format.h>

#include "pg_connection.hpp"

struct Event {
  std::int64_t id;
  std::string payload;
};

int main(int argc, char** argv) {
  bulkinsert::PostgresBackend db{pg_conninfo(argc, argv)};
  db.execute("DROP TABLE IF EXISTS example_events; CREATE TABLE example_events (id bigint PRIMARY KEY, payload text)");
  // One id per import; a rerun with the same id and input would skip everything already committed.
  const std::string import_id = fmt::format("example-events-{}", bulkinsert::now_utc().time_since_epoch().count());
  std::vector<Event> events;
  for (std::int64_t i = 0; i < 200'000; ++i) events.push_back({i, fmt::format("event {}", i)});
  events[123'456].id = 7;  // a duplicate key, as a bad input file would have

  const auto table = bulkinsert::Table<Event>{"example_events"}.column("id", &Event::id).column("payload", &Event::payload);
  bulkinsert::BulkInserter ins{db, {.checkpoint_every_chunks = 10, .import_id = import_id}};
  try {
    (void)ins.insert(table, events, bulkinsert::MultiValues{});
  } catch (const bulkinsert::ChunkError& e) {
    fmt::print("first run: {}\n", e.what());
  }
  events[123'456].id = 123'456;
  const auto report = ins.insert(table, events, bulkinsert::MultiValues{});
  fmt::print("second run: {}\n", report);
  return report.rows + report.rows_skipped == events.size() ? 0 : 1;
}
