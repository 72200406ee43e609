#pragma once

#include <exception>
#include <utility>

namespace bulkinsert::detail {

/// Runs `f()`; a `DriverError` it throws becomes the DatabaseError that `translate(e)` makes of it,
/// with the driver's exception nested inside (std::nested_exception), so nothing of it is lost.
/// Every backend's driver calls go through one of these: the driver's exception types stop here.
template <class DriverError, class F, class Translate>
decltype(auto) translate_driver_errors(F&& f, Translate&& translate) {
  try {
    return std::forward<F>(f)();
  } catch (const DriverError& e) {
    std::throw_with_nested(translate(e));
  }
}

}  // namespace bulkinsert::detail
