#pragma once

#include <chrono>
#include <concepts>
#include <string_view>
#include <vector>

#include "catalog.hpp"
#include "chunk.hpp"
#include "dialect.hpp"
#include "planner.hpp"

namespace bulkinsert {

/// A database connection bulkinsert can load through: the only code that talks to a driver. This header
/// is the whole contract; a new backend is one header that meets `backend` and whichever optional
/// capabilities below its database has (see the README's "Writing a backend").
///
/// Required:
/// - `dialect_type` (a `dialect`), `default_strategy` (used when the caller names none), `name`;
/// - `limits()`: what one statement may carry, read from the live connection;
/// - `begin()`, `commit()`, `rollback() noexcept`: one transaction at a time;
/// - `execute(sql)`: SQL without parameters (DDL, savepoints), inside the open transaction if any;
/// - `prepare(sql)`: a statement prepared once on this connection and cached by its text;
/// - `run(stmt, chunk, sink)`: execute it once with all of the chunk's values, row after row;
/// - `run_each(stmt, chunk, sink)`: execute it once per row (it binds one row); a backend may pipeline;
/// - `run_once(sql, chunk, sink)`: parse, bind and execute unprepared, once, waiting for the reply.
/// Rows a statement returns go to `sink` (may be null), in order, tagged with the input row that returned them.
///
/// Errors: every failure of the database is a DatabaseError carrying the database's own code and the
/// ErrorKind the backend reads from it (a row's values refused, the connection lost, a commit in doubt,
/// a lock wait timed out): the load engine acts on the kind and never reads a code. A value that
/// cannot be sent exactly is an InputError naming its row and column (Chunk::describe), thrown before
/// the statement that would carry it is sent.
template <class B>
concept backend = requires(B& b, const B& cb, std::string_view sql, const Chunk& chunk,
                           const typename B::statement_type& stmt, const RowSink* sink) {
  requires dialect<typename B::dialect_type>;
  typename B::default_strategy;
  { B::name } -> std::convertible_to<std::string_view>;
  { cb.limits() } -> std::same_as<Limits>;
  b.begin();
  b.commit();
  { b.rollback() } noexcept;
  b.execute(sql);
  { b.prepare(sql) } -> std::same_as<const typename B::statement_type&>;
  { b.run(stmt, chunk, sink) } -> std::same_as<SendStats>;
  { b.run_each(stmt, chunk, sink) } -> std::same_as<SendStats>;
  { b.run_once(sql, chunk, sink) } -> std::same_as<SendStats>;
};

/// Reads a table's columns from the database's catalog, in table order, throwing DatabaseError if the
/// table does not exist: what load_csv needs to convert text to each column's type.
template <class B>
concept catalog_reader = backend<B> && requires(B& b, const TableSpec& spec) {
  { b.describe(spec) } -> std::same_as<std::vector<ColumnInfo>>;
};

/// Refuses a chunk's unsendable values (InputError naming row and column) without sending anything:
/// strategies that send one statement per row call it first, so that a bad row stops the chunk before
/// its first row is written, as a statement carrying the whole chunk would.
template <class B>
concept value_checker = backend<B> && requires(B& b, const Chunk& chunk) { b.check_values(chunk); };

/// Bounds how long a statement waits for a lock, for the session; ParallelInserter uses it so that
/// workers blocked on each other's uncommitted rows fail (ErrorKind::lock_timeout) instead of waiting forever.
template <class B>
concept lock_wait_bounder = backend<B> && requires(B& b, std::chrono::milliseconds wait) { b.set_lock_timeout(wait); };

/// Streams a chunk's rows in the database's bulk format (PostgreSQL's COPY ... FROM STDIN) into `into`,
/// a table with the chunk's columns: the chunk's own table, or a staging table shaped like it.
template <class B>
concept copy_capable = backend<B> && requires(B& b, const Chunk& chunk, const TableSpec& into) {
  { b.copy_in(chunk, into) } -> std::same_as<SendStats>;
};

}  // namespace bulkinsert
