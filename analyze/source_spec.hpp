#pragma once
// Source specs as users type them (DESIGN §3, syft's schemes):
// docker-archive:PATH, oci-archive:PATH, oci-dir:PATH, dir:PATH, docker:REF,
// podman:REF, registry:REF, or a bare path whose kind is detected.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "analyze/image_source.hpp"
#include "analyze/registry_source.hpp"

namespace airlock {

// `automatic` is a bare image reference: tried in `SourceOptions::pull_order`.
enum class SourceKind { docker_archive, oci_archive, oci_dir, dir, docker, podman, registry, automatic };
std::string_view source_kind_name(SourceKind kind);

struct SourceSpec {
  SourceKind kind;
  std::string location;  // a path or an image reference
};

// Splits a scheme off TEXT when it names a known source; a bare existing
// path is detected by looking inside it; anything else must be an image
// reference.
Result<SourceSpec> parse_source_spec(std::string_view text);

struct SourceOptions {
  std::optional<Platform> platform;
  RegistryOptions registry;
  std::string docker_host = "unix:///var/run/docker.sock";  // DOCKER_HOST
  std::string podman_host = "unix:///run/podman/podman.sock";
  // Where a bare image reference is looked for, in order (as syft does).
  std::vector<SourceKind> pull_order = {SourceKind::docker, SourceKind::podman, SourceKind::registry};
  std::shared_ptr<HttpClient> http;  // null: a CurlHttpClient
};

// "docker,podman,registry" → the kinds, for --source-order.
Result<std::vector<SourceKind>> parse_pull_order(std::string_view text);

Result<std::unique_ptr<ImageSource>> open_image_source(const SourceSpec& spec,
                                                       const SourceOptions& options);

}  // namespace airlock
