// airlock analyze: an image into the store, with AnchoreCTL's flags.
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

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

Status run_analyze(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const Config config, load_config(ctx));
  AnalysisRequest request;
  request.app = option<std::string>(ctx.args, "app").value_or(ctx.env.get("ANCHORECTL_APP").value_or(""));
  request.version = option<std::string>(ctx.args, "version").value_or(ctx.env.get("ANCHORECTL_VERSION").value_or(""));
  if (request.app.empty()) return Error(ErrorCode::usage, "--app is required (or set ANCHORECTL_APP)");
  if (request.version.empty()) return Error(ErrorCode::usage, "--version is required (or set ANCHORECTL_VERSION)");
  request.account = config.get("account").value_or("");
  request.asset = option<std::string>(ctx.args, "asset").value_or("");
  request.asset_type = ctx.args["type"].as<std::string>();
  if (auto a = option<std::string>(ctx.args, "annotations")) {
    AIRLOCK_TRY_ASSIGN(request.annotations, parse_annotations(*a));
  }
  if (auto d = option<std::string>(ctx.args, "dockerfile")) {
    AIRLOCK_TRY_ASSIGN(std::string dockerfile, read_small_file(*d, 4 * 1024 * 1024));
    request.dockerfile = std::move(dockerfile);
  }
  const std::string image_arg = ctx.args["image"].as<std::string>();
  request.user_input = image_arg;
  request.tool_version = k_airlock_version;
  request.threads = std::max(1u, std::thread::hardware_concurrency());

  // Two spellings: AnchoreCTL's (a reference, --from says where) and syft's
  // (a scheme-prefixed or bare source; the reference from --ref).
  SourceSpec spec{SourceKind::registry, image_arg};
  const auto from = option<std::string>(ctx.args, "from");
  const auto ref = option<std::string>(ctx.args, "ref");
  std::error_code ec;
  if (from) {
    if (ref) return Error(ErrorCode::usage, "--ref goes with a source like docker-archive:PATH, not with --from");
    AIRLOCK_TRY_ASSIGN(spec, source_from(image_arg, *from));
    request.reference = image_arg;
  } else if (has_scheme(image_arg) || std::filesystem::exists(image_arg, ec)) {
    AIRLOCK_TRY_ASSIGN(spec, parse_source_spec(image_arg));
    if (ref) request.reference = *ref;
  } else {
    if (ref) return Error(ErrorCode::usage, "--ref goes with a source like docker-archive:PATH");
    request.reference = image_arg;  // a reference; read from its registry, as AnchoreCTL does by default
  }
  if (!request.reference.empty()) {
    AIRLOCK_TRY_ASSIGN(const ImageReference parsed, parse_image_reference(request.reference));
    request.reference = parsed.name() + (parsed.tag.empty() ? "" : ":" + parsed.tag);
  }

  AIRLOCK_TRY_ASSIGN(const SourceOptions source_options, source_options_from(ctx));
  AIRLOCK_TRY_ASSIGN(auto image, open_image_source(spec, source_options));
  const std::filesystem::path store_dir = config.get("store").value_or("./airlock-store");
  AIRLOCK_TRY_ASSIGN(auto store, Store::open(store_dir, Store::Open::create));
  auto progress = ctx.out.progress();
  request.progress = progress.get();
  SystemRandom random;
  AIRLOCK_TRY_ASSIGN(const AnalysisResult result, analyze_image(*image, request, *store, random));
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
      .synopsis = "airlock analyze IMAGE --app APP --version VERSION [--asset NAME] [--from SOURCE] [--ref REF] "
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
          "Secret, content and file-content searches and --batch are not built yet.",
      .examples = "  airlock analyze docker.io/acme/api:1.4.0 --app shop --version 1.4.0 --from docker-archive:api.tar\n"
                  "  airlock analyze oci-archive:api.oci.tar --ref acme/api:1.4.0 --app shop --version 1.4.0\n"
                  "  airlock analyze registry.enclave:5000/team/db:15 --app shop --version 1.4.0 \\\n"
                  "      --annotations 'owner=dba,tier=gold' --account production\n",
      .declare =
          [](CommandOptions& o) {
            o.options.add_options()
              ("image", po::value<std::string>()->required()->value_name("IMAGE"), "image reference or source")
              ("app", po::value<std::string>()->value_name("APP"), "application name [ANCHORECTL_APP]")
              ("version", po::value<std::string>()->value_name("VERSION"), "application version [ANCHORECTL_VERSION]")
              ("asset", po::value<std::string>()->value_name("NAME"), "asset name (default: from the reference)")
              ("from", po::value<std::string>()->value_name("SOURCE"), "where to read a reference from")
              ("ref", po::value<std::string>()->value_name("REF"), "image reference for a source like docker-archive:PATH")
              ("annotations", po::value<std::string>()->value_name("k=v,..."), "asset annotations")
              ("dockerfile", po::value<std::string>()->value_name("PATH"), "Dockerfile to attach")
              ("type", po::value<std::string>()->default_value("container")->value_name("TYPE"), "asset type");
            declare_config_flags(o, {"account", "store"});
            declare_source_flags(o);
            o.positional.add("image", 1);
          },
      .run = run_analyze,
  };
}

}  // namespace airlock::cli
