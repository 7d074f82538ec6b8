// airlock export, verify, inspect: signed bundles.
#include <nlohmann/json.hpp>
#include <ostream>

#include "base/file.hpp"
#include "cli/commands/commands.hpp"
#include "cli/terminal_progress.hpp"
#include "crypto/key_file.hpp"
#include "crypto/system_random.hpp"
#include "export/exporter.hpp"
#include "export/split.hpp"
#include "store/bundle_reader.hpp"
#include "store/bundle_volumes.hpp"

namespace airlock::cli {

namespace {

Result<std::vector<PublicKey>> trusted_keys(const CommandContext& ctx) {
  std::vector<PublicKey> keys;
  for (const auto& path : option<std::vector<std::string>>(ctx.args, "trust").value_or(std::vector<std::string>{})) {
    AIRLOCK_TRY_ASSIGN(const KeyFileInfo info, read_any_key_file(path));
    keys.push_back(info.public_key);
  }
  return keys;
}

nlohmann::ordered_json items_json(const BundleManifest& m) {
  auto items = nlohmann::ordered_json::array();
  for (const auto& i : m.items) {
    std::uint64_t size = 0;
    for (const auto& p : i.parts) size += p.size;
    items.push_back({{"id", i.id}, {"account", i.account}, {"app", i.app}, {"version", i.version}, {"asset", i.asset},
                     {"type", i.asset_type}, {"image_reference", i.image_reference}, {"image_digest", i.image_digest},
                     {"platform", i.platform}, {"packages", i.package_count}, {"annotations", i.annotations},
                     {"size", size}});
  }
  return items;
}

Status run_export(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const Config config, load_config(ctx));
  AIRLOCK_TRY_ASSIGN(const SecretKey key, read_secret_key_file(ctx.args["key"].as<std::string>()));
  AIRLOCK_TRY_ASSIGN(auto store, Store::open(config.get("store").value_or("./airlock-store"), Store::Open::existing));
  ExportOptions options;
  options.output = ctx.args["output"].as<std::string>();
  options.destination = ctx.args["destination"].as<std::string>();
  options.all = ctx.args["all"].as<bool>();
  options.resend_unacknowledged = ctx.args["resend-unacknowledged"].as<bool>();
  options.dry_run = ctx.args["dry-run"].as<bool>();
  for (const auto& path : option<std::vector<std::string>>(ctx.args, "recipient").value_or(std::vector<std::string>{})) {
    AIRLOCK_TRY_ASSIGN(const PublicKey recipient, read_public_key_file(path));
    options.recipients.push_back(recipient);
  }
  if (const auto split = option<std::string>(ctx.args, "split-size")) {
    AIRLOCK_TRY_ASSIGN(options.split_size, parse_split_size(*split));
  }
  SystemRandom random;
  AIRLOCK_TRY_ASSIGN(const ExportResult result, export_bundle(*store, key, options, random));
  const BundleManifest& m = result.manifest;
  if (m.items.empty()) {
    if (ctx.out.json()) {
      ctx.out.result() << nlohmann::ordered_json{{"written", false}, {"items", 0}}.dump(2) << '\n';
    } else {
      ctx.out.result() << "nothing new to export to '" << options.destination << "' (use --all to send everything again)\n";
    }
    return {};
  }
  if (ctx.out.json()) {
    nlohmann::ordered_json j{{"written", result.written}, {"bundle", options.output.string()},
                             {"bundle_id", m.bundle_id}, {"sequence", m.sequence},
                             {"destination", m.destination}, {"manifest_sha256", result.manifest_hash.oci()},
                             {"size", result.bundle_size}};
    if (options.split_size > 0) {
      j["split_size"] = options.split_size;
      j["volumes"] = nlohmann::ordered_json::array();
      for (const auto& v : result.volumes) {
        j["volumes"].push_back({{"path", v.path.string()}, {"index", v.index}, {"size", v.size}, {"parts", v.members}});
      }
    }
    j["items"] = items_json(m);
    ctx.out.result() << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
    return {};
  }
  if (options.split_size > 0) {
    ctx.out.result() << (options.dry_run ? "would write " : "wrote ") << result.volumes.size() << " volume"
                     << (result.volumes.size() == 1 ? "" : "s") << " of at most " << options.split_size << " bytes: "
                     << m.items.size() << " items, " << m.members.size() << " parts, " << human_bytes(result.bundle_size)
                     << ", sequence " << m.sequence << " to '" << m.destination << "'\n";
    for (const auto& v : result.volumes) {
      ctx.out.result() << "  " << v.path.string() << "  " << v.size << " bytes (" << human_bytes(v.size) << "), "
                       << v.members << " parts\n";
    }
  } else {
    ctx.out.result() << (options.dry_run ? "would write " : "wrote ") << options.output.string() << ": "
                     << m.items.size() << " items, " << m.members.size() << " parts, "
                     << human_bytes(result.bundle_size) << (options.dry_run ? " (estimated)" : "") << ", sequence "
                     << m.sequence << " to '" << m.destination << "'\n";
  }
  for (const auto& i : m.items) ctx.out.result() << "  " << i.id << "  " << i.app << "/" << i.version << "/" << i.asset << "  " << i.image_reference << '\n';
  return {};
}

Status run_verify(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const auto keys, trusted_keys(ctx));
  if (keys.empty()) return Error(ErrorCode::usage, "verify needs --trust PUB (the producer's public key)");
  // Volumes of split bundles, by producer and bundle id, in the order met.
  std::vector<std::pair<std::string, VolumeSet>> sets;
  for (const auto& path : ctx.args["bundle"].as<std::vector<std::string>>()) {
    AIRLOCK_TRY_ASSIGN(auto file, FileSource::open(path));
    AIRLOCK_TRY_ASSIGN(const VerifiedBundle bundle, verify_bundle(*file, keys, path));
    const BundleManifest& m = bundle.manifest;
    ctx.out.result() << "OK  " << path << "  ";
    if (m.volume) {
      ctx.out.result() << "volume " << m.volume->index << " of " << m.volume->count << " of bundle " << m.bundle_id
                       << ", " << m.members.size() << " parts, ";
    }
    ctx.out.result() << "sequence " << m.sequence << ", " << m.items.size() << " items, signed by " << m.producer_key_id << '\n';
    if (!m.volume) continue;
    const std::string id = m.producer_key_id + "\n" + m.bundle_id;
    auto set = std::find_if(sets.begin(), sets.end(), [&](const auto& s) { return s.first == id; });
    if (set == sets.end()) set = sets.insert(sets.end(), {id, VolumeSet{}});
    AIRLOCK_TRY(set->second.add(bundle, path));
  }
  for (const auto& [id, set] : sets) {
    const auto missing = set.missing();
    if (missing.empty()) {
      ctx.out.result() << "COMPLETE  bundle " << set.manifest().bundle_id << ": all " << set.count()
                       << " volumes verified and consistent\n";
    } else {
      ctx.out.result() << "INCOMPLETE  bundle " << set.manifest().bundle_id << ": volume" << (missing.size() > 1 ? "s " : " ")
                       << volume_list(missing) << " of " << set.count() << " not given (those given verify)\n";
    }
  }
  return {};
}

Status run_inspect(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const auto keys, trusted_keys(ctx));
  const std::string path = ctx.args["bundle"].as<std::vector<std::string>>().front();
  AIRLOCK_TRY_ASSIGN(auto file, FileSource::open(path));
  AIRLOCK_TRY_ASSIGN(const ManifestPeek peek, read_bundle_manifest(*file, keys, path));
  const BundleManifest& m = peek.manifest;
  std::uint64_t size = 0;
  for (const auto& member : m.members) size += member.size;
  if (ctx.out.json()) {
    ctx.out.result() << nlohmann::ordered_json{{"bundle", path}, {"signature_checked", peek.signature_checked},
                                               {"bundle_id", m.bundle_id}, {"created", m.created},
                                               {"producer", m.producer_key_id}, {"destination", m.destination},
                                               {"sequence", m.sequence}, {"previous", m.previous ? m.previous->oci() : ""},
                                               {"manifest_sha256", peek.manifest_hash.oci()}, {"members", m.members.size()},
                                               {"compressed_size", size},
                                               {"volume", m.volume ? nlohmann::ordered_json{{"index", m.volume->index}, {"count", m.volume->count},
                                                                                            {"first", m.volume->first ? m.volume->first->oci() : ""}}
                                                                   : nlohmann::ordered_json(nullptr)},
                                               {"items", items_json(m)}}
                            .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                     << '\n';
  } else {
    auto& out = ctx.out.result();
    out << "bundle:      " << path << (peek.signature_checked ? "  (signature checked)" : "  (signature NOT checked: give --trust PUB)") << '\n';
    out << "producer:    " << m.producer_key_id << '\n';
    out << "destination: " << m.destination << ", sequence " << m.sequence
        << (m.previous ? ", after " + m.previous->oci() : ", the first") << '\n';
    out << "created:     " << m.created << '\n';
    if (m.volume) {
      out << "volume:      " << m.volume->index << " of " << m.volume->count << " (holds " << m.members.size()
          << " of the bundle's " << m.member_volumes.size() << " parts; the items listed are the whole bundle's)\n";
    }
    if (m.encrypted()) {
      out << "encrypted:   to";
      for (const auto& r : m.recipients) out << ' ' << r;
      out << '\n';
    }
    out << "contents:    " << m.items.size() << " items, " << m.members.size() << " parts, " << human_bytes(size) << " compressed\n";
    for (const auto& i : m.items) {
      out << "  " << (i.account.empty() ? "" : i.account + ":") << i.app << "/" << i.version << "/" << i.asset << "  "
          << i.image_reference << "  " << i.package_count << " packages";
      if (!i.annotations.empty()) {
        out << "  {";
        bool first = true;
        for (const auto& [k, v] : i.annotations) {
          out << (first ? "" : ", ") << k << "=" << v;
          first = false;
        }
        out << "}";
      }
      out << '\n';
    }
  }
  if (!keys.empty() && !peek.signature_checked) {
    return Error(ErrorCode::verification, path + " is not signed by any of the trusted keys");
  }
  return {};
}

void bundle_positional(CommandOptions& o) {
  o.options.add_options()("bundle", po::value<std::vector<std::string>>()->required()->value_name("BUNDLE"), "bundle files")
      ("trust", po::value<std::vector<std::string>>()->value_name("PUB"), "a trusted producer public key (repeatable)");
  o.positional.add("bundle", -1);
}

}  // namespace

Command export_command() {
  return {.name = "export",
          .synopsis = "airlock export --key KEY -o BUNDLE [--store DIR] [--destination NAME] [--all | --resend-unacknowledged]\n"
                      "       [--recipient PUB]... [--split-size SIZE] [--dry-run]",
          .summary = "pack the items not yet sent to a destination into a signed bundle",
          .description = "Writes manifest.json (every item and the SHA-256 of every member), manifest.sig\n"
                         "(Ed25519, by KEY) and each distinct part once, zstd-compressed. The bundle is\n"
                         "written atomically; its items then count as exported to that destination.\n"
                         "Each bundle to a destination has the next sequence number and names the\n"
                         "previous bundle's manifest hash (--resend-unacknowledged also re-sends items\n"
                         "sent before that no receipt acknowledged). --recipient encrypts each content member to\n"
                         "the given keys (X25519 sealed key + XChaCha20-Poly1305), then signs: a guard\n"
                         "can verify without any secret. --split-size SIZE writes the bundle as volumes\n"
                         "BUNDLE.001.airlock, BUNDLE.002.airlock, ... (a trailing .airlock in BUNDLE is\n"
                         "dropped first) of at most SIZE bytes each, every one signed and verifiable\n"
                         "alone; a part is never split, so SIZE must hold the largest one. SIZE: bytes,\n"
                         "or K, M, G, T (powers of 1000, as media are sold: 4.7G = 4,700,000,000 bytes)\n"
                         "or KiB, MiB, GiB, TiB (powers of 1024). All volumes are written, or none.\n"
                         "Format: docs/bundle-format.md.",
          .examples = "  airlock export --key keys/airlock.key -o /media/usb/transfer-2026-12-04.airlock\n"
                      "  airlock export --key keys/airlock.key -o x.airlock --destination lab --dry-run\n"
                      "  airlock export --key keys/airlock.key -o dvd/transfer.airlock --split-size 4.7G\n",
          .declare =
              [](CommandOptions& o) {
                o.options.add_options()
                  ("key", po::value<std::string>()->required()->value_name("KEY"), "the producer's secret key (airlock.key)")
                  ("output,o", po::value<std::string>()->required()->value_name("BUNDLE"), "bundle file to write")
                  ("destination", po::value<std::string>()->default_value("default")->value_name("NAME"),
                   "where the bundle goes; 'new items' are counted per destination")
                  ("all", po::bool_switch(), "send every item, including those sent before")
                  ("resend-unacknowledged", po::bool_switch(),
                   "also send items sent before that no receipt has acknowledged")
                  ("dry-run", po::bool_switch(), "say what would go and check free space; write nothing")
                  ("recipient", po::value<std::vector<std::string>>()->value_name("PUB"),
                   "encrypt the contents to this public key (repeatable); verify still needs only the producer's key")
                  ("split-size", po::value<std::string>()->value_name("SIZE"),
                   "write volumes of at most SIZE bytes (4.7G, 25G, 700M, 1GiB, or bytes), each signed and verifiable alone");
                declare_config_flags(o, {"store"});
              },
          .run = run_export};
}

Command verify_command() {
  return {.name = "verify",
          .synopsis = "airlock verify BUNDLE... --trust PUB...",
          .summary = "check a bundle's signature and every member's hash; exit 3 if anything is off",
          .description = "Needs only public keys. Streams each bundle once: the signature over\n"
                         "manifest.json first, then every member's size and SHA-256, the member list\n"
                         "(none missing, none extra, no links or odd names) and the end of the tar.\n"
                         "A volume of a split bundle verifies alone; given several volumes of one\n"
                         "bundle, verify also checks that they agree and says whether the set is\n"
                         "complete (an incomplete set is not an error: volumes may arrive one by one).",
          .examples = "  airlock verify /media/usb/transfer.airlock --trust producer.pub\n"
                      "  airlock verify transfer.*.airlock --trust producer.pub\n",
          .declare = bundle_positional,
          .run = run_verify};
}

Command inspect_command() {
  return {.name = "inspect",
          .synopsis = "airlock inspect BUNDLE [--trust PUB] [--json]",
          .summary = "show what a bundle holds: producer, sequence, items, sizes",
          .description = "Reads only the manifest. Without --trust the signature is not checked and the\n"
                         "output says so; with --trust a bundle not signed by a trusted key is exit 3.\n"
                         "Run 'airlock verify' to check every member too.",
          .examples = "  airlock inspect transfer.airlock --trust producer.pub\n  airlock inspect transfer.airlock --json\n",
          .declare = bundle_positional,
          .run = run_inspect};
}

}  // namespace airlock::cli
