#include "tests/fake_anchore/job_checks.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <span>

#include "tests/fake_anchore/ids.hpp"
#include "tests/fake_anchore/media_types.hpp"

namespace airlock::fake_anchore {
namespace {

using Parts = std::map<std::string, const httplib::MultipartFormData*>;

struct PartRule {
  const char* name;
  bool file;
  const char* filename;  // file parts: the exact filename, or "*.json"
};

constexpr std::array imported_rules = {
    PartRule{"app_version_id", false, ""},
    PartRule{"asset_name", false, ""},
    PartRule{"asset_type", false, ""},
    PartRule{"annotations", false, ""},
    PartRule{"image_reference", false, ""},
    PartRule{"image_digest", false, ""},
    PartRule{"tags", false, ""},
    PartRule{"parent_digest", false, ""},
    PartRule{"local_image_id", false, ""},
    PartRule{"platform", false, ""},
    PartRule{"sbom", true, "sbom.json"},
    PartRule{"manifest", true, "manifest.json"},
    PartRule{"image_config", true, "config.json"},
    PartRule{"parent_manifest", true, "parent_manifest.json"},
    PartRule{"dockerfile", true, "Dockerfile"},
    PartRule{"secret_searches", true, "*.json"},
    PartRule{"content_searches", true, "*.json"},
    PartRule{"file_contents", true, "*.json"},
};

constexpr std::array container_rules = {
    PartRule{"app_version_id", false, ""}, PartRule{"asset_name", false, ""}, PartRule{"asset_type", false, ""},
    PartRule{"image_reference", false, ""}, PartRule{"annotations", false, ""},
};

const std::set<std::string> asset_types = {
    "container", "filesystem", "application", "library",  "firmware", "framework",
    "operating-system", "device", "file", "platform", "data", "machine-learning-model"};

constexpr std::size_t max_asset_name = 255;
constexpr std::size_t max_image_reference = 512;
constexpr std::size_t max_annotations = 10;

bool is_digest(const std::string& text) {
  if (text.size() != 71 || !text.starts_with("sha256:")) return false;
  return std::all_of(text.begin() + 7, text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Checks names, repetition, size and filenames; fills PARTS.
std::optional<std::string> collect(const httplib::Request& req, std::span<const PartRule> rules,
                                   std::size_t max_part_bytes, Parts& parts) {
  if (!req.is_multipart_form_data()) return "the body must be multipart/form-data";
  for (const auto& [name, part] : req.files) {
    const auto rule = std::find_if(rules.begin(), rules.end(), [&](const PartRule& r) { return name == r.name; });
    if (rule == rules.end()) return "unknown part '" + name + "'";
    if (parts.contains(name)) return "part '" + name + "' is given more than once";
    if (part.content.size() > max_part_bytes) {
      return "part '" + name + "' is too large: " + std::to_string(part.content.size()) + " bytes, max " +
             std::to_string(max_part_bytes);
    }
    if (!rule->file && !part.filename.empty()) return "text part '" + name + "' must not carry a filename";
    if (rule->file) {
      const std::string wanted = rule->filename;
      const bool ok = wanted == "*.json" ? part.filename.size() > 5 && part.filename.ends_with(".json")
                                         : part.filename == wanted;
      if (!ok) {
        return "file part '" + name + "' must carry filename \"" + wanted + "\" (got \"" + part.filename + "\")";
      }
    }
    parts[name] = &part;
  }
  return std::nullopt;
}

const std::string* text(const Parts& parts, const std::string& name) {
  const auto it = parts.find(name);
  return it == parts.end() ? nullptr : &it->second->content;
}

std::optional<std::string> require_text(const Parts& parts, const char* name) {
  const std::string* value = text(parts, name);
  if (value == nullptr || value->empty()) return "part '" + std::string(name) + "' is required";
  return std::nullopt;
}

std::optional<std::string> check_content_type(const Parts& parts, const std::string& name, const std::string& wanted) {
  const auto it = parts.find(name);
  if (it == parts.end()) return std::nullopt;
  const auto got = media_type_of(it->second->content_type);
  if (got != wanted) return "part '" + name + "' must have Content-Type " + wanted + " (got \"" + got + "\")";
  return std::nullopt;
}

std::optional<std::string> check_annotations(const Parts& parts, nlohmann::json& annotations) {
  const std::string* value = text(parts, "annotations");
  if (value == nullptr || value->empty()) return std::nullopt;
  annotations = nlohmann::json::parse(*value, nullptr, false);
  if (annotations.is_discarded() || !annotations.is_object()) return "part 'annotations' must be a JSON object";
  if (annotations.size() > max_annotations) {
    return "part 'annotations' has " + std::to_string(annotations.size()) + " entries, max " +
           std::to_string(max_annotations);
  }
  for (const auto& [key, entry] : annotations.items()) {
    if (key.empty()) return "part 'annotations' has an empty key";
    if (!entry.is_string()) return "part 'annotations': the value of '" + key + "' must be a string";
  }
  return std::nullopt;
}

std::optional<std::string> check_asset(const Parts& parts) {
  for (const char* name : {"app_version_id", "asset_name", "asset_type", "image_reference"}) {
    if (auto missing = require_text(parts, name)) return missing;
  }
  if (text(parts, "asset_name")->size() > max_asset_name) {
    return "part 'asset_name' is longer than " + std::to_string(max_asset_name) + " characters";
  }
  if (!asset_types.contains(*text(parts, "asset_type"))) {
    return "part 'asset_type': '" + *text(parts, "asset_type") + "' is not a known asset type";
  }
  if (text(parts, "image_reference")->size() > max_image_reference) {
    return "part 'image_reference' is longer than " + std::to_string(max_image_reference) + " characters";
  }
  return std::nullopt;
}

JobRequest make_request(const std::string& job_type, const Parts& parts, const nlohmann::json& annotations) {
  JobRequest request;
  request.job_type = job_type;
  request.app_version_id = *text(parts, "app_version_id");
  request.asset_name = *text(parts, "asset_name");
  request.asset_type = *text(parts, "asset_type");
  request.image_reference = *text(parts, "image_reference");
  request.annotations = annotations;
  for (const auto& [name, part] : parts) {
    request.parts.push_back(
        ReceivedPart{name, part->filename, part->content_type, part->content.size(), sha256_hex(part->content)});
    if (part->filename.empty()) request.fields[name] = part->content;
  }
  return request;
}

// The JSON document in a file part, or nullopt after setting ERROR.
std::optional<nlohmann::json> json_part(const Parts& parts, const std::string& name, std::string& error) {
  auto doc = nlohmann::json::parse(parts.at(name)->content, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "part '" + name + "' must be a JSON object";
    return std::nullopt;
  }
  return doc;
}

std::optional<std::string> check_sbom(const Parts& parts) {
  std::string error;
  const auto sbom = json_part(parts, "sbom", error);
  if (!sbom) return error;
  for (const char* key : {"artifacts", "artifactRelationships", "source", "distro", "descriptor", "schema"}) {
    if (!sbom->contains(key)) return "part 'sbom' lacks the syft-json key '" + std::string(key) + "'";
  }
  const auto& schema = (*sbom)["schema"];
  if (!schema.is_object() || !schema.contains("url") || !schema["url"].is_string() ||
      schema["url"].get<std::string>().find("anchore/syft") == std::string::npos) {
    return "part 'sbom' is not a syft-json document (schema.url must name anchore/syft)";
  }
  return std::nullopt;
}

// A manifest's or index's Content-Type: its own mediaType when it has one, else one of ALLOWED.
std::optional<std::string> check_manifest_type(const Parts& parts, const std::string& name, const nlohmann::json& doc,
                                               const std::set<std::string>& allowed) {
  const auto got = media_type_of(parts.at(name)->content_type);
  if (doc.contains("mediaType")) {
    if (!doc["mediaType"].is_string() || !allowed.contains(doc["mediaType"].get<std::string>())) {
      return "part '" + name + "' has an unexpected mediaType " + doc["mediaType"].dump();
    }
    if (got != doc["mediaType"].get<std::string>()) {
      return "part '" + name + "' must have Content-Type " + doc["mediaType"].get<std::string>() +
             " (its mediaType), got \"" + got + "\"";
    }
  } else if (!allowed.contains(got)) {
    return "part '" + name + "' has an unsupported Content-Type \"" + got + "\"";
  }
  return std::nullopt;
}

// Digests: image_digest = sha256(manifest), sha256(image_config) = the
// manifest's config digest, local_image_id = that digest, parent_digest =
// sha256(parent_manifest).
std::optional<std::string> check_image(const Parts& parts) {
  for (const char* name : {"image_digest", "sbom", "manifest", "image_config"}) {
    if (!parts.contains(name)) return "part '" + std::string(name) + "' is required";
  }
  const std::string& image_digest = *text(parts, "image_digest");
  if (!is_digest(image_digest)) return "part 'image_digest' must be sha256:<64 hex digits>";
  const std::string& reference = *text(parts, "image_reference");
  if (!reference.ends_with("@" + image_digest) || reference.size() == image_digest.size() + 1) {
    return "part 'image_reference' must be NAME@" + image_digest + " (pinned to image_digest)";
  }
  const std::string manifest_digest = "sha256:" + sha256_hex(parts.at("manifest")->content);
  if (image_digest != manifest_digest) {
    return "part 'image_digest' " + image_digest + " is not the manifest's digest " + manifest_digest;
  }
  if (auto error = check_sbom(parts)) return error;

  std::string error;
  const auto manifest = json_part(parts, "manifest", error);
  if (!manifest) return error;
  if (auto bad = check_manifest_type(parts, "manifest", *manifest, manifest_media_types())) return bad;
  if (!manifest->contains("config") || !(*manifest)["config"].is_object() ||
      !(*manifest)["config"].contains("digest") || !(*manifest)["config"]["digest"].is_string()) {
    return "part 'manifest' has no config.digest (an index belongs in parent_manifest)";
  }
  const std::string config_digest = (*manifest)["config"]["digest"].get<std::string>();
  if (auto bad = check_content_type(parts, "image_config", "application/json")) return bad;
  if (!json_part(parts, "image_config", error)) return error;
  if ("sha256:" + sha256_hex(parts.at("image_config")->content) != config_digest) {
    return "part 'image_config' does not match the manifest's config digest " + config_digest;
  }
  if (const auto* id = text(parts, "local_image_id"); id != nullptr && *id != config_digest) {
    return "part 'local_image_id' " + *id + " is not the config digest " + config_digest;
  }

  const bool has_parent = parts.contains("parent_manifest");
  const std::string* parent_digest = text(parts, "parent_digest");
  if (has_parent != (parent_digest != nullptr)) {
    return has_parent ? "part 'parent_manifest' needs part 'parent_digest'"
                      : "part 'parent_digest' is only allowed together with part 'parent_manifest'";
  }
  if (has_parent) {
    const auto parent = json_part(parts, "parent_manifest", error);
    if (!parent) return error;
    if (auto bad = check_manifest_type(parts, "parent_manifest", *parent, index_media_types())) return bad;
    const std::string digest = "sha256:" + sha256_hex(parts.at("parent_manifest")->content);
    if (*parent_digest != digest) {
      return "part 'parent_digest' " + *parent_digest + " is not the parent manifest's digest " + digest;
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_extras(const Parts& parts) {
  if (const auto* tags = text(parts, "tags")) {
    const auto doc = nlohmann::json::parse(*tags, nullptr, false);
    if (doc.is_discarded() || !doc.is_array() ||
        !std::all_of(doc.begin(), doc.end(), [](const nlohmann::json& t) { return t.is_string(); })) {
      return "part 'tags' must be a JSON array of strings";
    }
  }
  if (const auto* platform = text(parts, "platform")) {
    // os/arch[/variant], each non-empty.
    const auto segments = std::count(platform->begin(), platform->end(), '/') + 1;
    if (segments < 2 || segments > 3 || platform->front() == '/' || platform->back() == '/' ||
        platform->find("//") != std::string::npos) {
      return "part 'platform' must be os/arch[/variant]";
    }
  }
  if (auto bad = check_content_type(parts, "sbom", "application/json")) return bad;
  if (auto bad = check_content_type(parts, "dockerfile", "text/plain")) return bad;
  for (const char* name : {"secret_searches", "content_searches", "file_contents"}) {
    if (!parts.contains(name)) continue;
    if (auto bad = check_content_type(parts, name, "application/json")) return bad;
    const auto doc = nlohmann::json::parse(parts.at(name)->content, nullptr, false);
    if (doc.is_discarded()) return "part '" + std::string(name) + "' is not valid JSON";
  }
  return std::nullopt;
}

}  // namespace

JobCheck check_imported_image_job(const httplib::Request& req, std::size_t max_part_bytes) {
  Parts parts;
  if (auto bad = collect(req, imported_rules, max_part_bytes, parts)) return *bad;
  if (auto bad = check_asset(parts)) return *bad;
  nlohmann::json annotations = nlohmann::json::object();
  if (auto bad = check_annotations(parts, annotations)) return *bad;
  if (auto bad = check_image(parts)) return *bad;
  if (auto bad = check_extras(parts)) return *bad;
  return make_request("add-imported-image-asset", parts, annotations);
}

JobCheck check_container_image_job(const httplib::Request& req, std::size_t max_part_bytes) {
  Parts parts;
  if (auto bad = collect(req, container_rules, max_part_bytes, parts)) return *bad;
  if (auto bad = check_asset(parts)) return *bad;
  const std::string& reference = *text(parts, "image_reference");
  const auto at = reference.rfind('@');
  if (at == std::string::npos || at == 0 || !is_digest(reference.substr(at + 1))) {
    return "part 'image_reference' must be digest-pinned (NAME@sha256:<64 hex digits>)";
  }
  nlohmann::json annotations = nlohmann::json::object();
  if (auto bad = check_annotations(parts, annotations)) return *bad;
  return make_request("add-container-image-asset", parts, annotations);
}

}  // namespace airlock::fake_anchore
