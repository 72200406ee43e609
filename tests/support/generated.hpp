#pragma once

// Rows made on demand, as `std::views::iota(0, n) | std::views::transform(make)` would make them:
// clang 14 cannot compile libstdc++ 12's views at all (view_interface's constrained members are
// checked before the view is complete: llvm-project issue 52696), and the tests
// build with both compilers.

#include <cstddef>
#include <functional>
#include <iterator>
#include <type_traits>
#include <utility>

namespace test {

/// Row i is make(i), for i in [0, n): a sized forward range whose elements are temporaries, so an
/// inserter cannot borrow them and must buffer one chunk at a time. `make` is called once per row read.
template <class Make>
class Generated {
 public:
  class iterator {
   public:
    using value_type = std::remove_cvref_t<std::invoke_result_t<const Make&, std::size_t>>;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    iterator(const Make* make, std::size_t at) : make_(make), at_(at) {}

    value_type operator*() const { return std::invoke(*make_, at_); }
    iterator& operator++() {
      ++at_;
      return *this;
    }
    iterator operator++(int) {
      iterator was = *this;
      ++at_;
      return was;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.at_ == b.at_; }

   private:
    const Make* make_ = nullptr;
    std::size_t at_ = 0;
  };

  Generated(std::size_t n, Make make) : n_(n), make_(std::move(make)) {}

  [[nodiscard]] iterator begin() const { return {&make_, 0}; }
  [[nodiscard]] iterator end() const { return {&make_, n_}; }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }

 private:
  std::size_t n_;
  Make make_;
};

/// Generated{n, make}, spelled like the view it stands for.
template <class Make>
[[nodiscard]] Generated<Make> generated(std::size_t n, Make make) {
  return Generated<Make>{n, std::move(make)};
}

}  // namespace test
