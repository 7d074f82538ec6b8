#pragma once
// ImageSource: one container image, from wherever it is kept, as metadata
// (manifest, config, parent index, tags) plus layers that can be walked. Each
// scheme of DESIGN §3 has its own implementation; open_image_source picks it.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyze/layer_walk.hpp"
#include "analyze/oci.hpp"
#include "base/progress.hpp"

namespace airlock {

struct LayerRef {
  Descriptor blob;       // as the manifest names it
  Sha256Digest diff_id;  // from the config
  // False for a synthesized manifest, whose "digest" is the diff_id and whose
  // blob bytes are then only checked through the diff_id.
  bool blob_digest_verifiable = true;
};

struct ImageMetadata {
  std::string source;  // "oci-archive:/images/app.tar"
  std::string manifest_bytes;
  Sha256Digest manifest_digest;  // the image digest
  std::string manifest_media_type;
  bool manifest_synthesized = false;  // legacy docker-archive / daemon export
  std::optional<std::string> parent_bytes;  // the index or manifest list it was chosen from
  std::optional<Sha256Digest> parent_digest;
  std::string parent_media_type;
  std::string config_bytes;
  Sha256Digest config_digest;  // the image id
  ImageConfig config;
  std::vector<LayerRef> layers;
  std::vector<std::string> tags;          // "docker.io/library/debian:12" as the source names them
  std::vector<std::string> repo_digests;
  Platform platform;
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  virtual const ImageMetadata& metadata() const = 0;
  virtual std::size_t layer_count() const { return metadata().layers.size(); }
  // Walks layer I (0 = bottom). May be called from several threads at once
  // for different layers. PROGRESS receives blob bytes as they are read.
  virtual Result<LayerIndex> walk(std::size_t i, LayerVisitor* visitor, Progress& progress) = 0;
  // Sum of the layer blobs' sizes, for progress.
  virtual std::uint64_t total_blob_bytes() const;

  // A source that can only be read front to back in one pass (a daemon's
  // export stream) walks all layers at once through walk_all; its metadata
  // is complete only afterwards.
  virtual bool single_pass() const { return false; }
  using VisitorFactory = std::function<std::unique_ptr<LayerVisitor>(std::size_t)>;
  virtual Result<std::vector<LayerIndex>> walk_all(const VisitorFactory& visitors, Progress& progress);
};

// Sources whose layers are blobs (everything but dir:).
class BlobImageSource : public ImageSource {
 public:
  const ImageMetadata& metadata() const override { return m_metadata; }
  Result<LayerIndex> walk(std::size_t i, LayerVisitor* visitor, Progress& progress) override;

 protected:
  virtual Result<std::unique_ptr<ByteSource>> open_layer_blob(std::size_t i) = 0;
  ImageMetadata m_metadata;
};

// Blobs by digest, for resolving an image from its root document.
class BlobFetcher;

// An image whose layers are blobs a BlobFetcher serves (OCI layouts, registries).
class FetchedImageSource final : public BlobImageSource {
 public:
  FetchedImageSource(std::shared_ptr<BlobFetcher> blobs, ImageMetadata metadata);

 protected:
  Result<std::unique_ptr<ByteSource>> open_layer_blob(std::size_t i) override;

 private:
  std::shared_ptr<BlobFetcher> m_blobs;
};

class BlobFetcher {
 public:
  virtual ~BlobFetcher() = default;
  virtual Result<std::unique_ptr<ByteSource>> open_blob(const Descriptor& d) = 0;
  // Manifests and indexes: a registry serves them apart from blobs.
  virtual Result<std::unique_ptr<ByteSource>> open_manifest(const Descriptor& d) { return open_blob(d); }
  // Reads a small blob (config) or manifest whole, checking size and digest.
  Result<std::string> fetch_verified(const Descriptor& d, std::string_view what);
  Result<std::string> fetch_manifest_verified(const Descriptor& d, std::string_view what);

 private:
  Result<std::string> read_verified(const Descriptor& d, std::string_view what, bool manifest);
};

// Picks the image for WANTED (default: the host's platform) from ROOT, which
// is a manifest or an index, and fetches its manifest and config.
// ROOT_DIGEST is set when ROOT is itself a content-addressed blob.
Result<ImageMetadata> resolve_image(BlobFetcher& blobs, const std::string& root_bytes,
                                    std::string root_media_type,
                                    std::optional<Sha256Digest> root_digest,
                                    const std::optional<Platform>& wanted, std::string_view name);

// Manifests and configs are small; anything bigger is refused.
inline constexpr std::size_t k_max_document_bytes = 8 * 1024 * 1024;

}  // namespace airlock
