// airlock app version asset add container-image | container-image-remote:
// AnchoreCTL's direct paths, for a machine that can reach both the image and
// Anchore Enterprise.
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "analyze/image_reference.hpp"
#include "cli/commands/commands.hpp"
#include "import/direct_submit.hpp"
#include "import/imported_asset.hpp"

namespace airlock::cli {

namespace {


// A folder removed when the command ends: the direct path keeps no store.
class ScratchDir {
 public:
  static Result<ScratchDir> create() {
    std::string pattern = (std::filesystem::temp_directory_path() / "airlock-direct-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return Error::from_errno("cannot create a scratch folder in", "$TMPDIR");
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}
  ~ScratchDir() {
    std::error_code ec;
    if (!m_path.empty()) std::filesystem::remove_all(m_path, ec);
  }
  const std::filesystem::path& path() const { return m_path; }

 private:
  explicit ScratchDir(std::filesystem::path path) : m_path(std::move(path)) {}
  std::filesystem::path m_path;
};

struct Common {
  std::string reference, app, version, asset, type;
  std::map<std::string, std::string> annotations;
  bool wait = false;
  JobWait job_wait;
};

Result<Common> common_from(const CommandContext& ctx) {
  Common c;
  c.reference = ctx.args["image"].as<std::string>();
  c.app = option<std::string>(ctx.args, "app").value_or(ctx.env.get("ANCHORECTL_APP").value_or(""));
  c.version = option<std::string>(ctx.args, "version").value_or(ctx.env.get("ANCHORECTL_VERSION").value_or(""));
  if (c.app.empty()) return Error(ErrorCode::usage, "--app is required (or set ANCHORECTL_APP)");
  if (c.version.empty()) return Error(ErrorCode::usage, "--version is required (or set ANCHORECTL_VERSION)");
  c.asset = option<std::string>(ctx.args, "asset").value_or("");
  c.type = ctx.args["type"].as<std::string>();
  if (const auto text = option<std::string>(ctx.args, "annotations")) {
    AIRLOCK_TRY_ASSIGN(c.annotations, parse_annotations(*text));
  }
  c.wait = ctx.args["wait"].as<bool>();
  AIRLOCK_TRY_ASSIGN(c.job_wait.timeout, parse_duration(ctx.args["wait-timeout"].as<std::string>(), "wait-timeout"));
  AIRLOCK_TRY_ASSIGN(c.job_wait.interval, parse_duration(ctx.args["poll-interval"].as<std::string>(), "poll-interval"));
  return c;
}

// Prints the job (and follows it with --wait); a job that fails is exit 1.
Status report_job(CommandContext& ctx, AnchoreApps& apps, Clock& clock, const AnchoreSettings& settings,
                  const std::string& app_id, const Common& c, const std::string& asset, AnchoreJob job) {
  if (!job.warning.empty()) ctx.out.warning(job.warning);
  ctx.out.info("submitted job " + job.id + " for asset '" + asset + "'");
  if (c.wait) {
    AIRLOCK_TRY_ASSIGN(job, wait_for_job(apps, clock, settings.account, app_id, job.id, c.job_wait));
  }
  if (ctx.out.json()) {
    ctx.out.result() << nlohmann::ordered_json{{"job_id", job.id}, {"status", job.status}, {"asset", asset},
                                               {"app", c.app}, {"version", c.version},
                                               {"failure_reason", job.failure_reason}}
                            .dump(2) << '\n';
  } else {
    ctx.out.result() << job.id << "  " << job.status << (job.failure_reason.empty() ? "" : "  " + job.failure_reason) << '\n';
  }
  if (job.status == "failed" || job.status == "cancelled") {
    return Error(ErrorCode::unavailable, "job " + job.id + " for asset '" + asset + "' ended " + job.status +
                                             (job.failure_reason.empty() ? "" : ": " + job.failure_reason));
  }
  return {};
}

Status run_add_container_image(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const Config config, load_config(ctx));
  AIRLOCK_TRY_ASSIGN(const Common c, common_from(ctx));
  AIRLOCK_TRY_ASSIGN(const AnchoreSettings settings, anchore_settings_from(ctx, config));
  // Check the app and version before the (long) analysis.
  CurlHttpClient http;
  SystemClock clock;
  AnchoreClient client(http, settings.connection, settings.retry, clock);
  AnchoreApps apps(client);
  AIRLOCK_TRY_ASSIGN(const AppVersionIds ids, resolve_app_version(apps, settings.account, c.app, c.version));

  AnalyzeFields f;
  f.image = c.reference;
  f.app = c.app;
  f.version = c.version;
  f.asset = c.asset;
  f.type = c.type;
  f.account = settings.account;
  f.annotations = option<std::string>(ctx.args, "annotations").value_or("");
  f.dockerfile = option<std::string>(ctx.args, "dockerfile").value_or("");
  f.from = option<std::string>(ctx.args, "from").value_or("registry");
  f.layer_cache = false;
  AIRLOCK_TRY_ASSIGN(const SourceOptions source_options, source_options_from(ctx));
  AIRLOCK_TRY_ASSIGN(ScratchDir scratch, ScratchDir::create());
  AIRLOCK_TRY_ASSIGN(const AnalysisResult analysis,
                     [&] {
                       auto progress = ctx.out.progress();
                       return analyze_one(f, source_options, scratch.path() / "store",
                                          std::max(1u, std::thread::hardware_concurrency()), progress.get());
                     }());
  for (const auto& w : analysis.warnings) ctx.out.warning(w);
  const Item& item = analysis.item;
  ctx.out.info("analyzed " + item.image_reference + ": " + std::to_string(item.package_count) + " packages");
  AIRLOCK_TRY_ASSIGN(auto store, Store::open(scratch.path() / "store", Store::Open::existing));
  const MultipartBody body = imported_asset_body(item, ids.version_id, store->blobs(), random_multipart_boundary());
  AIRLOCK_TRY_ASSIGN(const AnchoreJob job,
                     submit_asset_job(apps, settings.account, ids.app_id, k_imported_asset_job, body, item.asset));
  return report_job(ctx, apps, clock, settings, ids.app_id, c, item.asset, job);
}

Status run_add_container_image_remote(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const Config config, load_config(ctx));
  AIRLOCK_TRY_ASSIGN(const Common c, common_from(ctx));
  AIRLOCK_TRY_ASSIGN(const AnchoreSettings settings, anchore_settings_from(ctx, config));
  AIRLOCK_TRY_ASSIGN(const ImageReference parsed, parse_image_reference(c.reference));
  std::string pinned = parsed.name() + (parsed.tag.empty() ? "" : ":" + parsed.tag);
  if (!parsed.digest.empty()) {
    pinned += "@" + parsed.digest;
  } else {
    // Anchore wants the exact image: ask the registry which manifest the tag names now.
    AIRLOCK_TRY_ASSIGN(const SourceOptions source_options, source_options_from(ctx));
    AIRLOCK_TRY_ASSIGN(auto image, open_image_source(SourceSpec{SourceKind::registry, c.reference}, source_options));
    pinned += "@" + image->metadata().manifest_digest.oci();
  }
  if (pinned.size() > 512) return Error(ErrorCode::usage, "the image reference is longer than Anchore's 512 characters");
  const std::string asset = c.asset.empty() ? asset_name_for(pinned) : c.asset;
  CurlHttpClient http;
  SystemClock clock;
  AnchoreClient client(http, settings.connection, settings.retry, clock);
  AnchoreApps apps(client);
  AIRLOCK_TRY_ASSIGN(const AppVersionIds ids, resolve_app_version(apps, settings.account, c.app, c.version));
  const MultipartBody body = container_image_remote_body(ids.version_id, asset, c.type, pinned, c.annotations, random_multipart_boundary());
  AIRLOCK_TRY_ASSIGN(const AnchoreJob job, submit_asset_job(apps, settings.account, ids.app_id, k_container_image_job, body, asset));
  return report_job(ctx, apps, clock, settings, ids.app_id, c, asset, job);
}

void declare_common(CommandOptions& o) {
  o.options.add_options()
    ("image", po::value<std::string>()->required()->value_name("REF"), "the image")
    ("app", po::value<std::string>()->value_name("APP"), "app name (or ANCHORECTL_APP)")
    ("version", po::value<std::string>()->value_name("VERSION"), "app version name (or ANCHORECTL_VERSION)")
    ("asset", po::value<std::string>()->value_name("NAME"), "asset name (default: the repository, e.g. acme/api)")
    ("type", po::value<std::string>()->default_value("container")->value_name("TYPE"), "asset type")
    ("annotations", po::value<std::string>()->value_name("k=v,…"), "asset annotations (at most 10)")
    ("wait", po::bool_switch(), "follow the job until it is complete, failed or cancelled")
    ("wait-timeout", po::value<std::string>()->default_value("30m")->value_name("D"), "give up following after D")
    ("poll-interval", po::value<std::string>()->default_value("2s")->value_name("D"), "first wait between polls");
  o.positional.add("image", 1);
  declare_anchore_flags(o);
}

}  // namespace

Command asset_add_container_image_command() {
  return {
      .name = "app version asset add container-image",
      .synopsis = "airlock app version asset add container-image REF --app APP --version VERSION [--asset NAME]\n"
                  "       [--from registry|docker|podman|docker-archive:PATH|oci-archive:PATH|oci-dir:PATH]\n"
                  "       [--platform P] [--annotations k=v,…] [--dockerfile PATH] [--type TYPE] [--wait]",
      .summary = "analyze an image here and add it to an Anchore app version (AnchoreCTL's distributed mode)",
      .description =
          "For a machine that reaches both the image and Anchore Enterprise: analyzes REF as\n"
          "'airlock analyze' does (same flags and meanings as AnchoreCTL's command; the image\n"
          "is read from its registry unless --from says otherwise), then submits one\n"
          "add-imported-image-asset job and prints its id; --wait follows it until it ends.\n"
          "The app and version must exist. No store and no ledger are kept: for the air gap\n"
          "use analyze + export + import.",
      .examples = "  airlock app version asset add container-image docker.io/acme/api:1.4 --app shop --version 1.4 --wait\n"
                  "  airlock app version asset add container-image acme/api:1.4 --from docker-archive:api.tar --app shop --version 1.4\n",
      .declare =
          [](CommandOptions& o) {
            declare_common(o);
            o.options.add_options()
              ("from", po::value<std::string>()->value_name("SOURCE"), "where to read the image (default registry)")
              ("dockerfile", po::value<std::string>()->value_name("PATH"), "the Dockerfile the image was built from");
            declare_source_flags(o);
          },
      .run = run_add_container_image,
  };
}

Command asset_add_container_image_remote_command() {
  return {
      .name = "app version asset add container-image-remote",
      .synopsis = "airlock app version asset add container-image-remote REF --app APP --version VERSION [--asset NAME]\n"
                  "       [--platform P] [--annotations k=v,…] [--type TYPE] [--wait]",
      .summary = "have Anchore pull and analyze an image into an app version (AnchoreCTL's centralized mode)",
      .description =
          "Submits one add-container-image-asset job: Anchore Enterprise pulls REF itself. A tag\n"
          "is pinned to the manifest digest the registry names now (read from the registry,\n"
          "with --platform for a multi-arch image), as Anchore requires a digest-pinned\n"
          "reference. --wait follows the job until it ends.",
      .examples = "  airlock app version asset add container-image-remote docker.io/library/nginx:1.27 --app web --version 2 --wait\n",
      .declare =
          [](CommandOptions& o) {
            declare_common(o);
            declare_source_flags(o);
          },
      .run = run_add_container_image_remote,
  };
}

}  // namespace airlock::cli
