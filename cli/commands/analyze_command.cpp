// airlock analyze: an image into the store, with AnchoreCTL's flags.
#include <nlohmann/json.hpp>
#include <ostream>
#include <atomic>
#include <mutex>
#include <thread>
#include <yaml-cpp/yaml.h>

#include "analyze/analysis.hpp"
#include "analyze/image_reference.hpp"
#include "base/file.hpp"
#include "cli/commands/commands.hpp"
#include "cli/terminal_progress.hpp"
#include "cli/version_info.hpp"
#include "crypto/system_random.hpp"

namespace airlock::cli {

namespace {

// AnchoreCTL's --from values: where to read the image named by reference.
Result<SourceSpec> source_from(const std::string& image, const std::string& from) {
  for (const char* scheme : {"docker-archive:", "oci-archive:", "oci-dir:"}) {
    if (from.starts_with(scheme)) {
      AIRLOCK_TRY_ASSIGN(SourceSpec spec, parse_source_spec(from));
      return spec;
    }
  }
  if (from == "registry") return SourceSpec{SourceKind::registry, image};
  if (from == "docker") return SourceSpec{SourceKind::docker, image};
  if (from == "podman") return SourceSpec{SourceKind::podman, image};
  return Error(ErrorCode::usage, "--from must be registry, docker, podman, docker-archive:PATH, oci-archive:PATH "
                                 "or oci-dir:PATH, not '" + from + "'");
}

bool has_scheme(const std::string& text) {
  for (const char* scheme : {"docker-archive:", "oci-archive:", "oci-dir:", "dir:", "docker:", "podman:", "registry:"}) {
    if (text.starts_with(scheme)) return true;
  }
  return false;
}


}  // namespace

Result<AnalysisResult> analyze_one(const AnalyzeFields& f, SourceOptions source_options,
                                   const std::filesystem::path& store_dir, unsigned threads, Progress* progress) {
  AnalysisRequest request;
  request.app = f.app;
  request.version = f.version;
  if (request.app.empty()) return Error(ErrorCode::usage, "--app is required (or set ANCHORECTL_APP)");
  if (request.version.empty()) return Error(ErrorCode::usage, "--version is required (or set ANCHORECTL_VERSION)");
  if (f.image.empty()) return Error(ErrorCode::usage, "no image given");
  request.account = f.account;
  request.asset = f.asset;
  request.asset_type = f.type;
  if (!f.annotations.empty()) {
    AIRLOCK_TRY_ASSIGN(request.annotations, parse_annotations(f.annotations));
  }
  if (!f.dockerfile.empty()) {
    AIRLOCK_TRY_ASSIGN(std::string dockerfile, read_small_file(f.dockerfile, 4 * 1024 * 1024));
    request.dockerfile = std::move(dockerfile);
  }
  if (!f.platform.empty()) {
    AIRLOCK_TRY_ASSIGN(const Platform platform, parse_platform(f.platform));
    source_options.platform = platform;
  }
  request.user_input = f.image;
  request.tool_version = k_airlock_version;
  request.threads = threads;
  request.progress = progress;
  request.use_layer_cache = f.layer_cache;

  // Two spellings: AnchoreCTL's (a reference, --from says where) and syft's
  // (a scheme-prefixed or bare source; the reference from --ref).
  SourceSpec spec{SourceKind::registry, f.image};
  std::error_code ec;
  if (!f.from.empty()) {
    if (!f.ref.empty()) return Error(ErrorCode::usage, "--ref goes with a source like docker-archive:PATH, not with --from");
    AIRLOCK_TRY_ASSIGN(spec, source_from(f.image, f.from));
    request.reference = f.image;
  } else if (has_scheme(f.image) || std::filesystem::exists(f.image, ec)) {
    AIRLOCK_TRY_ASSIGN(spec, parse_source_spec(f.image));
    request.reference = f.ref;
  } else {
    if (!f.ref.empty()) return Error(ErrorCode::usage, "--ref goes with a source like docker-archive:PATH");
    request.reference = f.image;  // a reference, read from its registry as AnchoreCTL does by default
  }
  if (!request.reference.empty()) {
    AIRLOCK_TRY_ASSIGN(const ImageReference parsed, parse_image_reference(request.reference));
    request.reference = parsed.name() + (parsed.tag.empty() ? "" : ":" + parsed.tag);
  }
  AIRLOCK_TRY_ASSIGN(auto image, open_image_source(spec, source_options));
  AIRLOCK_TRY_ASSIGN(auto store, Store::open(store_dir, Store::Open::create));
  SystemRandom random;
  return analyze_image(*image, request, *store, random);
}

namespace {

Result<std::vector<AnalyzeFields>> read_batch(const std::string& path, const AnalyzeFields& defaults) {
  AIRLOCK_TRY_ASSIGN(const std::string text, read_small_file(path, 16 * 1024 * 1024));
  YAML::Node root;  // YAML is a superset of JSON: one parser reads both
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::usage, "batch file " + path + " is not valid YAML/JSON (line " +
                                       std::to_string(e.mark.line + 1) + "): " + e.msg);
  }
  if (!root.IsSequence()) return Error(ErrorCode::usage, "batch file " + path + " must be a list of images");
  std::vector<AnalyzeFields> out;
  std::size_t n = 0;
  for (const auto& entry : root) {
    ++n;
    AnalyzeFields f = defaults;
    if (entry.IsScalar()) {
      f.image = entry.Scalar();
      out.push_back(f);
      continue;
    }
    if (!entry.IsMap()) return Error(ErrorCode::usage, path + ": entry " + std::to_string(n) + " is not a mapping");
    for (const auto& kv : entry) {
      const std::string key = kv.first.Scalar();
      std::string value;
      if (kv.second.IsScalar()) {
        value = kv.second.Scalar();
      } else if (key == "annotations" && kv.second.IsMap()) {
        for (const auto& a : kv.second) value += (value.empty() ? "" : ",") + a.first.Scalar() + "=" + a.second.Scalar();
      } else {
        return Error(ErrorCode::usage, path + ": entry " + std::to_string(n) + ": '" + key + "' must be a single value");
      }
      if (key == "image") f.image = value;
      else if (key == "app") f.app = value;
      else if (key == "version") f.version = value;
      else if (key == "asset") f.asset = value;
      else if (key == "from") f.from = value;
      else if (key == "ref") f.ref = value;
      else if (key == "account") f.account = value;
      else if (key == "annotations") f.annotations = value;
      else if (key == "dockerfile") f.dockerfile = value;
      else if (key == "type") f.type = value;
      else if (key == "platform") f.platform = value;
      else return Error(ErrorCode::usage, path + ": entry " + std::to_string(n) + ": unknown field '" + key + "'");
    }
    out.push_back(f);
  }
  if (out.empty()) return Error(ErrorCode::usage, "batch file " + path + " lists no images");
  return out;
}

Status run_batch(CommandContext& ctx, const std::string& batch_file, const AnalyzeFields& defaults,
                 const SourceOptions& source_options, const std::filesystem::path& store_dir) {
  AIRLOCK_TRY_ASSIGN(const auto entries, read_batch(batch_file, defaults));
  // Check every entry's arguments before any work.
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].annotations.empty()) {
      AIRLOCK_TRY(parse_annotations(entries[i].annotations).context(batch_file + ": entry " + std::to_string(i + 1)));
    }
  }
  auto progress = ctx.out.progress();
  progress->begin("analyzing " + std::to_string(entries.size()) + " images", entries.size());
  std::mutex mutex;
  std::vector<std::optional<Result<AnalysisResult>>> results(entries.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < entries.size(); i = next++) {
      auto r = analyze_one(entries[i], source_options, store_dir, 1, nullptr);
      std::lock_guard lock(mutex);
      results[i] = std::move(r);
      progress->advance(1);
    }
  };
  const unsigned workers = std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(), entries.size()));
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  progress->end();

  std::size_t failed = 0;
  nlohmann::ordered_json doc = nlohmann::ordered_json::array();
  if (!ctx.out.json()) ctx.out.result() << "RESULT            IMAGE\n";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& r = *results[i];
    if (!r.ok()) ++failed;
    if (ctx.out.json()) {
      doc.push_back({{"image", entries[i].image}, {"id", r.ok() ? r->item.id : ""},
                     {"error", r.ok() ? "" : r.error().message()}});
    } else {
      char line[64];
      std::snprintf(line, sizeof line, "%-16s  ", r.ok() ? r->item.id.c_str() : "FAILED");
      ctx.out.result() << line << entries[i].image << '\n';
      if (!r.ok()) ctx.out.warning(entries[i].image + ": " + r.error().message());
    }
  }
  if (ctx.out.json()) ctx.out.result() << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  if (failed == entries.size()) return Error(ErrorCode::io, "every image of the batch failed");
  if (failed > 0) {
    return Error(ErrorCode::partial, std::to_string(failed) + " of " + std::to_string(entries.size()) + " images failed");
  }
  return {};
}

Status run_analyze(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const Config config, load_config(ctx));
  AnalyzeFields f;
  f.app = option<std::string>(ctx.args, "app").value_or(ctx.env.get("ANCHORECTL_APP").value_or(""));
  f.version = option<std::string>(ctx.args, "version").value_or(ctx.env.get("ANCHORECTL_VERSION").value_or(""));
  f.account = config.get("account").value_or("");
  f.asset = option<std::string>(ctx.args, "asset").value_or("");
  f.type = ctx.args["type"].as<std::string>();
  f.annotations = option<std::string>(ctx.args, "annotations").value_or("");
  f.dockerfile = option<std::string>(ctx.args, "dockerfile").value_or("");
  f.from = option<std::string>(ctx.args, "from").value_or("");
  f.ref = option<std::string>(ctx.args, "ref").value_or("");
  f.image = option<std::string>(ctx.args, "image").value_or("");
  f.layer_cache = !ctx.args["no-layer-cache"].as<bool>();
  AIRLOCK_TRY_ASSIGN(const SourceOptions source_options, source_options_from(ctx));
  const std::filesystem::path store_dir = config.get("store").value_or("./airlock-store");

  if (auto batch = option<std::string>(ctx.args, "batch")) {
    if (!f.image.empty()) return Error(ErrorCode::usage, "give IMAGE or --batch FILE, not both");
    return run_batch(ctx, *batch, f, source_options, store_dir);
  }
  if (f.image.empty()) return Error(ErrorCode::usage, "no IMAGE given; see 'airlock analyze --help'");
  // Usage errors before any work.
  if (f.app.empty()) return Error(ErrorCode::usage, "--app is required (or set ANCHORECTL_APP)");
  if (f.version.empty()) return Error(ErrorCode::usage, "--version is required (or set ANCHORECTL_VERSION)");
  if (!f.annotations.empty()) AIRLOCK_TRY(parse_annotations(f.annotations));

  auto progress = ctx.out.progress();
  AIRLOCK_TRY_ASSIGN(const AnalysisResult result,
                     analyze_one(f, source_options, store_dir, std::max(1u, std::thread::hardware_concurrency()),
                                 progress.get()));
  for (const auto& w : result.warnings) ctx.out.warning(w);
  const Item& item = result.item;
  if (result.replaced) ctx.out.info("replaced pending item " + *result.replaced + " for the same asset");
  if (ctx.out.json()) {
    nlohmann::ordered_json doc = {{"id", item.id}, {"account", item.account}, {"app", item.app},
                                  {"version", item.version}, {"asset", item.asset}, {"type", item.asset_type},
                                  {"image_reference", item.image_reference}, {"image_digest", item.image_digest},
                                  {"tags", item.tags}, {"platform", item.platform}, {"packages", item.package_count},
                                  {"annotations", item.annotations}, {"replaced", result.replaced.value_or("")},
                                  {"store", store_dir.string()}};
    ctx.out.result() << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  } else {
    ctx.out.result() << item.id << '\n';
    ctx.out.info("analyzed " + item.image_reference + ": " + std::to_string(item.package_count) + " packages, " +
                 human_bytes(item.total_size()) + " stored in " + store_dir.string());
  }
  return {};
}

}  // namespace

Command analyze_command() {
  return {
      .name = "analyze",
      .synopsis = "airlock analyze (IMAGE | --batch FILE) --app APP --version VERSION [--asset NAME] [--from SOURCE] [--ref REF] "
                  "[--account ACCOUNT] [--annotations k=v,…] [--dockerfile PATH] [--type TYPE] [--platform P] "
                  "[--store DIR]",
      .summary = "analyze an image into the store, as AnchoreCTL's distributed analysis does",
      .description =
          "Makes the syft-json SBOM, keeps the manifest, config and parent index, and\n"
          "records them in the store (--store, $AIRLOCK_STORE, ./airlock-store) as one\n"
          "item for (account, app, version, asset); prints the item id. A pending item\n"
          "for the same asset is replaced. Two spellings of IMAGE:\n"
          "  AnchoreCTL's: a reference, with --from registry|docker|podman|\n"
          "    docker-archive:PATH|oci-archive:PATH|oci-dir:PATH (default registry);\n"
          "  syft's: a source such as docker-archive:PATH; the reference comes from\n"
          "    --ref, else the archive's own tag, else localhost/<asset>:latest.\n"
          "The asset name defaults to the reference's repository without registry and\n"
          "Docker Hub's library/ ('nginx', 'acme/api'). Annotations follow Anchore's\n"
          "rules: at most 10, keys [A-Za-z0-9._/-], values up to 1024 characters, 'k='\n"
          "drops k. The account comes from --account, ANCHORECTL_ACCOUNT or the config.\n"
          "--batch FILE analyzes a YAML or JSON list (entries with the fields image,\n"
          "app, version, asset, from, ref, account, annotations, dockerfile, type,\n"
          "platform; command-line flags are the defaults) with a worker per core; it\n"
          "prints a summary and exits 4 when some images failed.\n"
          "Secret, content and file-content searches are not built yet.",
      .examples = "  airlock analyze docker.io/acme/api:1.4.0 --app shop --version 1.4.0 --from docker-archive:api.tar\n"
                  "  airlock analyze oci-archive:api.oci.tar --ref acme/api:1.4.0 --app shop --version 1.4.0\n"
                  "  airlock analyze registry.enclave:5000/team/db:15 --app shop --version 1.4.0 \\\n"
                  "      --annotations 'owner=dba,tier=gold' --account production\n"
                  "  airlock analyze --batch nightly.yaml --app shop --version 1.4.0\n",
      .declare =
          [](CommandOptions& o) {
            o.options.add_options()
              ("image", po::value<std::string>()->value_name("IMAGE"), "image reference or source")
              ("batch", po::value<std::string>()->value_name("FILE"), "analyze the images a YAML/JSON list names, in parallel")
              ("app", po::value<std::string>()->value_name("APP"), "application name [ANCHORECTL_APP]")
              ("version", po::value<std::string>()->value_name("VERSION"), "application version [ANCHORECTL_VERSION]")
              ("asset", po::value<std::string>()->value_name("NAME"), "asset name (default: from the reference)")
              ("from", po::value<std::string>()->value_name("SOURCE"), "where to read a reference from")
              ("ref", po::value<std::string>()->value_name("REF"), "image reference for a source like docker-archive:PATH")
              ("annotations", po::value<std::string>()->value_name("k=v,..."), "asset annotations")
              ("dockerfile", po::value<std::string>()->value_name("PATH"), "Dockerfile to attach")
              ("type", po::value<std::string>()->default_value("container")->value_name("TYPE"), "asset type")
              ("no-layer-cache", po::bool_switch(), "read every layer, even those analyzed before");
            declare_config_flags(o, {"account", "store"});
            declare_source_flags(o);
            o.positional.add("image", 1);
          },
      .run = run_analyze,
  };
}

}  // namespace airlock::cli
