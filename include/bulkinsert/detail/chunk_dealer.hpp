#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

namespace bulkinsert::detail {

/// Hands chunks read on one thread to workers on others, with bounded memory: at most `capacity` chunks
/// wait to be taken, and the reader never runs more than `window` chunks ahead of the oldest chunk not
/// yet sent (so a worker slowly splitting one chunk for rejects holds the reader back, not the memory
/// of everything read since). The first failure, from either side, stops both: the reader's deal()
/// returns false and the workers' take() returns nothing.
template <class Job>
class ChunkDealer {
 public:
  ChunkDealer(std::size_t capacity, std::size_t window) : capacity_(capacity), window_(window) {}

  /// Reader: waits for room, then queues chunk `index`; false (the job dropped) once anything has failed.
  [[nodiscard]] bool deal(std::size_t index, Job&& job) {
    std::unique_lock lock{mutex_};
    changed_.wait(lock, [&] {
      return failure_ || (queue_.size() < capacity_ && (unsent_.empty() || index - *unsent_.begin() < window_));
    });
    if (failure_) return false;
    unsent_.insert(index);
    queue_.emplace_back(index, std::move(job));
    changed_.notify_all();
    return true;
  }

  /// Reader: no more chunks come; the workers drain what is queued.
  void close() noexcept {
    {
      const std::lock_guard lock{mutex_};
      closed_ = true;
    }
    changed_.notify_all();
  }

  /// Worker: the next chunk, once one is queued; nothing when the reader has closed and the queue is
  /// empty, or something has failed.
  [[nodiscard]] std::optional<std::pair<std::size_t, Job>> take() {
    std::unique_lock lock{mutex_};
    changed_.wait(lock, [&] { return !queue_.empty() || closed_ || failure_; });
    if (failure_ || queue_.empty()) return std::nullopt;
    std::optional<std::pair<std::size_t, Job>> job{std::move(queue_.front())};
    queue_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return job;
  }

  /// Worker: chunk `index` is sent, which may let the reader's window move on.
  void sent(std::size_t index) {
    {
      const std::lock_guard lock{mutex_};
      unsent_.erase(index);
    }
    changed_.notify_all();
  }

  /// Either side: stops the load; the first failure is the one kept.
  void fail(std::exception_ptr e) noexcept {
    {
      const std::lock_guard lock{mutex_};
      if (!failure_) failure_ = std::move(e);
    }
    changed_.notify_all();
  }

  /// The first failure, if any; read once every thread has stopped.
  [[nodiscard]] std::exception_ptr failure() const {
    const std::lock_guard lock{mutex_};
    return failure_;
  }

 private:
  const std::size_t capacity_;
  const std::size_t window_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::pair<std::size_t, Job>> queue_;
  std::set<std::size_t> unsent_;  // indices of chunks dealt and not yet sent
  bool closed_ = false;
  std::exception_ptr failure_;
};

}  // namespace bulkinsert::detail
