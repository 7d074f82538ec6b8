#include "analyze/docker_archive_source.hpp"

#include <nlohmann/json.hpp>

#include "analyze/oci_layout_source.hpp"

namespace airlock {

namespace {

class DockerArchiveSource final : public BlobImageSource {
 public:
  DockerArchiveSource(std::shared_ptr<TarMembers> members, std::vector<std::string> layer_paths,
                      ImageMetadata metadata)
      : m_members(std::move(members)), m_layer_paths(std::move(layer_paths)) {
    m_metadata = std::move(metadata);
  }

 protected:
  Result<std::unique_ptr<ByteSource>> open_layer_blob(std::size_t i) override {
    return m_members->open(m_layer_paths.at(i));
  }

 private:
  std::shared_ptr<TarMembers> m_members;
  std::vector<std::string> m_layer_paths;
};

struct ArchiveEntry {
  std::string config;
  std::vector<std::string> repo_tags;
  std::vector<std::string> layers;
};

Result<ArchiveEntry> read_manifest_json(const TarMembers& members, const std::string& name) {
  AIRLOCK_TRY_ASSIGN(const std::string text, members.read_small("manifest.json", k_max_document_bytes));
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  const auto bad = [&](std::string_view what) {
    return Error(ErrorCode::invalid_input, name + ": manifest.json " + std::string(what));
  };
  if (!doc.is_array()) return bad("is not a JSON list");
  if (doc.empty()) return bad("lists no image");
  if (doc.size() > 1) {
    return bad("lists " + std::to_string(doc.size()) +
               " images; airlock reads archives of one image (save them one per file)");
  }
  const auto& e = doc[0];
  ArchiveEntry entry;
  if (!e.is_object() || !e.contains("Config") || !e["Config"].is_string()) return bad("has no Config");
  entry.config = e["Config"].get<std::string>();
  if (!e.contains("Layers") || !e["Layers"].is_array()) return bad("has no Layers");
  for (const auto& l : e["Layers"]) {
    if (!l.is_string()) return bad("has a non-string layer");
    entry.layers.push_back(l.get<std::string>());
  }
  if (e.contains("RepoTags") && e["RepoTags"].is_array()) {
    for (const auto& t : e["RepoTags"]) {
      if (t.is_string()) entry.repo_tags.push_back(t.get<std::string>());
    }
  }
  return entry;
}

}  // namespace

std::string synthesize_docker_manifest(const Sha256Digest& config_digest, std::uint64_t config_size,
                                       const std::vector<std::pair<Sha256Digest, std::uint64_t>>& layers) {
  nlohmann::ordered_json doc;
  doc["schemaVersion"] = 2;
  doc["mediaType"] = media_type::docker_manifest;
  doc["config"] = {{"mediaType", media_type::docker_config},
                   {"size", config_size},
                   {"digest", config_digest.oci()}};
  doc["layers"] = nlohmann::ordered_json::array();
  for (const auto& [digest, size] : layers) {
    doc["layers"].push_back({{"mediaType", media_type::docker_layer_gzip},
                             {"size", size},
                             {"digest", digest.oci()}});
  }
  return doc.dump();
}

Result<std::unique_ptr<ImageSource>> open_docker_archive(const std::filesystem::path& path,
                                                         const std::optional<Platform>& platform) {
  const std::string source = "docker-archive:" + path.string();
  AIRLOCK_TRY_ASSIGN(std::shared_ptr<TarMembers> members, TarMembers::index(path));
  if (!members->contains("manifest.json")) {
    if (members->contains("index.json")) {
      return Error(ErrorCode::usage, path.string() +
                                         " is an OCI archive, not a docker archive; use oci-archive:" +
                                         path.string());
    }
    return Error(ErrorCode::invalid_input,
                 path.string() + " is not a docker archive (no manifest.json)");
  }
  AIRLOCK_TRY_ASSIGN(const ArchiveEntry entry, read_manifest_json(*members, source));

  // Docker ≥ 25 writes a real OCI layout beside manifest.json: its manifest
  // is the image's true manifest, so prefer it.
  if (members->contains("index.json") && members->contains("oci-layout")) {
    return open_oci_layout(members, source, platform, entry.repo_tags);
  }

  AIRLOCK_TRY_ASSIGN(const std::string config_bytes, members->read_small(entry.config, k_max_document_bytes));
  ImageMetadata meta;
  meta.source = source;
  meta.config_bytes = config_bytes;
  meta.config_digest = sha256(config_bytes);
  AIRLOCK_TRY_ASSIGN(meta.config, parse_image_config(config_bytes, source + " config"));
  if (meta.config.diff_ids.size() != entry.layers.size()) {
    return Error(ErrorCode::invalid_input,
                 source + ": manifest.json lists " + std::to_string(entry.layers.size()) +
                     " layers but the config has " + std::to_string(meta.config.diff_ids.size()) +
                     " diff_ids");
  }
  if (platform && !platform_matches(meta.config.platform, *platform)) {
    return Error(ErrorCode::not_found, source + " holds an image for " +
                                           meta.config.platform.to_string() + ", not " +
                                           platform->to_string());
  }
  std::vector<std::pair<Sha256Digest, std::uint64_t>> synthesized;
  for (std::size_t i = 0; i < entry.layers.size(); ++i) {
    AIRLOCK_TRY_ASSIGN(const std::uint64_t size, members->size_of(entry.layers[i]));
    LayerRef layer;
    layer.blob.media_type = media_type::docker_layer_gzip;
    layer.blob.digest = meta.config.diff_ids[i];
    layer.blob.size = size;
    layer.diff_id = meta.config.diff_ids[i];
    layer.blob_digest_verifiable = false;
    meta.layers.push_back(layer);
    synthesized.emplace_back(layer.diff_id, size);
  }
  meta.manifest_bytes = synthesize_docker_manifest(meta.config_digest, config_bytes.size(), synthesized);
  meta.manifest_digest = sha256(meta.manifest_bytes);
  meta.manifest_media_type = media_type::docker_manifest;
  meta.manifest_synthesized = true;
  meta.tags = entry.repo_tags;
  meta.platform = meta.config.platform;
  return std::unique_ptr<ImageSource>(
      new DockerArchiveSource(std::move(members), entry.layers, std::move(meta)));
}

}  // namespace airlock
