#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace bulkinsert::detail {

/// A growable byte buffer that an encoder writes through a raw pointer: room() makes space for a
/// whole row once, the row's fields are stored with no capacity check each, and commit() marks them
/// written. std::string checks capacity on every append, and its resize() zero-fills what it adds:
/// for COPY rows of a few short fields, that bookkeeping cost more than the encoding itself.
class ByteBuffer {
 public:
  /// Space for at least `n` more bytes; returns where they start. Nothing counts as written until
  /// commit(), and a later room() may move the buffer.
  [[nodiscard]] char* room(std::size_t n) {
    if (capacity_ - size_ < n) grow(n);
    return data_.get() + size_;
  }
  /// Marks the bytes up to `end`, a pointer into the space the last room() gave, as written.
  void commit(const char* end) noexcept { size_ = static_cast<std::size_t>(end - data_.get()); }

  void append(const char* p, std::size_t n) {
    if (n == 0) return;
    std::memcpy(room(n), p, n);
    size_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  ByteBuffer& operator+=(std::string_view s) {
    append(s);
    return *this;
  }
  ByteBuffer& operator+=(char c) {
    *room(1) = c;
    ++size_;
    return *this;
  }

  [[nodiscard]] const char* data() const noexcept { return data_.get(); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::string_view view() const noexcept { return {data_.get(), size_}; }
  /// Empties the buffer and keeps its memory for the next chunk.
  void clear() noexcept { size_ = 0; }

 private:
  void grow(std::size_t n) {
    const std::size_t capacity = std::max({capacity_ * 2, size_ + n, std::size_t{4096}});
    auto data = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ != 0) std::memcpy(data.get(), data_.get(), size_);
    data_ = std::move(data);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace bulkinsert::detail
