// The article's roles and users: insert the roles, learn their generated ids by name, and insert the
// users with role_id filled in from that map, in one call and one transaction.
#include <bulkinsert/postgres.hpp>
#include <fmt/format.h>

#include "pg_connection.hpp"

struct Role {
  std::string name;
};
struct User {
  std::string username;
  std::string email;
  std::string role;  // the natural key of the parent
};

int main(int argc, char** argv) {
  bulkinsert::PostgresBackend db{pg_conninfo(argc, argv)};
  db.execute(
      "DROP TABLE IF EXISTS example_users; DROP TABLE IF EXISTS example_roles;"
      "CREATE TABLE example_roles (id serial PRIMARY KEY, name varchar(50) UNIQUE);"
      "CREATE TABLE example_users (id serial PRIMARY KEY, username varchar(100) UNIQUE NOT NULL, email varchar(255),"
      " created_at timestamp, role_id int REFERENCES example_roles(id))");
  const std::vector<Role> roles{{"admin"}, {"editor"}, {"viewer"}};
  std::vector<User> users;
  for (int i = 0; i < 30'000; ++i) users.push_back({fmt::format("user{}", i), fmt::format("user{}@example.com", i), roles[i % 3].name});

  const auto role_table = bulkinsert::Table<Role>{"example_roles"}.column("name", &Role::name);
  const auto user_table = bulkinsert::Table<User>{"example_users"}
                              .column("username", &User::username)
                              .column("email", &User::email)
                              .default_column("created_at", bulkinsert::now_utc);
  bulkinsert::BulkInserter ins{db};
  const auto linked = ins.insert_linked(role_table, roles, "name", "id", user_table, users, "role_id",
                                        [](const User& u) -> std::string_view { return u.role; });
  fmt::print("roles: {}\nusers: {}\n", linked.parents, linked.children);
  for (const auto& [name, id] : linked.ids) fmt::print("  {} -> {}\n", name, id);
  return linked.ids.size() == 3 ? 0 : 1;
}
