// airlock trust add, ls, revoke: the producer keys the connected side trusts.
#include <nlohmann/json.hpp>
#include <ostream>

#include "base/text.hpp"
#include "cli/commands/commands.hpp"
#include "crypto/key_file.hpp"
#include "import/import_state.hpp"

namespace airlock::cli {

namespace {

std::vector<std::string> parse_accounts(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (const char c : std::string(text) + ",") {
    if (c == ',') {
      while (!current.empty() && current.back() == ' ') current.pop_back();
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else if (c != ' ' || !current.empty()) {
      current += c;
    }
  }
  return out;
}

Result<std::unique_ptr<ImportState>> open_state(const CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const Config config, load_config(ctx));
  const auto dir = config.get("state");
  if (!dir) return Error(ErrorCode::usage, "no state folder: pass --state DIR or set AIRLOCK_STATE");
  return ImportState::open(*dir, ImportState::Access::shared);
}

Status run_trust_add(CommandContext& ctx) {
  const std::string path = ctx.args["public-key"].as<std::string>();
  AIRLOCK_TRY_ASSIGN(const KeyFileInfo info, read_any_key_file(path));
  if (info.is_secret) {
    ctx.out.warning(path + " is a secret key; only its public half is trusted. Keep secret keys on the isolated side.");
  }
  TrustedKey key;
  key.key = info.public_key;
  key.accounts = parse_accounts(ctx.args["accounts"].as<std::string>());
  if (key.accounts.empty()) return Error(ErrorCode::usage, "--accounts needs at least one account (or '*' for all)");
  key.name = option<std::string>(ctx.args, "name").value_or(info.public_key.key_id().substr(0, 12));
  key.added = utc_now_rfc3339();
  AIRLOCK_TRY_ASSIGN(auto state, open_state(ctx));
  AIRLOCK_TRY(state->add_trusted_key(key));
  if (ctx.out.json()) {
    ctx.out.result() << nlohmann::ordered_json{{"name", key.name}, {"key_id", key.key.key_id()}, {"accounts", key.accounts}}.dump(2) << '\n';
  } else {
    std::string accounts;
    for (const auto& a : key.accounts) accounts += (accounts.empty() ? "" : ",") + a;
    ctx.out.result() << "trusted " << key.key.key_id() << " as '" << key.name << "' for accounts " << accounts << '\n';
  }
  return {};
}

Status run_trust_ls(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(auto state, open_state(ctx));
  AIRLOCK_TRY_ASSIGN(const auto keys, state->trusted_keys());
  if (ctx.out.json()) {
    auto list = nlohmann::ordered_json::array();
    for (const auto& k : keys) {
      list.push_back({{"name", k.name}, {"key_id", k.key.key_id()}, {"accounts", k.accounts}, {"added", k.added},
                      {"revoked", k.revoked ? nlohmann::ordered_json(*k.revoked) : nlohmann::ordered_json()}});
    }
    ctx.out.result() << list.dump(2) << '\n';
    return {};
  }
  if (keys.empty()) {
    ctx.out.info("no trusted keys yet: airlock trust add PUB --accounts A,B");
    return {};
  }
  for (const auto& k : keys) {
    std::string accounts;
    for (const auto& a : k.accounts) accounts += (accounts.empty() ? "" : ",") + a;
    ctx.out.result() << k.name << "  " << k.key.key_id() << "  accounts " << accounts << "  added " << k.added
                     << (k.revoked ? "  REVOKED " + *k.revoked : "") << '\n';
  }
  return {};
}

Status run_trust_revoke(CommandContext& ctx) {
  const std::string name = ctx.args["name"].as<std::string>();
  AIRLOCK_TRY_ASSIGN(auto state, open_state(ctx));
  AIRLOCK_TRY(state->revoke_key(name, utc_now_rfc3339()));
  ctx.out.result() << "revoked '" << name << "': bundles it signs are refused from now on\n";
  return {};
}

}  // namespace

Command trust_add_command() {
  return {.name = "trust add",
          .synopsis = "airlock trust add PUB --accounts A,B [--name NAME] [--state DIR]",
          .summary = "trust a producer's public key for the named Anchore accounts",
          .description =
              "Bundles signed by this key are accepted by 'airlock import', and their items\n"
              "are sent only into the listed accounts ('*' allows every account). An item for\n"
              "any other account is refused and reported; nothing of it is sent. NAME defaults\n"
              "to the first 12 digits of the key id. Compare the key id printed here with the\n"
              "one the producer's 'airlock keygen' printed, over a channel you trust.",
          .examples = "  airlock trust add /media/usb/producer.pub --accounts engineering,ops --name plant-a\n",
          .declare =
              [](CommandOptions& o) {
                o.options.add_options()
                  ("public-key", po::value<std::string>()->required()->value_name("PUB"), "the producer's airlock.pub")
                  ("accounts", po::value<std::string>()->required()->value_name("A,B"), "accounts this key may write to")
                  ("name", po::value<std::string>()->value_name("NAME"), "a name for the key (for ls and revoke)");
                o.positional.add("public-key", 1);
                declare_config_flags(o, {"state"});
              },
          .run = run_trust_add};
}

Command trust_ls_command() {
  return {.name = "trust ls",
          .synopsis = "airlock trust ls [--state DIR] [--json]",
          .summary = "list the trusted producer keys, their accounts and revocations",
          .description = "Revoked keys stay listed, with the time they were revoked.",
          .examples = "  airlock trust ls\n  airlock trust ls --json\n",
          .declare = [](CommandOptions& o) { declare_config_flags(o, {"state"}); },
          .run = run_trust_ls};
}

Command trust_revoke_command() {
  return {.name = "trust revoke",
          .synopsis = "airlock trust revoke NAME [--state DIR]",
          .summary = "stop trusting a producer key",
          .description = "From now on bundles signed by the key fail verification on import (exit 3).\n"
                         "What was imported before stays in Anchore and in the ledger.",
          .examples = "  airlock trust revoke plant-a\n",
          .declare =
              [](CommandOptions& o) {
                o.options.add_options()("name", po::value<std::string>()->required()->value_name("NAME"), "the key's name");
                o.positional.add("name", 1);
                declare_config_flags(o, {"state"});
              },
          .run = run_trust_revoke};
}

}  // namespace airlock::cli
