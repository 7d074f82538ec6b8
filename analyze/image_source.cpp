#include "analyze/image_source.hpp"

#include <mutex>
#include <nlohmann/json.hpp>

namespace airlock {

namespace {

struct Candidate {
  Descriptor manifest;
  std::optional<std::string> parent_bytes;
  std::optional<Sha256Digest> parent_digest;
  std::string parent_media_type;
};

bool is_attestation(const Descriptor& d) {
  auto it = d.annotations.find("vnd.docker.reference.type");
  if (it != d.annotations.end() && it->second == "attestation-manifest") return true;
  return d.platform && d.platform->os == "unknown" && d.platform->architecture == "unknown";
}

Result<std::string> detect_type(const std::string& bytes, std::string type, std::string_view name) {
  if (!type.empty()) return type;
  AIRLOCK_TRY_ASSIGN(std::string declared, document_media_type(bytes, name));
  if (!declared.empty()) return declared;
  const auto doc = nlohmann::json::parse(bytes, nullptr, false);
  if (doc.is_object() && doc.contains("manifests")) return std::string(media_type::oci_index);
  if (doc.is_object() && doc.contains("layers")) return std::string(media_type::oci_manifest);
  return Error(ErrorCode::invalid_input, std::string(name) + " is neither an image manifest nor an index");
}

// Collects the image manifests reachable from an index (nested indexes are
// followed a few levels deep).
Status collect(BlobFetcher& blobs, const std::string& bytes, std::optional<Sha256Digest> digest,
               const std::string& type, std::string_view name, int depth,
               std::vector<Candidate>& out) {
  if (depth > 4) return Error(ErrorCode::invalid_input, std::string(name) + ": indexes nest too deep");
  AIRLOCK_TRY_ASSIGN(const Index index, parse_index(bytes, name));
  for (const Descriptor& d : index.manifests) {
    if (is_index_media_type(d.media_type)) {
      AIRLOCK_TRY_ASSIGN(const std::string nested, blobs.fetch_manifest_verified(d, "image index"));
      AIRLOCK_TRY(collect(blobs, nested, d.digest, d.media_type, name, depth + 1, out));
    } else if (is_manifest_media_type(d.media_type) && !is_attestation(d)) {
      Candidate c;
      c.manifest = d;
      if (digest) {  // only a content-addressed index can be named as the parent
        c.parent_bytes = bytes;
        c.parent_digest = digest;
        c.parent_media_type = type;
      }
      out.push_back(std::move(c));
    }
  }
  return {};
}

std::string platform_list(const std::vector<Candidate>& candidates) {
  std::string out;
  for (const auto& c : candidates) {
    if (!out.empty()) out += ", ";
    out += c.manifest.platform ? c.manifest.platform->to_string() : "(no platform)";
  }
  return out;
}

}  // namespace

std::uint64_t ImageSource::total_blob_bytes() const {
  std::uint64_t total = 0;
  for (const auto& layer : metadata().layers) total += layer.blob.size;
  return total;
}

Result<std::vector<LayerIndex>> ImageSource::walk_all(const VisitorFactory&, Progress&) {
  return Error(ErrorCode::internal, "walk_all called on a source that reads layers one by one");
}

Result<LayerIndex> BlobImageSource::walk(std::size_t i, LayerVisitor* visitor, Progress& progress) {
  const LayerRef& layer = m_metadata.layers.at(i);
  AIRLOCK_TRY_ASSIGN(auto blob, open_layer_blob(i));
  ProgressSource counted(*blob, progress);
  LayerExpectation expect;
  expect.name = "layer " + std::to_string(i + 1) + " (" + layer.blob.digest.oci() + ") of " +
                m_metadata.source;
  if (layer.blob_digest_verifiable) {
    expect.blob_digest = layer.blob.digest;
    expect.blob_size = layer.blob.size;
  }
  expect.diff_id = layer.diff_id;
  return walk_layer(counted, expect, static_cast<std::uint16_t>(i), visitor);
}

FetchedImageSource::FetchedImageSource(std::shared_ptr<BlobFetcher> blobs, ImageMetadata metadata)
    : m_blobs(std::move(blobs)) {
  m_metadata = std::move(metadata);
}

Result<std::unique_ptr<ByteSource>> FetchedImageSource::open_layer_blob(std::size_t i) {
  return m_blobs->open_blob(m_metadata.layers.at(i).blob);
}

Result<std::string> BlobFetcher::fetch_verified(const Descriptor& d, std::string_view what) {
  return read_verified(d, what, false);
}

Result<std::string> BlobFetcher::fetch_manifest_verified(const Descriptor& d, std::string_view what) {
  return read_verified(d, what, true);
}

Result<std::string> BlobFetcher::read_verified(const Descriptor& d, std::string_view what,
                                               bool manifest) {
  if (d.size > k_max_document_bytes) {
    return Error(ErrorCode::invalid_input, std::string(what) + " " + d.digest.oci() + " claims " +
                                               std::to_string(d.size) + " bytes, over the limit");
  }
  AIRLOCK_TRY_ASSIGN(auto source, manifest ? open_manifest(d) : open_blob(d));
  std::string bytes(static_cast<std::size_t>(d.size) + 1, '\0');
  AIRLOCK_TRY_ASSIGN(const std::size_t n, read_fully(*source, std::span(reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size())));
  bytes.resize(n);
  if (n != d.size) {
    return Error(ErrorCode::verification, std::string(what) + " " + d.digest.oci() + " is " +
                                              (n > d.size ? "larger" : "smaller") +
                                              " than its descriptor says (" + std::to_string(d.size) + " bytes)");
  }
  const Sha256Digest got = sha256(bytes);
  if (got != d.digest) {
    return Error(ErrorCode::verification, std::string(what) + " " + d.digest.oci() +
                                              ": digest mismatch (got " + got.oci() +
                                              "); the blob is corrupt or was altered");
  }
  return bytes;
}

Result<ImageMetadata> resolve_image(BlobFetcher& blobs, const std::string& root_bytes,
                                    std::string root_media_type,
                                    std::optional<Sha256Digest> root_digest,
                                    const std::optional<Platform>& wanted, std::string_view name) {
  AIRLOCK_TRY_ASSIGN(const std::string type, detect_type(root_bytes, root_media_type, name));
  ImageMetadata meta;
  if (is_index_media_type(type)) {
    std::vector<Candidate> candidates;
    AIRLOCK_TRY(collect(blobs, root_bytes, root_digest, type, name, 0, candidates));
    if (candidates.empty()) {
      return Error(ErrorCode::invalid_input, std::string(name) + " lists no image manifest");
    }
    // Entries without a platform (plain OCI layouts) are asked their config.
    for (auto& c : candidates) {
      if (c.manifest.platform || (candidates.size() == 1 && !wanted)) continue;
      AIRLOCK_TRY_ASSIGN(const std::string m_bytes, blobs.fetch_manifest_verified(c.manifest, "manifest"));
      AIRLOCK_TRY_ASSIGN(const Manifest m, parse_manifest(m_bytes, name));
      AIRLOCK_TRY_ASSIGN(const std::string c_bytes, blobs.fetch_verified(m.config, "image config"));
      AIRLOCK_TRY_ASSIGN(const ImageConfig config, parse_image_config(c_bytes, name));
      c.manifest.platform = config.platform;
    }
    const Candidate* chosen = nullptr;
    if (candidates.size() == 1 && !wanted) {
      chosen = &candidates[0];
    } else {
      const Platform target = wanted.value_or(host_platform());
      for (const auto& c : candidates) {
        if (c.manifest.platform && platform_matches(*c.manifest.platform, target)) {
          chosen = &c;
          break;
        }
      }
      if (chosen == nullptr) {
        return Error(ErrorCode::not_found,
                     std::string(name) + " has no image for platform " + target.to_string() +
                         "; it has: " + platform_list(candidates) + " (choose one with --platform)");
      }
    }
    meta.parent_bytes = chosen->parent_bytes;
    meta.parent_digest = chosen->parent_digest;
    meta.parent_media_type = chosen->parent_media_type;
    AIRLOCK_TRY_ASSIGN(meta.manifest_bytes, blobs.fetch_manifest_verified(chosen->manifest, "manifest"));
    meta.manifest_digest = chosen->manifest.digest;
    meta.manifest_media_type = chosen->manifest.media_type;
  } else if (is_manifest_media_type(type)) {
    meta.manifest_bytes = root_bytes;
    meta.manifest_digest = sha256(root_bytes);
    meta.manifest_media_type = type;
  } else {
    return Error(ErrorCode::invalid_input,
                 std::string(name) + " has media type '" + type + "', which is not an image");
  }

  AIRLOCK_TRY_ASSIGN(Manifest manifest, parse_manifest(meta.manifest_bytes, std::string(name) + " manifest"));
  if (manifest.media_type.empty()) manifest.media_type = meta.manifest_media_type;
  AIRLOCK_TRY_ASSIGN(meta.config_bytes, blobs.fetch_verified(manifest.config, "image config"));
  meta.config_digest = manifest.config.digest;
  AIRLOCK_TRY_ASSIGN(meta.config, parse_image_config(meta.config_bytes, std::string(name) + " config"));
  if (meta.config.diff_ids.size() != manifest.layers.size()) {
    return Error(ErrorCode::invalid_input,
                 std::string(name) + ": the manifest has " + std::to_string(manifest.layers.size()) +
                     " layers but the config lists " + std::to_string(meta.config.diff_ids.size()) +
                     " diff_ids");
  }
  if (wanted && !platform_matches(meta.config.platform, *wanted)) {
    return Error(ErrorCode::not_found, std::string(name) + " is for " +
                                           meta.config.platform.to_string() + ", not " +
                                           wanted->to_string());
  }
  for (std::size_t i = 0; i < manifest.layers.size(); ++i) {
    meta.layers.push_back({manifest.layers[i], meta.config.diff_ids[i], true});
  }
  meta.platform = meta.config.platform;
  return meta;
}

}  // namespace airlock
