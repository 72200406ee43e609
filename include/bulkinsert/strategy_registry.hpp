#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "backend.hpp"
#include "error.hpp"
#include "strategy.hpp"

namespace bulkinsert {

/// The built-in strategies B can run, by name.
template <backend B>
[[nodiscard]] std::string available_strategies() {
  std::string out;
  auto add = [&]<class S>(S) {
    if constexpr (strategy_for<S, B>) {
      if (!out.empty()) out += ", ";
      out += S::name;
    }
  };
  add(PerRow{});
  add(MultiValues{});
  add(ExecuteMany{});
  add(Copy{});
  return out;
}

/// Calls `f(S{})` for the built-in strategy called `name`. Throws UnsupportedStrategy, listing what
/// B has, if there is no such strategy or B cannot run it.
template <backend B, class F>
decltype(auto) with_strategy(std::string_view name, F&& f) {
  using Result = decltype(f(MultiValues{}));
  auto try_one = [&]<class S>(S s, Result* out) -> bool {
    if (name != S::name) return false;
    if constexpr (strategy_for<S, B>) {
      *out = f(s);
      return true;
    } else {
      throw UnsupportedStrategy(fmt::format("strategy \"{}\" is not available on {}; it has: {}", name, B::name,
                                            available_strategies<B>()));
    }
  };
  Result result{};
  if (try_one(PerRow{}, &result) || try_one(MultiValues{}, &result) || try_one(ExecuteMany{}, &result) ||
      try_one(Copy{}, &result))
    return result;
  throw UnsupportedStrategy(
      fmt::format("unknown strategy \"{}\"; {} has: {}", name, B::name, available_strategies<B>()));
}

}  // namespace bulkinsert
