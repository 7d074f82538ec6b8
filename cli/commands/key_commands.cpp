// airlock keygen, airlock key show.
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands/commands.hpp"
#include "crypto/key_file.hpp"
#include "crypto/system_random.hpp"

namespace airlock::cli {

namespace {

Status run_keygen(CommandContext& ctx) {
  const std::filesystem::path dir = ctx.args["out"].as<std::string>();
  const Overwrite overwrite = ctx.args["force"].as<bool>() ? Overwrite::yes : Overwrite::no;
  SystemRandom random;
  const KeyPair pair = generate_key_pair(random);
  AIRLOCK_TRY(write_key_pair(dir, pair, overwrite));
  const auto secret = dir / k_secret_key_file;
  const auto pub = dir / k_public_key_file;
  if (ctx.out.json()) {
    ctx.out.result() << nlohmann::ordered_json{{"key_id", pair.public_key.key_id()},
                                               {"secret_key", secret.string()},
                                               {"public_key", pub.string()}}
                            .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                     << '\n';
  } else {
    ctx.out.result() << pair.public_key.key_id() << '\n';
    ctx.out.info("wrote " + secret.string() + " (secret, mode 0600: keep it on the isolated side)");
    ctx.out.info("wrote " + pub.string() + " (public: give it to the receiving side's 'airlock trust add')");
  }
  return {};
}

Status run_key_show(CommandContext& ctx) {
  const std::filesystem::path path = ctx.args["file"].as<std::string>();
  AIRLOCK_TRY_ASSIGN(const KeyFileInfo info, read_any_key_file(path));
  const char* kind = info.is_secret ? "secret" : "public";
  if (ctx.out.json()) {
    ctx.out.result() << nlohmann::ordered_json{{"key_id", info.public_key.key_id()},
                                               {"kind", kind},
                                               {"algorithm", "ed25519"},
                                               {"file", path.string()}}
                            .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                     << '\n';
  } else {
    ctx.out.result() << info.public_key.key_id() << '\n';
    ctx.out.verbose(std::string(kind) + " ed25519 key in " + path.string());
  }
  return {};
}

}  // namespace

Command keygen_command() {
  return {
      .name = "keygen",
      .synopsis = "airlock keygen --out DIR [--force]",
      .summary = "create a producer key pair (airlock.key, airlock.pub)",
      .description =
          "Writes DIR/airlock.key (the Ed25519 secret key that signs bundles, mode 0600)\n"
          "and DIR/airlock.pub (the public key receivers trust and senders encrypt to),\n"
          "then prints the key id. Existing key files are never replaced without --force.\n"
          "The file format is described in docs/keys.md.",
      .examples = "  airlock keygen --out ~/.config/airlock/keys\n"
                  "  airlock keygen --out /media/usb/keys --force --json\n",
      .declare =
          [](CommandOptions& o) {
            o.options.add_options()
              ("out,o", po::value<std::string>()->required()->value_name("DIR"),
               "folder for the key files (created if missing)")
              ("force", po::bool_switch(), "replace existing key files");
          },
      .run = run_keygen,
  };
}

Command key_show_command() {
  return {
      .name = "key show",
      .synopsis = "airlock key show FILE",
      .summary = "print the key id of a public or secret key file",
      .description =
          "Prints the key id (32 hex digits: the start of SHA-256 of the public key).\n"
          "It names the producer in bundle manifests and in 'airlock trust ls'.\n"
          "A secret key file that group or others can read is refused, as ssh does.",
      .examples = "  airlock key show keys/airlock.pub\n  airlock key show keys/airlock.key --json\n",
      .declare =
          [](CommandOptions& o) {
            o.options.add_options()("file", po::value<std::string>()->required()->value_name("FILE"),
                                    "key file (airlock.pub or airlock.key)");
            o.positional.add("file", 1);
          },
      .run = run_key_show,
  };
}

}  // namespace airlock::cli
