#include <bulkinsert/sqlite.hpp>
#include <fmt/format.h>

struct User {
  std::string username;
  std::string email;
  bulkinsert::Timestamp created_at;
};

int main() {
  bulkinsert::SqliteBackend db{"quickstart.db"};
  db.execute("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, username TEXT UNIQUE, email TEXT, created_at TEXT)");
  db.execute("DELETE FROM users");
  const auto users = bulkinsert::Table<User>{"users"}
                         .column("username", &User::username)
                         .column("email", &User::email)
                         .column("created_at", &User::created_at);
  const auto now = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
  std::vector<User> rows;
  for (int i = 0; i < 100'000; ++i) rows.push_back({fmt::format("user{}", i), fmt::format("user{}@example.com", i), now});
  bulkinsert::BulkInserter inserter{db};
  const bulkinsert::Report report = inserter.insert(users, rows);  // SQLite's default strategy: multi_values
  fmt::print("{}\n", report);
}
