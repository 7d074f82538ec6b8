// airlock config show.
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands/commands.hpp"
#include "cli/config.hpp"

namespace airlock::cli {

void declare_config_flags(CommandOptions& options, std::initializer_list<std::string_view> keys) {
  for (const auto& key : k_config_keys) {
    if (std::find(keys.begin(), keys.end(), key.name) == keys.end()) continue;
    const std::string help = std::string(key.description) + " [" + std::string(key.env) + "]";
    options.options.add_options()(std::string(key.name).c_str(),
                                  po::value<std::string>()->value_name("VALUE"), help.c_str());
  }
}

Result<Config> load_config(const CommandContext& ctx) {
  ConfigInputs inputs;
  inputs.env = &ctx.env;
  inputs.config_file = ctx.globals.config_file;
  inputs.cwd = std::filesystem::current_path();
  for (const auto& key : k_config_keys) {
    const std::string name(key.name);
    if (ctx.args.count(name)) inputs.flags[name] = ctx.args[name].as<std::string>();
  }
  return Config::load(inputs);
}

namespace {

Status run_config_show(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const Config config, load_config(ctx));
  if (ctx.out.json()) {
    nlohmann::ordered_json doc = nlohmann::ordered_json::object();
    for (const auto& key : k_config_keys) {
      const ConfigValue& v = config.entry(key.name);
      nlohmann::ordered_json entry = {{"value", nullptr}, {"origin", origin_name(v.origin)}};
      if (v.value) entry["value"] = key.secret ? mask_secret(*v.value) : *v.value;
      if (!v.source.empty()) entry["source"] = v.source;
      doc[std::string(key.name)] = entry;
    }
    ctx.out.result() << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
    return {};
  }
  for (const auto& key : k_config_keys) {
    const ConfigValue& v = config.entry(key.name);
    if (!v.value) {
      ctx.out.result() << key.name << ": (unset)\n";
      continue;
    }
    ctx.out.result() << key.name << ": " << (key.secret ? mask_secret(*v.value) : *v.value)
                     << "  # " << origin_name(v.origin);
    if (!v.source.empty()) ctx.out.result() << " " << v.source;
    ctx.out.result() << '\n';
  }
  return {};
}

}  // namespace

Command config_show_command() {
  return {
      .name = "config show",
      .synopsis = "airlock config show [--url URL] [--username U] [--password P] [--account A] "
                  "[--store DIR] [--state DIR]",
      .summary = "print the effective settings and where each comes from",
      .description =
          "Settings are taken, highest first, from command-line flags, the environment\n"
          "(ANCHORECTL_URL, ANCHORECTL_USERNAME, ANCHORECTL_PASSWORD, ANCHORECTL_ACCOUNT,\n"
          "AIRLOCK_STORE, AIRLOCK_STATE), airlock.yaml (--config FILE, $AIRLOCK_CONFIG,\n"
          "./airlock.yaml or ~/.config/airlock/airlock.yaml), AnchoreCTL's config file\n"
          "(./.anchorectl.yaml, ~/.anchorectl.yaml or ~/.config/anchorectl.yaml: keys url,\n"
          "username, password, account) and built-in defaults. Passwords are masked.",
      .examples = "  airlock config show\n"
                  "  ANCHORECTL_URL=https://anchore.example/v2 airlock config show --json\n",
      .declare =
          [](CommandOptions& o) {
            declare_config_flags(o, {"url", "username", "password", "account", "store", "state"});
          },
      .run = run_config_show,
  };
}

}  // namespace airlock::cli
