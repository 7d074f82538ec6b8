#pragma once
// Result<T>: a value or an Error, the return type of everything that can fail.
// (std::expected is C++23; this is the small part of it airlock needs.)

#include <cassert>
#include <utility>
#include <variant>

#include "base/error.hpp"

namespace airlock {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return m_state.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(m_state); }
  const T& value() const& { assert(ok()); return std::get<0>(m_state); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(m_state)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(m_state); }

  // The same result, with "CONTEXT: " in front of the message if it failed.
  Result context(std::string_view context) && {
    if (ok()) return std::move(*this);
    return error().with_context(context);
  }

 private:
  std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_failed(true) {}

  bool ok() const { return !m_failed; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { assert(m_failed); return m_error; }

  Result context(std::string_view context) && {
    if (ok()) return {};
    return error().with_context(context);
  }

 private:
  Error m_error{ErrorCode::internal, ""};
  bool m_failed = false;
};

using Status = Result<void>;

}  // namespace airlock

#define AIRLOCK_CONCAT_INNER(a, b) a##b
#define AIRLOCK_CONCAT(a, b) AIRLOCK_CONCAT_INNER(a, b)

// Returns the error of EXPR from the enclosing function if EXPR failed.
#define AIRLOCK_TRY(expr)                                                                   \
  do {                                                                                      \
    auto&& AIRLOCK_CONCAT(airlock_try_result_, __LINE__) = (expr);                          \
    if (!AIRLOCK_CONCAT(airlock_try_result_, __LINE__).ok())                                \
      return AIRLOCK_CONCAT(airlock_try_result_, __LINE__).error();                         \
  } while (false)

// Declares VAR from the value of EXPR, or returns EXPR's error.
#define AIRLOCK_TRY_ASSIGN(var, expr)                                       \
  auto AIRLOCK_CONCAT(airlock_try_, __LINE__) = (expr);                     \
  if (!AIRLOCK_CONCAT(airlock_try_, __LINE__).ok())                         \
    return AIRLOCK_CONCAT(airlock_try_, __LINE__).error();                  \
  var = std::move(*AIRLOCK_CONCAT(airlock_try_, __LINE__))
