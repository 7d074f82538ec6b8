#pragma once
// The OCI / Docker image documents airlock reads: descriptors, image
// manifests, indexes (manifest lists) and image configs. Parsing is strict:
// these bytes come from outside and every field used is checked.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/platform.hpp"
#include "crypto/sha256.hpp"

namespace airlock {

namespace media_type {
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view docker_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view docker_layer_gzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
}  // namespace media_type

bool is_index_media_type(std::string_view type);
bool is_manifest_media_type(std::string_view type);
// Layer media types airlock can read (tar, gzip, zstd; OCI and Docker spellings).
bool is_supported_layer_media_type(std::string_view type);

struct Descriptor {
  std::string media_type;
  Sha256Digest digest;
  std::uint64_t size = 0;
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;
};

struct Manifest {
  std::string media_type;  // from the document, else the one it was fetched as
  Descriptor config;
  std::vector<Descriptor> layers;
};

struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

struct ImageConfig {
  Platform platform;
  std::string created;
  std::vector<std::string> env;
  std::vector<std::string> cmd;
  std::vector<std::string> entrypoint;
  std::map<std::string, std::string> labels;
  std::vector<Sha256Digest> diff_ids;
};

// NAME says where the bytes came from, for error messages.
Result<Manifest> parse_manifest(std::string_view bytes, std::string_view name);
Result<Index> parse_index(std::string_view bytes, std::string_view name);
Result<ImageConfig> parse_image_config(std::string_view bytes, std::string_view name);
// The top-level "mediaType" of a manifest or index document, if present.
Result<std::string> document_media_type(std::string_view bytes, std::string_view name);

}  // namespace airlock
