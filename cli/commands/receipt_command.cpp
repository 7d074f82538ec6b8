// airlock receipt apply: the isolated side learns what the connected side has.
#include <nlohmann/json.hpp>
#include <ostream>

#include "base/file.hpp"
#include "cli/commands/commands.hpp"
#include "crypto/key_file.hpp"
#include "store/receipt.hpp"
#include "store/store.hpp"

namespace airlock::cli {

namespace {

constexpr std::size_t k_max_receipt_bytes = 256 * 1024 * 1024;

Status run_receipt_apply(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const Config config, load_config(ctx));
  std::vector<PublicKey> trusted;
  for (const auto& path : option<std::vector<std::string>>(ctx.args, "trust").value_or(std::vector<std::string>{})) {
    AIRLOCK_TRY_ASSIGN(const KeyFileInfo info, read_any_key_file(path));
    trusted.push_back(info.public_key);
  }
  if (trusted.empty()) return Error(ErrorCode::usage, "receipt apply needs --trust PUB (the receiving side's public key)");
  const std::string path = ctx.args["receipt"].as<std::string>();
  AIRLOCK_TRY_ASSIGN(const std::string bytes, read_small_file(path, k_max_receipt_bytes));
  AIRLOCK_TRY_ASSIGN(const Receipt receipt, read_signed_receipt(bytes, trusted, path));
  AIRLOCK_TRY_ASSIGN(auto store, Store::open(config.get("store").value_or("./airlock-store"), Store::Open::existing));
  std::vector<std::string> ids;
  std::size_t not_done = 0;
  for (const auto& item : receipt.items) {
    if (acknowledges(item)) {
      ids.push_back(item.item_id);
    } else {
      ++not_done;
      ctx.out.warning("item " + item.item_id + " was not imported (" + item.state +
                      "); it stays 'exported' and goes again with export --resend-unacknowledged");
    }
  }
  AIRLOCK_TRY_ASSIGN(const auto changed, store->acknowledge(ids));
  if (ctx.out.json()) {
    ctx.out.result() << nlohmann::ordered_json{{"receipt_id", receipt.receipt_id}, {"signer", receipt.signer_key_id},
                                               {"items", receipt.items.size()}, {"acknowledged", changed},
                                               {"not_imported", not_done}}
                            .dump(2) << '\n';
  } else {
    ctx.out.result() << "receipt " << receipt.receipt_id << " (signed by " << receipt.signer_key_id << "): "
                     << changed.size() << " items acknowledged now, "
                     << ids.size() - changed.size() << " already acknowledged or not in this store, " << not_done
                     << " not imported\n";
  }
  return {};
}

}  // namespace

Command receipt_apply_command() {
  return {.name = "receipt apply",
          .synopsis = "airlock receipt apply RECEIPT --trust PUB... [--store DIR] [--json]",
          .summary = "mark the items a signed receipt says were imported as acknowledged",
          .description =
              "Reads a receipt written by the connected side's 'airlock import --receipt', checks\n"
              "its signature against the --trust keys, and marks every item it reports as\n"
              "complete or submitted 'acknowledged' in the store ('airlock ls' shows it). Items\n"
              "it reports as failed or refused stay 'exported'; 'airlock export\n"
              "--resend-unacknowledged' sends them again.",
          .examples = "  airlock receipt apply /media/usb/receipt-2026-12-04.json --trust receiver.pub\n",
          .declare =
              [](CommandOptions& o) {
                o.options.add_options()
                  ("receipt", po::value<std::string>()->required()->value_name("RECEIPT"), "the receipt file")
                  ("trust", po::value<std::vector<std::string>>()->value_name("PUB"),
                   "the receiving side's public key (repeatable)");
                o.positional.add("receipt", 1);
                declare_config_flags(o, {"store"});
              },
          .run = run_receipt_apply};
}

}  // namespace airlock::cli
