// Generated ids back in input order: ids[i] belongs to input row i, guaranteed by sending one
// (pipelined) statement per row rather than trusting the order of a multi-row RETURNING.
#include <bulkinsert/postgres.hpp>
#include <fmt/format.h>

#include "pg_connection.hpp"

struct Order {
  std::string customer;
  std::int64_t cents;
};

int main(int argc, char** argv) {
  bulkinsert::PostgresBackend db{pg_conninfo(argc, argv)};
  db.execute("DROP TABLE IF EXISTS example_orders; CREATE TABLE example_orders (id bigserial PRIMARY KEY, customer text, cents bigint)");
  std::vector<Order> orders;
  for (int i = 0; i < 50'000; ++i) orders.push_back({fmt::format("customer-{}", i % 977), i * 10});

  bulkinsert::BulkInserter ins{db};
  const auto table = bulkinsert::Table<Order>{"example_orders"}.column("customer", &Order::customer).column("cents", &Order::cents);
  const bulkinsert::Returned result = ins.insert_returning(table, orders, {"id", "cents"});
  fmt::print("{}\n", result.report);
  for (std::size_t i = 0; i < orders.size(); ++i)
    if (std::get<std::int64_t>(result.rows[i][1]) != orders[i].cents) return 1;
  fmt::print("row 0 got id {}, row {} got id {}\n", std::get<std::int64_t>(result.rows.front()[0]), orders.size() - 1,
             std::get<std::int64_t>(result.rows.back()[0]));
}
