#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "error.hpp"

namespace bulkinsert {

/// A row the database refused, when rejects are allowed.
struct RejectedRow {
  std::size_t input_row = 0;  ///< 0-based position in the input
  std::string code;           ///< SQLSTATE, SQLite extended code, or "input" for a value that could not be sent
  std::string message;        ///< the database's message
};

/// How an inserter commits and what it tolerates.
struct InsertOptions {
  /// 0: one transaction for the whole call, so a failure leaves nothing behind. N: commit after every
  /// N chunks (a checkpoint); a failure then keeps the committed chunks and says how many rows they hold.
  std::size_t checkpoint_every_chunks = 0;
  /// Non-empty: an exactly-once, resumable import. Each commit records this id and the input rows it
  /// covers in the table `bulkinsert_progress`, in the same transaction as the rows; calling insert
  /// again with the same id and the same input skips exactly the committed rows.
  std::string import_id{};
  /// Rows the database may refuse before the call fails. Above 0, every chunk runs under a savepoint;
  /// a refused chunk is rolled back to it and split until the refused rows are isolated, each goes to
  /// `on_reject`, and the rest load.
  std::size_t max_rejects = 0;
  /// A chunk ends at its strategy's row count or once its rows hold this many bytes of values (text and
  /// bytes at their length, anything else as 8), whichever comes first; 0: rows alone. Chunks are held
  /// and encoded whole, so this is what keeps a load of wide rows in bounded memory: at the default, a
  /// load of 1 KiB rows through copy peaks well under 64 MiB (see the README).
  std::size_t max_chunk_bytes = 16 * 1024 * 1024;
  /// Told once per load, before its first row is read, which input rows earlier runs of this import_id
  /// committed (sorted, merged [first, last) ranges), so that a producer can skip making them.
  std::function<void(const std::vector<RowRange>&)> on_resume{};
  /// Told about every row the database refused (only with max_rejects > 0).
  std::function<void(const RejectedRow&)> on_reject{};
};

}  // namespace bulkinsert
