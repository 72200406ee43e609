#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace bulkinsert::detail {

/// A connection's prepared statements, by their SQL text. A load uses at most two shapes per table (its
/// full chunks and its last one), so a small cache holds every statement a load needs; when it is full,
/// what it holds is an earlier call's leftovers, and all of it is released at once.
template <class Statement>
class StatementCache {
 public:
  explicit StatementCache(std::size_t capacity) noexcept : capacity_(capacity) {}

  /// The statement for `sql`, made by `prepare(sql)` on a miss. When the cache is full, each statement is
  /// first handed to `release(statement)` (which must not throw) and dropped.
  template <class Prepare, class Release>
  const Statement& get(std::string_view sql, Prepare&& prepare, Release&& release) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
    if (statements_.size() >= capacity_) {
      for (auto& [text, statement] : statements_) release(statement);
      statements_.clear();
    }
    Statement made = prepare(sql);
    return statements_.emplace(std::string{sql}, std::move(made)).first->second;
  }

  /// Drops every statement (their destructors run).
  void clear() noexcept { statements_.clear(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  std::size_t capacity_;
  std::unordered_map<std::string, Statement, Hash, std::equal_to<>> statements_;
};

}  // namespace bulkinsert::detail
