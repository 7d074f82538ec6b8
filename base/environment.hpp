#pragma once
// Environment: read access to environment variables, behind an interface so
// that config resolution can be tested without touching the process's own.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace airlock {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value; an unset or empty variable is nullopt.
  virtual std::optional<std::string> get(std::string_view name) const = 0;
};

class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> get(std::string_view name) const override;
};

class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  explicit MapEnvironment(std::map<std::string, std::string, std::less<>> vars)
      : m_vars(std::move(vars)) {}
  void set(std::string name, std::string value) { m_vars[std::move(name)] = std::move(value); }
  std::optional<std::string> get(std::string_view name) const override;

 private:
  std::map<std::string, std::string, std::less<>> m_vars;
};

}  // namespace airlock
