// Client-side defaults: bulk paths skip the defaults an ORM fills in, so a column can take its value
// from a generator while the row is encoded, without copying the rows. Here created_at falls back to
// the load's time where a row leaves it empty, and id and source are not in the rows at all.
#include <bulkinsert/sqlite.hpp>
#include <fmt/format.h>

#include <SQLiteCpp/Statement.h>

struct Event {
  std::string name;
  std::optional<bulkinsert::Timestamp> created_at;  // empty: filled in by now_utc
};

int main() {
  bulkinsert::SqliteBackend db{"client_defaults.db"};
  db.execute("DROP TABLE IF EXISTS events; CREATE TABLE events (id TEXT PRIMARY KEY, name TEXT, created_at TEXT, source TEXT)");
  const bulkinsert::Timestamp long_ago = std::chrono::sys_days{std::chrono::year{2020} / 1 / 1};
  std::vector<Event> rows;
  for (int i = 0; i < 10'000; ++i) rows.push_back({fmt::format("event {}", i), i % 2 == 0 ? std::optional{long_ago} : std::nullopt});

  const auto events = bulkinsert::Table<Event>{"events"}
                          .column("name", &Event::name)
                          .column("created_at", &Event::created_at, bulkinsert::now_utc)  // fallback when empty
                          .default_column("id", bulkinsert::uuid_v4)                      // not in the row at all
                          .default_column("source", [] { return "import"; });
  const bulkinsert::Report report = bulkinsert::BulkInserter{db}.insert(events, rows);
  fmt::print("{}\n", report);

  SQLite::Statement q{db.database(),
                      "SELECT count(DISTINCT id), sum(length(id) = 36), sum(created_at IS NULL), "
                      "sum(created_at LIKE '2020-01-01%'), sum(source = 'import') FROM events"};
  q.executeStep();
  const auto distinct_ids = q.getColumn(0).getInt64(), uuid_shaped = q.getColumn(1).getInt64(),
             without_time = q.getColumn(2).getInt64(), kept_time = q.getColumn(3).getInt64(),
             from_import = q.getColumn(4).getInt64();
  fmt::print("{} distinct uuid ids ({} of 36 characters), {} rows kept their own created_at, {} without one, "
             "{} with source 'import'\n",
             distinct_ids, uuid_shaped, kept_time, without_time, from_import);
  const bool ok = report.rows_committed == rows.size() && distinct_ids == 10'000 && uuid_shaped == 10'000 &&
                  without_time == 0 && kept_time == 5'000 && from_import == 10'000;
  return ok ? 0 : 1;
}
