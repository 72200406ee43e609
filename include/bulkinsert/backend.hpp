#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chunk.hpp"
#include "dialect.hpp"
#include "planner.hpp"

namespace bulkinsert {

/// One column of a table, as the database's own catalog describes it.
struct ColumnInfo {
  std::string name;
  std::string type;            ///< the declared type, as the database spells it ("character varying(100)", "TEXT")
  Kind kind = Kind::text;      ///< the value kind that holds this column's values exactly; text for types
                               ///< bulkinsert does not know (numeric, uuid, json), which the database parses itself
  bool not_null = false;       ///< NOT NULL
  bool has_default = false;    ///< a DEFAULT, identity or generated value the database fills in when the column is omitted
  std::uint32_t type_id = 0;   ///< the database's type id (PostgreSQL's OID); 0 where there is none (SQLite)
};

/// A database connection bulkinsert can load through. A backend is the only code that talks to a
/// driver; it supplies limits, transactions, and four ways to run a parameterised INSERT:
///
/// - `prepare(sql)`: a statement prepared once on this connection and cached by its text;
/// - `run(stmt, chunk)`: execute it once with all of the chunk's values, row after row;
/// - `run_each(stmt, chunk, sink)`: execute it once per row (it binds one row); a backend may pipeline;
/// - `run_once(sql, chunk, sink)`: parse, bind and execute unprepared, once, waiting for the reply.
/// Rows a statement returns go to `sink` (may be null), in order, tagged with the chunk row that returned them.
/// - `describe(table)`: the table's columns from the catalog, in table order (throws if it does not exist).
template <class B>
concept backend = requires(B& b, const B& cb, std::string_view sql, const Chunk& chunk,
                           const typename B::statement_type& stmt, const TableSpec& spec,
                           const RowSink* sink) {
  requires dialect<typename B::dialect_type>;
  typename B::default_strategy;
  { B::name } -> std::convertible_to<std::string_view>;
  { cb.limits() } -> std::same_as<Limits>;
  b.begin();
  b.commit();
  { b.rollback() } noexcept;
  b.execute(sql);
  { b.prepare(sql) } -> std::same_as<const typename B::statement_type&>;
  { b.run(stmt, chunk) } -> std::same_as<SendStats>;
  { b.run_each(stmt, chunk, sink) } -> std::same_as<SendStats>;
  { b.run_once(sql, chunk, sink) } -> std::same_as<SendStats>;
  { b.describe(spec) } -> std::same_as<std::vector<ColumnInfo>>;
};

/// A backend that streams rows with COPY ... FROM STDIN.
template <class B>
concept copy_capable = backend<B> && requires(B& b, const Chunk& chunk) {
  { b.copy_in(chunk) } -> std::same_as<SendStats>;
};

}  // namespace bulkinsert
