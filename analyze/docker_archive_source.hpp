#pragma once
// docker-archive: the output of `docker save` / `podman save`: manifest.json
// naming a config and layer tars, in the legacy layout or (Docker ≥ 25)
// beside a full OCI layout.

#include <filesystem>
#include <memory>
#include <optional>

#include "analyze/image_source.hpp"
#include "analyze/tar_members.hpp"

namespace airlock {

Result<std::unique_ptr<ImageSource>> open_docker_archive(const std::filesystem::path& path,
                                                         const std::optional<Platform>& platform);

// The Docker schema-2 manifest skopeo reports for a legacy docker-archive
// (`skopeo inspect --raw docker-archive:PATH`): config digest and size, and
// per layer the diff_id as digest and the member's size.
std::string synthesize_docker_manifest(const Sha256Digest& config_digest, std::uint64_t config_size,
                                       const std::vector<std::pair<Sha256Digest, std::uint64_t>>& layers);

}  // namespace airlock
