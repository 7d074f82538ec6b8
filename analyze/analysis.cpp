#include "analyze/analysis.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <ostream>

#include "analyze/image_reference.hpp"
#include "analyze/layer_cache.hpp"
#include "analyze/sbom.hpp"
#include "analyze/syft_json.hpp"
#include "base/background_sink.hpp"
#include "base/hex.hpp"
#include "base/text.hpp"

namespace airlock {

namespace {

constexpr std::size_t k_max_annotations = 10;
constexpr std::size_t k_max_annotation_value = 1024;
constexpr std::size_t k_max_asset_name = 255;

bool valid_key(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '/' || c == '-')) return false;
  }
  return true;
}


}  // namespace

Result<std::map<std::string, std::string>> parse_annotations(std::string_view text) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view entry = text.substr(start, comma - start);
    start = comma + 1;
    if (entry.empty()) continue;
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) {
      return Error(ErrorCode::usage, "annotation '" + std::string(entry) + "' is not key=value");
    }
    const std::string key(entry.substr(0, eq));
    const std::string value(entry.substr(eq + 1));
    if (!valid_key(key)) {
      return Error(ErrorCode::usage, "annotation key '" + key + "' may hold only letters, digits, '.', '_', '/' and '-'");
    }
    if (key.starts_with("anchore.system/")) {
      return Error(ErrorCode::usage, "annotation key '" + key + "': the anchore.system/ prefix is reserved");
    }
    if (value.size() > k_max_annotation_value) {
      return Error(ErrorCode::usage, "annotation '" + key + "' has a value over 1024 characters");
    }
    if (value.empty()) {
      out.erase(key);  // "key=" clears it, as AnchoreCTL's update does
    } else {
      out[key] = value;
    }
  }
  if (out.size() > k_max_annotations) {
    return Error(ErrorCode::usage, "at most 10 annotations are allowed, got " + std::to_string(out.size()));
  }
  return out;
}

std::string asset_name_for(std::string_view reference) {
  auto ref = parse_image_reference(reference);
  if (!ref) return std::string(reference);
  std::string name = ref->repository;
  if (ref->registry == "docker.io" && name.starts_with("library/")) name.erase(0, 8);
  return name;
}

Result<AnalysisResult> analyze_image(ImageSource& image, AnalysisRequest request, Store& store,
                                     RandomSource& random) {
  if (request.app.empty() || request.version.empty()) {
    return Error(ErrorCode::usage, "an analysis needs --app and --version");
  }
  StoreLayerCache cache(store);
  SbomOptions sbom_options;
  if (request.use_layer_cache) sbom_options.cache = &cache;
  sbom_options.threads = request.threads;
  sbom_options.progress = request.progress;
  sbom_options.user_input = request.user_input;
  AIRLOCK_TRY_ASSIGN(const Sbom sbom, build_sbom(image, sbom_options));
  const ImageMetadata& meta = sbom.image;
  if (meta.manifest_bytes.empty()) {
    return Error(ErrorCode::usage, "an asset needs an image; " + meta.source + " is a folder (use sbom for folders)");
  }

  // The reference: given, else the image's own tag, else localhost/<asset>:latest.
  std::string reference = request.reference;
  if (reference.empty()) {
    for (const auto& tag : meta.tags) {
      auto ref = parse_image_reference(tag);
      if (ref && tag.find('/') != std::string::npos) {
        reference = ref->name() + ":" + (ref->tag.empty() ? "latest" : ref->tag);
        break;
      }
    }
  }
  if (request.asset.empty()) {
    if (reference.empty()) {
      return Error(ErrorCode::usage, meta.source + " carries no image name; give --asset NAME or --ref REF");
    }
    request.asset = asset_name_for(reference);
  }
  if (request.asset.size() > k_max_asset_name) return Error(ErrorCode::usage, "the asset name is over 255 characters");
  if (reference.empty()) reference = "localhost/" + request.asset + ":latest";
  AIRLOCK_TRY_ASSIGN(const ImageReference parsed, parse_image_reference(reference));
  std::string pinned = parsed.name() + (parsed.tag.empty() ? "" : ":" + parsed.tag) + "@" + meta.manifest_digest.oci();
  if (pinned.size() > 512) return Error(ErrorCode::usage, "the image reference is over 512 characters");

  AnalysisResult result;
  result.warnings = sbom.warnings;
  Item& item = result.item;
  std::array<std::uint8_t, 8> id{};
  random.fill(id);
  item.id = to_hex(id);
  item.account = request.account;
  item.app = request.app;
  item.version = request.version;
  item.asset = request.asset;
  item.asset_type = request.asset_type;
  item.annotations = request.annotations;
  item.image_reference = pinned;
  item.image_digest = meta.manifest_digest.oci();
  // Full tags only ("registry/repo:tag"): the reference first, then the image's
  // own names that carry a repository. A bare "latest" (an OCI layout's
  // ref.name) would read as the repository docker.io/latest on the server.
  item.tags.push_back(parsed.name() + ":" + (parsed.tag.empty() ? "latest" : parsed.tag));
  for (const auto& tag : meta.tags) {
    if (tag.find('/') == std::string::npos) continue;
    auto ref = parse_image_reference(tag);
    if (!ref || ref->tag.empty()) continue;
    const std::string full = ref->name() + ":" + ref->tag;
    if (std::find(item.tags.begin(), item.tags.end(), full) == item.tags.end()) item.tags.push_back(full);
  }
  if (meta.parent_digest) item.parent_digest = meta.parent_digest->oci();
  item.local_image_id = meta.config_digest.oci();
  item.platform = meta.platform.to_string();
  item.source = meta.source;
  item.package_count = static_cast<std::int64_t>(sbom.packages.size());
  item.created = utc_now_rfc3339();

  auto add_part = [&](std::string name, std::string_view bytes, std::string media_type) -> Status {
    AIRLOCK_TRY_ASSIGN(const StoredBlob blob, store.blobs().put(bytes));
    item.parts.push_back({std::move(name), blob.digest, blob.size, std::move(media_type)});
    return {};
  };
  {  // the SBOM streams into its blob: it can be tens of megabytes
    AIRLOCK_TRY_ASSIGN(auto writer, store.blobs().writer());
    // Generating the JSON and hashing and compressing it run on two threads.
    BackgroundSink background(*writer);
    {
      SinkStreambuf buffer(background);
      std::ostream out(&buffer);
      write_syft_json(out, sbom, {request.tool_version});
      out.flush();
      AIRLOCK_TRY(buffer.status());
    }
    AIRLOCK_TRY(background.finish());
    AIRLOCK_TRY_ASSIGN(const StoredBlob blob, writer->commit());
    item.parts.push_back({"sbom", blob.digest, blob.size, "application/json"});
  }
  AIRLOCK_TRY(add_part("manifest", meta.manifest_bytes, meta.manifest_media_type));
  AIRLOCK_TRY(add_part("image_config", meta.config_bytes, "application/json"));
  if (meta.parent_bytes) {
    AIRLOCK_TRY(add_part("parent_manifest", *meta.parent_bytes,
                         meta.parent_media_type.empty() ? "application/vnd.oci.image.index.v1+json" : meta.parent_media_type));
  }
  if (request.dockerfile) AIRLOCK_TRY(add_part("dockerfile", *request.dockerfile, "text/plain"));
  AIRLOCK_TRY_ASSIGN(const AddResult added, store.add_item(item));
  result.replaced = added.replaced;
  return result;
}

}  // namespace airlock
