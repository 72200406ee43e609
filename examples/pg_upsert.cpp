// Upserts: ON CONFLICT DO UPDATE through multi_values, and the same at COPY speed (COPY into a staging
// table, then one INSERT ... SELECT ... ON CONFLICT), then ON CONFLICT DO NOTHING with the report's count.
#include <bulkinsert/postgres.hpp>
#include <fmt/format.h>

#include "pg_connection.hpp"

struct Price {
  std::string sku;
  double price;
};

int main(int argc, char** argv) {
  bulkinsert::PostgresBackend db{pg_conninfo(argc, argv)};
  db.execute("DROP TABLE IF EXISTS example_prices; CREATE TABLE example_prices (sku text PRIMARY KEY, price float8 NOT NULL)");
  std::vector<Price> prices;
  for (int i = 0; i < 100'000; ++i) prices.push_back({fmt::format("sku-{}", i), 1.0 + i});

  bulkinsert::BulkInserter ins{db};
  const auto table = bulkinsert::Table<Price>{"example_prices"}.column("sku", &Price::sku).column("price", &Price::price);
  fmt::print("load:            {}\n", ins.insert(table, prices));

  for (auto& p : prices) p.price *= 2;
  const auto upsert = bulkinsert::Table<Price>{table}.on_conflict_update({"sku"}, {"price"});
  const auto by_values = ins.insert(upsert, prices, bulkinsert::multi_values);
  fmt::print("upsert (values): {}\n", by_values);
  for (auto& p : prices) p.price += 1;
  prices.push_back({"sku-upserted", 3.0});
  const auto by_copy = ins.insert(upsert, prices, bulkinsert::copy);
  fmt::print("upsert (copy):   {} ({} inserted)\n", by_copy, by_copy.rows_inserted().value_or(0));
  prices.pop_back();
  if (by_values.rows_updated != prices.size() || by_copy.rows_updated != prices.size()) return 1;

  prices.push_back({"sku-new", 7.0});
  const auto skip = bulkinsert::Table<Price>{table}.on_conflict_do_nothing({"sku"});
  const auto report = ins.insert(skip, prices);
  fmt::print("do nothing:      {} rows sent, {} inserted, {} already there\n", report.rows, report.rows_affected,
             report.rows - report.rows_affected);
  return report.rows_affected == 1 ? 0 : 1;
}
