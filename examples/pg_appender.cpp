// The Appender: rows pushed one at a time, as an event consumer produces them, into PostgreSQL's COPY.
// 200,000 events of 1 KiB each (195 MiB of text) never exist at once: each is made, appended and
// forgotten. Chunks end at 16 MiB of values (InsertOptions::max_chunk_bytes) before they reach copy's
// 50,000 rows, so the program's peak memory stays far below the data's size; it prints how much it grew.
#include <bulkinsert/postgres.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include <string>

#include "pg_connection.hpp"

struct Event {
  std::int64_t id;
  std::string payload;
};

static long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// AddressSanitizer's quarantine (256 MiB by default) keeps freed chunks, so its peak says nothing about
// the load; the plain build checks the 64 MiB claim. GCC says ASan is on with __SANITIZE_ADDRESS__,
// clang with __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool under_asan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool under_asan = true;
#else
constexpr bool under_asan = false;
#endif
#else
constexpr bool under_asan = false;
#endif
constexpr long growth_limit_kib = (under_asan ? 1024 : 64) * 1024;

int main(int argc, char** argv) {
  bulkinsert::PostgresBackend db{pg_conninfo(argc, argv)};
  db.execute("DROP TABLE IF EXISTS example_events; CREATE TABLE example_events (id bigint PRIMARY KEY, payload text NOT NULL)");
  const auto events = bulkinsert::Table<Event>{"example_events"}.column("id", &Event::id).column("payload", &Event::payload);

  const long before = peak_rss_kib();
  bulkinsert::Appender app{db, events};  // the backend's default strategy: copy
  for (std::int64_t i = 0; i < 200'000; ++i) app.append(Event{i, std::string(1024, static_cast<char>('a' + i % 26))});
  const bulkinsert::Report report = app.close();
  const long grew = peak_rss_kib() - before;

  fmt::print("{}\npeak memory grew by {} KiB\n", report, grew);
  return report.rows == 200'000 && report.rows_committed == 200'000 && grew < growth_limit_kib ? 0 : 1;
}
