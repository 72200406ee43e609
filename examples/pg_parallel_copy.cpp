// Parallel loading over several connections, like timescaledb-parallel-copy: the calling thread reads
// the rows and deals chunks to the workers, each with its own connection and transaction.
#include <bulkinsert/postgres.hpp>
#include <fmt/format.h>

#include "pg_connection.hpp"

struct Reading {
  std::int64_t sensor;
  bulkinsert::Timestamp at;
  double value;
};

int main(int argc, char** argv) {
  const std::string conninfo = pg_conninfo(argc, argv);
  bulkinsert::PostgresBackend setup{conninfo};
  setup.execute("DROP TABLE IF EXISTS example_readings; CREATE TABLE example_readings (sensor bigint, at timestamptz, value float8)");
  const auto table = bulkinsert::Table<Reading>{"example_readings"}
                         .column("sensor", &Reading::sensor)
                         .column("at", &Reading::at)
                         .column("value", &Reading::value);
  std::vector<Reading> rows;
  const bulkinsert::Timestamp start{std::chrono::seconds{1'700'000'000}};
  for (std::int64_t i = 0; i < 400'000; ++i) rows.push_back({i % 100, start + std::chrono::seconds{i}, 0.5 * static_cast<double>(i)});

  bulkinsert::ParallelInserter<bulkinsert::PostgresBackend> parallel{
      [&] { return std::make_unique<bulkinsert::PostgresBackend>(conninfo); }, 2};
  const auto report = parallel.insert(table, rows, bulkinsert::Copy{.rows_per_chunk = 20'000});
  fmt::print("{} workers: {}\n", parallel.workers(), report);
  return report.rows_committed == rows.size() ? 0 : 1;
}
