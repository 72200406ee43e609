#pragma once

namespace bulkinsert::detail {

/// Begins in the constructor, rolls back in the destructor unless committed; never throws from the
/// destructor (rollback() is noexcept by the backend concept). One guard for every backend.
template <class Backend>
class ScopedTransaction {
 public:
  explicit ScopedTransaction(Backend& b) : b_(b) { b_.begin(); }
  ScopedTransaction(const ScopedTransaction&) = delete;
  ScopedTransaction& operator=(const ScopedTransaction&) = delete;
  ~ScopedTransaction() {
    if (!done_) b_.rollback();
  }
  /// Commits; if the commit throws, the destructor still rolls back.
  void commit() {
    b_.commit();
    done_ = true;
  }

 private:
  Backend& b_;
  bool done_ = false;
};

}  // namespace bulkinsert::detail
