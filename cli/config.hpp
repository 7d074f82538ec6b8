#pragma once
// Config: airlock's effective settings and where each came from.
// Precedence: command-line flag > environment > airlock.yaml > AnchoreCTL's
// config file > built-in default. The core never reads the environment or
// config files; commands pass it plain values taken from here.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/environment.hpp"
#include "base/result.hpp"

namespace airlock::cli {

struct ConfigKey {
  std::string_view name;         // key in airlock.yaml, and the flag --NAME
  std::string_view env;          // environment variable
  bool from_anchorectl;          // also read from AnchoreCTL's config file
  bool secret;                   // masked by `config show`
  std::string_view description;
};

// The one table of settings; the flags, variables and file keys derive from it.
extern const std::vector<ConfigKey> k_config_keys;

enum class ConfigOrigin { none, default_value, anchorectl_file, airlock_file, environment, flag };

struct ConfigValue {
  std::optional<std::string> value;
  ConfigOrigin origin = ConfigOrigin::none;
  std::string source;  // the file path or variable name it came from
};

struct ConfigInputs {
  const Environment* env = nullptr;
  std::map<std::string, std::string, std::less<>> flags;  // key name → value
  std::optional<std::filesystem::path> config_file;      // --config
  std::filesystem::path cwd = ".";
};

class Config {
 public:
  static Result<Config> load(const ConfigInputs& inputs);

  std::optional<std::string> get(std::string_view key) const;
  const ConfigValue& entry(std::string_view key) const;
  // The files that were read, in the order they were applied.
  const std::vector<std::filesystem::path>& files_read() const { return m_files; }

 private:
  std::map<std::string, ConfigValue, std::less<>> m_values;
  std::vector<std::filesystem::path> m_files;
};

std::string_view origin_name(ConfigOrigin origin);
// "sec***" style masking for secrets shown to the user.
std::string mask_secret(std::string_view value);

}  // namespace airlock::cli
