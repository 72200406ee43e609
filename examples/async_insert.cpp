// insert_async: the load runs on a thread of its own while this one goes on; the connection belongs to
// that work until the future is ready.
#include <bulkinsert/sqlite.hpp>
#include <fmt/format.h>

struct Line {
  std::int64_t n;
  std::string text;
};

int main() {
  bulkinsert::SqliteBackend db{"async.db"};
  db.execute("DROP TABLE IF EXISTS lines; CREATE TABLE lines (n INTEGER, text TEXT)");
  std::vector<Line> lines;
  for (int i = 0; i < 200'000; ++i) lines.push_back({i, fmt::format("line {}", i)});
  const auto table = bulkinsert::Table<Line>{"lines"}.column("n", &Line::n).column("text", &Line::text);

  bulkinsert::BulkInserter ins{db};
  std::future<bulkinsert::Report> pending = ins.insert_async(table, lines);
  fmt::print("loading in the background...\n");
  const bulkinsert::Report report = pending.get();  // rethrows whatever the load threw
  fmt::print("{}\n", report);
  return report.rows_committed == lines.size() ? 0 : 1;
}
