#include "cli/config.hpp"

#include <yaml-cpp/yaml.h>

#include "base/file.hpp"

namespace airlock::cli {

const std::vector<ConfigKey> k_config_keys = {
    {"url", "ANCHORECTL_URL", true, false, "Anchore Enterprise API URL (connected side)"},
    {"username", "ANCHORECTL_USERNAME", true, false, "Anchore user name"},
    {"password", "ANCHORECTL_PASSWORD", true, true, "Anchore password"},
    {"account", "ANCHORECTL_ACCOUNT", true, false, "Anchore account to act in"},
    {"api-key", "AIRLOCK_API_KEY", false, true, "Anchore API key (sent as Basic user _api_key)"},
    {"token", "AIRLOCK_TOKEN", false, true, "Anchore OAuth2 bearer token"},
    {"store", "AIRLOCK_STORE", false, false, "store folder (isolated side)"},
    {"state", "AIRLOCK_STATE", false, false, "state folder: trust, ledger (connected side)"},
};

namespace {

constexpr std::size_t k_max_config_bytes = 1024 * 1024;

std::optional<std::filesystem::path> home_dir(const Environment& env) {
  if (auto home = env.get("HOME")) return std::filesystem::path(*home);
  return std::nullopt;
}

std::optional<std::string> default_for(std::string_view key, const Environment& env) {
  if (key == "store") return std::string("./airlock-store");
  if (key == "state") {
    if (auto xdg = env.get("XDG_STATE_HOME")) return (std::filesystem::path(*xdg) / "airlock").string();
    if (auto home = home_dir(env)) return (*home / ".local/state/airlock").string();
  }
  return std::nullopt;
}

bool is_known_key(std::string_view key) {
  for (const auto& k : k_config_keys) {
    if (k.name == key) return true;
  }
  return false;
}

std::string known_keys() {
  std::string out;
  for (const auto& k : k_config_keys) {
    if (!out.empty()) out += ", ";
    out += k.name;
  }
  return out;
}

// Parses a flat YAML mapping of scalars. STRICT rejects unknown keys (our
// own file); AnchoreCTL's file has many keys we do not use, so it is lenient.
Result<std::map<std::string, std::string>> read_yaml_settings(const std::filesystem::path& path,
                                                              bool strict) {
  AIRLOCK_TRY_ASSIGN(const std::string text, read_small_file(path, k_max_config_bytes));
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::usage, "config file " + path.string() + " is not valid YAML (line " +
                                       std::to_string(e.mark.line + 1) + "): " + e.msg);
  }
  std::map<std::string, std::string> out;
  if (root.IsNull()) return out;
  if (!root.IsMap()) {
    return Error(ErrorCode::usage,
                 "config file " + path.string() + " must be a mapping of 'key: value' lines");
  }
  for (const auto& item : root) {
    if (!item.first.IsScalar()) {
      return Error(ErrorCode::usage, "config file " + path.string() + " has a non-text key");
    }
    const std::string key = item.first.Scalar();
    if (!is_known_key(key)) {
      if (strict) {
        return Error(ErrorCode::usage, "config file " + path.string() + ": unknown key '" + key +
                                           "' (known keys: " + known_keys() + ")");
      }
      continue;
    }
    if (!item.second.IsScalar()) {
      return Error(ErrorCode::usage,
                   "config file " + path.string() + ": '" + key + "' must be a single value");
    }
    out[key] = item.second.Scalar();
  }
  return out;
}

std::optional<std::filesystem::path> first_existing(const std::vector<std::filesystem::path>& paths) {
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  return std::nullopt;
}

}  // namespace

Result<Config> Config::load(const ConfigInputs& inputs) {
  const Environment& env = *inputs.env;
  Config config;
  for (const auto& key : k_config_keys) {
    ConfigValue value;
    if (auto d = default_for(key.name, env)) {
      value.value = *d;
      value.origin = ConfigOrigin::default_value;
    }
    config.m_values[std::string(key.name)] = value;
  }

  auto apply_file = [&](const std::filesystem::path& path, bool strict,
                        ConfigOrigin origin) -> Status {
    AIRLOCK_TRY_ASSIGN(const auto settings, read_yaml_settings(path, strict));
    for (const auto& key : k_config_keys) {
      if (origin == ConfigOrigin::anchorectl_file && !key.from_anchorectl) continue;
      auto it = settings.find(std::string(key.name));
      if (it == settings.end()) continue;
      config.m_values[std::string(key.name)] = {it->second, origin, path.string()};
    }
    config.m_files.push_back(path);
    return {};
  };

  const auto home = home_dir(env);
  std::vector<std::filesystem::path> anchorectl_candidates = {inputs.cwd / ".anchorectl.yaml"};
  if (home) {
    anchorectl_candidates.push_back(*home / ".anchorectl.yaml");
    anchorectl_candidates.push_back(*home / ".config/anchorectl.yaml");
  }
  if (auto path = first_existing(anchorectl_candidates)) {
    AIRLOCK_TRY(apply_file(*path, false, ConfigOrigin::anchorectl_file));
  }

  std::optional<std::filesystem::path> airlock_file = inputs.config_file;
  if (!airlock_file) {
    if (auto from_env = env.get("AIRLOCK_CONFIG")) airlock_file = *from_env;
  }
  if (airlock_file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*airlock_file, ec)) {
      return Error(ErrorCode::usage, "config file " + airlock_file->string() +
                                         " does not exist (named by --config or AIRLOCK_CONFIG)");
    }
  } else {
    std::vector<std::filesystem::path> candidates = {inputs.cwd / "airlock.yaml"};
    if (auto xdg = env.get("XDG_CONFIG_HOME")) {
      candidates.push_back(std::filesystem::path(*xdg) / "airlock/airlock.yaml");
    } else if (home) {
      candidates.push_back(*home / ".config/airlock/airlock.yaml");
    }
    airlock_file = first_existing(candidates);
  }
  if (airlock_file) AIRLOCK_TRY(apply_file(*airlock_file, true, ConfigOrigin::airlock_file));

  for (const auto& key : k_config_keys) {
    if (auto value = env.get(key.env)) {
      config.m_values[std::string(key.name)] = {*value, ConfigOrigin::environment,
                                                std::string(key.env)};
    }
  }
  for (const auto& [name, value] : inputs.flags) {
    if (!is_known_key(name)) {
      return Error(ErrorCode::internal, "flag for unknown config key " + name);
    }
    config.m_values[name] = {value, ConfigOrigin::flag, "--" + name};
  }
  return config;
}

std::optional<std::string> Config::get(std::string_view key) const {
  return entry(key).value;
}

const ConfigValue& Config::entry(std::string_view key) const {
  static const ConfigValue k_unset;
  auto it = m_values.find(key);
  return it == m_values.end() ? k_unset : it->second;
}

std::string_view origin_name(ConfigOrigin origin) {
  switch (origin) {
    case ConfigOrigin::none: return "unset";
    case ConfigOrigin::default_value: return "default";
    case ConfigOrigin::anchorectl_file: return "anchorectl-file";
    case ConfigOrigin::airlock_file: return "config-file";
    case ConfigOrigin::environment: return "environment";
    case ConfigOrigin::flag: return "flag";
  }
  return "unset";
}

std::string mask_secret(std::string_view value) {
  if (value.empty()) return "";
  return "********";
}

}  // namespace airlock::cli
