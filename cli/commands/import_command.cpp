// airlock import: replay verified bundles into Anchore Enterprise.
#include <nlohmann/json.hpp>
#include <ostream>

#include "base/file.hpp"
#include "base/text.hpp"
#include "cli/commands/commands.hpp"
#include "base/hex.hpp"
#include "crypto/key_file.hpp"
#include "crypto/system_random.hpp"
#include "import/importer.hpp"

namespace airlock::cli {

namespace {

nlohmann::ordered_json report_json(const ImportReport& report, bool dry_run) {
  auto bundles = nlohmann::ordered_json::array();
  for (const auto& b : report.bundles) {
    nlohmann::ordered_json j{{"path", b.path}, {"verified", b.verified}};
    if (b.verified) {
      j["bundle_id"] = b.bundle_id;
      j["producer"] = b.producer;
      j["signer"] = b.signer;
      j["destination"] = b.destination;
      j["sequence"] = b.sequence;
      j["seen_before"] = b.already_seen;
      j["missing_sequences"] = b.missing;
    }
    if (!b.error.empty()) j["error"] = b.error;
    bundles.push_back(std::move(j));
  }
  auto items = nlohmann::ordered_json::array();
  std::map<std::string, int> counts;
  for (const auto& i : report.items) {
    ++counts[i.state];
    items.push_back({{"bundle_id", i.bundle_id}, {"item_id", i.item_id}, {"account", i.account}, {"app", i.app},
                     {"version", i.version}, {"asset", i.asset}, {"image_reference", i.image_reference},
                     {"state", i.state}, {"job_id", i.job_id}, {"sent_now", i.sent}, {"earlier", i.earlier},
                     {"message", i.message}});
  }
  return {{"dry_run", dry_run},
          {"finished", utc_now_rfc3339()},
          {"exit_code", static_cast<int>(report.exit_code())},
          {"api", report.api.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(report.api)},
          {"summary", counts},
          {"bundles", bundles},
          {"items", items}};
}

Status run_import(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const Config config, load_config(ctx));
  const auto state_dir = config.get("state");
  if (!state_dir) return Error(ErrorCode::usage, "no state folder: pass --state DIR or set AIRLOCK_STATE");
  const bool dry_run = ctx.args["dry-run"].as<bool>();

  AIRLOCK_TRY_ASSIGN(const AnchoreSettings settings, anchore_settings_from(ctx, config));
  const AnchoreConnection& connection = settings.connection;
  const RetryPolicy& retry = settings.retry;

  ImportOptions options;
  options.dry_run = dry_run;
  options.wait = ctx.args["wait"].as<bool>();
  options.create_missing = ctx.args["create-missing"].as<bool>();
  options.require_contiguous = ctx.args["require-contiguous"].as<bool>();
  options.concurrency = ctx.args["concurrency"].as<int>();
  if (options.concurrency < 1 || options.concurrency > 64) return Error(ErrorCode::usage, "--concurrency must be 1 to 64");
  options.resubmits = retry.retries;
  AIRLOCK_TRY_ASSIGN(options.wait_timeout, parse_duration(ctx.args["wait-timeout"].as<std::string>(), "wait-timeout"));
  AIRLOCK_TRY_ASSIGN(options.poll_interval, parse_duration(ctx.args["poll-interval"].as<std::string>(), "poll-interval"));
  options.app_contact = option<std::string>(ctx.args, "app-contact").value_or(connection.username.empty() || connection.username == "_api_key" ? "airlock" : connection.username);
  if (const auto key = option<std::string>(ctx.args, "key")) {
    AIRLOCK_TRY_ASSIGN(options.decryption_key, read_secret_key_file(*key));
  }
  std::optional<SecretKey> receipt_key;
  if (const auto receipt = option<std::string>(ctx.args, "receipt")) {
    const auto key = option<std::string>(ctx.args, "receipt-key");
    if (!key) return Error(ErrorCode::usage, "--receipt needs --receipt-key KEY (this side's secret key, from 'airlock keygen')");
    AIRLOCK_TRY_ASSIGN(receipt_key, read_secret_key_file(*key));
  }
  const std::string api = ctx.args["api"].as<std::string>();
  if (api == "auto") {
    options.api = AnchoreApi::detect;
  } else if (api == "v6") {
    options.api = AnchoreApi::v6;
  } else if (api == "v5") {
    options.api = AnchoreApi::v5;
  } else {
    return Error(ErrorCode::usage, "--api '" + api + "': expected auto, v6 (apps and jobs) or v5 (the 5.x imports API)");
  }

  std::vector<std::filesystem::path> bundles;
  for (const auto& b : ctx.args["bundle"].as<std::vector<std::string>>()) bundles.emplace_back(b);

  AIRLOCK_TRY_ASSIGN(auto state, ImportState::open(*state_dir, ImportState::Access::exclusive));
  CurlHttpClient http;
  SystemClock clock;
  AnchoreClient client(http, connection, retry, clock);
  auto progress = ctx.out.progress();
  Importer importer(*state, client, clock, options, *progress);
  const ImportReport report = importer.run(bundles);
  progress.reset();
  for (const auto& notice : report.notices) ctx.out.info(notice);

  const auto json = report_json(report, dry_run);
  if (receipt_key && !dry_run) {
    SystemRandom random;
    std::array<std::uint8_t, 16> id{};
    random.fill(id);
    const Receipt receipt = receipt_for(report, to_hex(id));
    AIRLOCK_TRY(write_file_atomically(*option<std::string>(ctx.args, "receipt"), write_signed_receipt(receipt, *receipt_key)));
  }
  if (const auto path = option<std::string>(ctx.args, "report")) {
    AIRLOCK_TRY(write_file_atomically(*path, json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n"));
  }
  if (ctx.out.json()) {
    ctx.out.result() << json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  } else {
    auto& out = ctx.out.result();
    for (const auto& b : report.bundles) {
      if (!b.error.empty()) {
        out << "REJECTED  " << b.error << '\n';
        continue;
      }
      if (!b.missing.empty()) {
        std::string gap;
        for (const auto s : b.missing) gap += (gap.empty() ? "" : ",") + std::to_string(s);
        ctx.out.warning(b.path + ": sequence " + std::to_string(b.sequence) + " from '" + b.signer +
                        "' arrived before sequence(s) " + gap + " (imported anyway; --require-contiguous refuses)");
      }
    }
    std::size_t sent = 0, earlier = 0;
    for (const auto& i : report.items) {
      sent += i.sent;
      earlier += i.earlier;
      if (i.earlier && i.ok() && ctx.out.verbosity() != Verbosity::verbose) continue;
      out << i.state << "  " << i.account << ":" << i.app << "/" << i.version << "/" << i.asset;
      if (i.job_id.starts_with("image:")) {
        out << "  image " << i.job_id.substr(6);
      } else if (!i.job_id.empty()) {
        out << "  job " << i.job_id;
      }
      if (!i.message.empty()) out << "  (" << i.message << ")";
      out << '\n';
    }
    out << report.items.size() << " items in " << report.bundles.size() << " bundle(s): "
        << (dry_run ? "dry run, nothing sent" : std::to_string(sent) + " submitted now") << ", " << earlier
        << " done by earlier imports";
    if (const auto path = option<std::string>(ctx.args, "report")) out << "; report " << *path;
    out << '\n';
  }
  switch (report.exit_code()) {
    case ExitCode::success: return {};
    case ExitCode::partial: return Error(ErrorCode::partial, "some items were not imported (see above)");
    case ExitCode::usage: return Error(ErrorCode::usage, "nothing was imported (see above)");
    case ExitCode::verification:
      return Error(ErrorCode::verification, "nothing was imported: verification or trust refused it (see above)");
    default:
      return Error(report.unauthorized ? ErrorCode::unauthorized : ErrorCode::unavailable,
                   "nothing was imported (see above)");
  }
}

}  // namespace

Command import_command() {
  return {
      .name = "import",
      .synopsis = "airlock import BUNDLE... [--url URL] [--username U --password P | --api-key K | --token T]\n"
                  "       [--state DIR] [--wait] [--wait-timeout D] [--dry-run] [--create-missing] [--api auto|v6|v5]\n"
                  "       [--concurrency N] [--retries N] [--require-contiguous] [--report FILE]\n"
                  "       [--receipt FILE --receipt-key KEY] [--key KEY]",
      .summary = "verify bundles and replay their analyses into Anchore Enterprise, exactly once",
      .description =
          "Each bundle must be signed by a key in the trust store ('airlock trust add'); it\n"
          "is verified in full before anything of it is sent (split volumes: in any order,\n"
          "also over several runs; the bundle goes in once all have arrived). Each item\n"
          "then goes in under its account (sent as x-anchore-account), if the signer is\n"
          "trusted for that account. Enterprise 6.x: as an add-imported-image-asset job in its app version.\n"
          "Enterprise 5.x (no apps; --api v5, or --api auto when GET /v2/apps answers 404):\n"
          "as an image through the imports API (an import operation, one upload per part,\n"
          "then POST /v2/images); app, version and asset then go to the report only. The\n"
          "ledger in the state folder records each item's intent before it is submitted\n"
          "and the job id (5.x: image:<digest>) after: re-importing a bundle sends nothing\n"
          "twice, and after a crash or a lost answer the item is looked up in Anchore\n"
          "before anything is sent again. --wait follows each job until it is complete,\n"
          "failed or cancelled (5.x: each image until analyzed or analysis_failed).\n"
          "Connection errors, 429 and 502/503/504 are retried with jittered backoff (a 500\n"
          "three times). Exit 0 all done (also: nothing new), 3 nothing passed\n"
          "verification or trust, 4 some items failed or were refused, 1 none could be\n"
          "imported. Anchore settings are AnchoreCTL's: ANCHORECTL_URL,\n"
          "ANCHORECTL_USERNAME, ANCHORECTL_PASSWORD and .anchorectl.yaml. --receipt writes\n"
          "a receipt signed with --receipt-key for the isolated side's 'airlock receipt\n"
          "apply'.",
      .examples = "  airlock import /media/usb/transfer.airlock --wait --report import-report.json\n"
                  "  ANCHORECTL_URL=https://anchore:8228 airlock import *.airlock --dry-run\n"
                  "  airlock import x.airlock --create-missing --concurrency 8 --api-key \"$KEY\"\n"
                  "  airlock import x.airlock --api v5 --wait    # Anchore Enterprise 5.x\n",
      .declare =
          [](CommandOptions& o) {
            o.options.add_options()
              ("bundle", po::value<std::vector<std::string>>()->required()->value_name("BUNDLE"), "bundle files")
              ("wait", po::bool_switch(), "follow each job until it is complete, failed or cancelled (5.x: analyzed)")
              ("wait-timeout", po::value<std::string>()->default_value("30m")->value_name("D"),
               "stop following jobs after D; unfinished ones are followed by the next run")
              ("poll-interval", po::value<std::string>()->default_value("2s")->value_name("D"),
               "first wait between job polls (grows 1.5x to 30s)")
              ("dry-run", po::bool_switch(), "verify and resolve everything; submit nothing, record nothing")
              ("create-missing", po::bool_switch(), "create apps and versions that do not exist yet")
              ("app-contact", po::value<std::string>()->value_name("NAME"), "contact name for created apps (default: the user)")
              ("api", po::value<std::string>()->default_value("auto")->value_name("auto|v6|v5"),
               "Anchore API: v6 apps and jobs, v5 the 5.x imports API, auto asks the server (GET /v2/apps)")
              ("concurrency", po::value<int>()->default_value(4)->value_name("N"), "items submitted at once")
              ("require-contiguous", po::bool_switch(), "refuse a bundle when an earlier sequence is missing (exit 3)")
              ("report", po::value<std::string>()->value_name("FILE"), "write the JSON report here")
              ("receipt", po::value<std::string>()->value_name("FILE"),
               "write a signed receipt for the isolated side ('airlock receipt apply')")
              ("receipt-key", po::value<std::string>()->value_name("KEY"), "the secret key that signs the receipt")
              ("key", po::value<std::string>()->value_name("KEY"), "secret key to decrypt encrypted bundles");
            o.positional.add("bundle", -1);
            declare_anchore_flags(o);
            declare_config_flags(o, {"state"});
          },
      .run = run_import,
  };
}

}  // namespace airlock::cli
