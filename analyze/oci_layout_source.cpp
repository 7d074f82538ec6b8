#include "analyze/oci_layout_source.hpp"

namespace airlock {

namespace {

class LayoutBlobs final : public BlobFetcher {
 public:
  explicit LayoutBlobs(std::shared_ptr<LayoutReader> reader) : m_reader(std::move(reader)) {}
  Result<std::unique_ptr<ByteSource>> open_blob(const Descriptor& d) override {
    const std::string path = blob_path(d.digest);
    if (!m_reader->contains(path)) {
      return Error(ErrorCode::invalid_input,
                   m_reader->describe(path) + " is missing (the layout is incomplete)");
    }
    return m_reader->open(path);
  }

 private:
  std::shared_ptr<LayoutReader> m_reader;
};

}  // namespace

std::string blob_path(const Sha256Digest& digest) { return "blobs/sha256/" + digest.hex(); }

Result<std::unique_ptr<ImageSource>> open_oci_layout(std::shared_ptr<LayoutReader> reader,
                                                     std::string source,
                                                     const std::optional<Platform>& platform,
                                                     std::vector<std::string> tags) {
  if (!reader->contains("index.json")) {
    return Error(ErrorCode::invalid_input, source + " is not an OCI layout (no index.json)");
  }
  AIRLOCK_TRY_ASSIGN(const std::string index_bytes,
                     reader->read_small("index.json", k_max_document_bytes));
  AIRLOCK_TRY_ASSIGN(const Index index, parse_index(index_bytes, reader->describe("index.json")));
  auto blobs = std::make_shared<LayoutBlobs>(reader);
  std::string root = index_bytes;
  std::string root_type(media_type::oci_index);
  std::optional<Sha256Digest> root_digest;
  // skopeo/umoci write a multi-arch image as index.json → one image index
  // blob; that blob is the real (content-addressed) parent index.
  if (index.manifests.size() == 1 && is_index_media_type(index.manifests[0].media_type)) {
    AIRLOCK_TRY_ASSIGN(root, blobs->fetch_manifest_verified(index.manifests[0], "image index"));
    root_type = index.manifests[0].media_type;
    root_digest = index.manifests[0].digest;
  }
  AIRLOCK_TRY_ASSIGN(ImageMetadata meta,
                     resolve_image(*blobs, root, root_type, root_digest, platform, source));
  meta.source = source;
  meta.tags = std::move(tags);
  for (const auto& d : meta.tags.empty() ? index.manifests : std::vector<Descriptor>{}) {
    auto it = d.annotations.find("org.opencontainers.image.ref.name");
    if (it != d.annotations.end() && (d.digest == meta.manifest_digest || index.manifests.size() == 1)) {
      meta.tags.push_back(it->second);
    }
  }
  return std::unique_ptr<ImageSource>(new FetchedImageSource(std::move(blobs), std::move(meta)));
}

}  // namespace airlock
