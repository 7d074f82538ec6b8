// The flags and settings that say how to reach Anchore Enterprise, shared by
// import and the direct asset commands.
#include "cli/commands/commands.hpp"

namespace airlock::cli {

void declare_anchore_flags(CommandOptions& o) {
  o.options.add_options()
    ("cacert", po::value<std::string>()->value_name("FILE"), "trust this CA bundle (PEM) for the Anchore URL")
    ("insecure", po::bool_switch(), "do not verify the server's TLS certificate")
    ("retries", po::value<int>()->default_value(8)->value_name("N"), "retries per request")
    ("retry-delay", po::value<std::string>()->default_value("1s")->value_name("D"), "first backoff step");
  declare_config_flags(o, {"url", "username", "password", "api-key", "token", "account"});
}

Result<std::chrono::milliseconds> parse_duration(const std::string& text, std::string_view flag) {
  std::size_t end = 0;
  long long value = -1;
  try {
    value = std::stoll(text, &end);
  } catch (const std::exception&) {
  }
  const std::string unit = text.substr(std::min(end, text.size()));
  long long factor = -1;
  if (unit.empty() || unit == "s") factor = 1000;
  if (unit == "ms") factor = 1;
  if (unit == "m") factor = 60 * 1000;
  if (unit == "h") factor = 3600 * 1000;
  if (value < 0 || factor < 0 || value > 1000LL * 3600 * 1000) {
    return Error(ErrorCode::usage, "--" + std::string(flag) + " '" + text + "' is not a duration (e.g. 500ms, 90s, 30m, 2h)");
  }
  return std::chrono::milliseconds(value * factor);
}

Result<AnchoreSettings> anchore_settings_from(const CommandContext& ctx, const Config& config) {
  AnchoreSettings s;
  s.connection.url = config.get("url").value_or("");
  if (s.connection.url.empty()) {
    return Error(ErrorCode::usage, "no Anchore URL: pass --url or set ANCHORECTL_URL (e.g. https://anchore.example:8228)");
  }
  if (const auto key = config.get("api-key")) {
    s.connection.username = "_api_key";
    s.connection.password = *key;
  } else {
    s.connection.username = config.get("username").value_or("");
    s.connection.password = config.get("password").value_or("");
  }
  s.connection.bearer_token = config.get("token").value_or("");
  if (s.connection.username.empty() && s.connection.bearer_token.empty()) {
    return Error(ErrorCode::usage, "no Anchore credentials: pass --username/--password, --api-key or --token "
                                   "(or ANCHORECTL_USERNAME/ANCHORECTL_PASSWORD)");
  }
  s.connection.ca_file = option<std::string>(ctx.args, "cacert").value_or("");
  s.connection.insecure = ctx.args["insecure"].as<bool>();
  s.retry.retries = ctx.args["retries"].as<int>();
  if (s.retry.retries < 0 || s.retry.retries > 100) return Error(ErrorCode::usage, "--retries must be 0 to 100");
  AIRLOCK_TRY_ASSIGN(s.retry.initial_delay, parse_duration(ctx.args["retry-delay"].as<std::string>(), "retry-delay"));
  s.account = config.get("account").value_or("");
  return s;
}

}  // namespace airlock::cli
