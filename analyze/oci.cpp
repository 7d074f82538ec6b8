#include "analyze/oci.hpp"

#include <nlohmann/json.hpp>

namespace airlock {

namespace {

using nlohmann::json;

// An image has at most this many layers (Docker's limit is 127) and an index
// this many entries; more is hostile input.
constexpr std::size_t k_max_layers = 1000;
constexpr std::size_t k_max_index_entries = 10000;

Error bad(std::string_view name, std::string_view what) {
  return Error(ErrorCode::invalid_input, std::string(name) + ": " + std::string(what));
}

Result<json> parse_json(std::string_view bytes, std::string_view name) {
  json doc = json::parse(bytes, nullptr, false);
  if (doc.is_discarded()) return bad(name, "is not valid JSON");
  if (!doc.is_object()) return bad(name, "is not a JSON object");
  return doc;
}

std::optional<std::string> string_field(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result<std::vector<std::string>> string_list(const json& obj, const char* key, std::string_view name) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return bad(name, std::string("'") + key + "' is not a list");
  for (const auto& v : *it) {
    if (!v.is_string()) return bad(name, std::string("'") + key + "' holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<Descriptor> parse_descriptor(const json& obj, std::string_view name) {
  if (!obj.is_object()) return bad(name, "a descriptor is not an object");
  Descriptor d;
  auto type = string_field(obj, "mediaType");
  if (!type) return bad(name, "a descriptor has no mediaType");
  d.media_type = *type;
  auto digest = string_field(obj, "digest");
  if (!digest) return bad(name, "a descriptor has no digest");
  if (!digest->starts_with("sha256:")) {
    return bad(name, "digest '" + digest->substr(0, 80) + "' is not sha256 (the only algorithm airlock reads)");
  }
  AIRLOCK_TRY_ASSIGN(d.digest, Sha256Digest::parse(*digest).context(name));
  auto size = obj.find("size");
  if (size == obj.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0) {
    return bad(name, "descriptor " + *digest + " has no valid size");
  }
  d.size = size->get<std::uint64_t>();
  if (auto p = obj.find("platform"); p != obj.end() && p->is_object()) {
    Platform platform;
    platform.os = string_field(*p, "os").value_or("");
    platform.architecture = string_field(*p, "architecture").value_or("");
    platform.variant = string_field(*p, "variant").value_or("");
    d.platform = platform;
  }
  if (auto a = obj.find("annotations"); a != obj.end() && a->is_object()) {
    for (const auto& [k, v] : a->items()) {
      if (v.is_string()) d.annotations[k] = v.get<std::string>();
    }
  }
  return d;
}

}  // namespace

bool is_index_media_type(std::string_view type) {
  return type == media_type::oci_index || type == media_type::docker_list;
}

bool is_manifest_media_type(std::string_view type) {
  return type == media_type::oci_manifest || type == media_type::docker_manifest;
}

bool is_supported_layer_media_type(std::string_view type) {
  static constexpr std::string_view k_types[] = {
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.diff.tar.zstd",
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  };
  for (auto t : k_types) {
    if (t == type) return true;
  }
  return false;
}

Result<std::string> document_media_type(std::string_view bytes, std::string_view name) {
  AIRLOCK_TRY_ASSIGN(const json doc, parse_json(bytes, name));
  return string_field(doc, "mediaType").value_or("");
}

Result<Manifest> parse_manifest(std::string_view bytes, std::string_view name) {
  AIRLOCK_TRY_ASSIGN(const json doc, parse_json(bytes, name));
  Manifest m;
  m.media_type = string_field(doc, "mediaType").value_or("");
  if (!m.media_type.empty() && !is_manifest_media_type(m.media_type)) {
    return bad(name, "is a '" + m.media_type + "', not an image manifest");
  }
  auto schema = doc.find("schemaVersion");
  if (schema == doc.end() || !schema->is_number_integer() || schema->get<int>() != 2) {
    return bad(name, "is not a schema-2 image manifest (Docker schema 1 is not supported)");
  }
  auto config = doc.find("config");
  if (config == doc.end()) return bad(name, "has no config descriptor");
  AIRLOCK_TRY_ASSIGN(m.config, parse_descriptor(*config, name));
  auto layers = doc.find("layers");
  if (layers == doc.end() || !layers->is_array()) return bad(name, "has no layer list");
  if (layers->size() > k_max_layers) return bad(name, "has more than 1000 layers");
  for (const auto& l : *layers) {
    AIRLOCK_TRY_ASSIGN(Descriptor d, parse_descriptor(l, name));
    if (!is_supported_layer_media_type(d.media_type)) {
      return bad(name, "layer " + d.digest.oci() + " has media type '" + d.media_type +
                           "', which airlock cannot read (encrypted or unknown layer)");
    }
    m.layers.push_back(std::move(d));
  }
  return m;
}

Result<Index> parse_index(std::string_view bytes, std::string_view name) {
  AIRLOCK_TRY_ASSIGN(const json doc, parse_json(bytes, name));
  Index index;
  index.media_type = string_field(doc, "mediaType").value_or("");
  if (!index.media_type.empty() && !is_index_media_type(index.media_type)) {
    return bad(name, "is a '" + index.media_type + "', not an image index");
  }
  auto manifests = doc.find("manifests");
  if (manifests == doc.end() || !manifests->is_array()) return bad(name, "has no manifest list");
  if (manifests->size() > k_max_index_entries) return bad(name, "has too many entries");
  for (const auto& m : *manifests) {
    AIRLOCK_TRY_ASSIGN(Descriptor d, parse_descriptor(m, name));
    index.manifests.push_back(std::move(d));
  }
  return index;
}

Result<ImageConfig> parse_image_config(std::string_view bytes, std::string_view name) {
  AIRLOCK_TRY_ASSIGN(const json doc, parse_json(bytes, name));
  ImageConfig c;
  c.platform.os = string_field(doc, "os").value_or("");
  c.platform.architecture = string_field(doc, "architecture").value_or("");
  c.platform.variant = string_field(doc, "variant").value_or("");
  c.created = string_field(doc, "created").value_or("");
  if (auto cfg = doc.find("config"); cfg != doc.end() && cfg->is_object()) {
    AIRLOCK_TRY_ASSIGN(c.env, string_list(*cfg, "Env", name));
    AIRLOCK_TRY_ASSIGN(c.cmd, string_list(*cfg, "Cmd", name));
    AIRLOCK_TRY_ASSIGN(c.entrypoint, string_list(*cfg, "Entrypoint", name));
    if (auto labels = cfg->find("Labels"); labels != cfg->end() && labels->is_object()) {
      for (const auto& [k, v] : labels->items()) {
        if (v.is_string()) c.labels[k] = v.get<std::string>();
      }
    }
  }
  auto rootfs = doc.find("rootfs");
  if (rootfs == doc.end() || !rootfs->is_object()) return bad(name, "has no rootfs section");
  AIRLOCK_TRY_ASSIGN(const auto diff_ids, string_list(*rootfs, "diff_ids", name));
  if (diff_ids.size() > k_max_layers) return bad(name, "has more than 1000 diff_ids");
  for (const auto& id : diff_ids) {
    AIRLOCK_TRY_ASSIGN(Sha256Digest d, Sha256Digest::parse(id).context(name));
    c.diff_ids.push_back(d);
  }
  return c;
}

}  // namespace airlock
