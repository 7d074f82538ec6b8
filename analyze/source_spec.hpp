#pragma once
// Source specs as users type them (DESIGN §3, syft's schemes):
// docker-archive:PATH, oci-archive:PATH, oci-dir:PATH, dir:PATH, docker:REF,
// podman:REF, registry:REF, or a bare path whose kind is detected.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "analyze/image_source.hpp"

namespace airlock {

enum class SourceKind { docker_archive, oci_archive, oci_dir, dir, docker, podman, registry };
std::string_view source_kind_name(SourceKind kind);

struct SourceSpec {
  SourceKind kind;
  std::string location;  // a path or an image reference
};

// Splits a scheme off TEXT when it names a known source; a bare existing
// path is detected by looking inside it. A bare reference is refused until
// daemon and registry sources exist.
Result<SourceSpec> parse_source_spec(std::string_view text);

struct SourceOptions {
  std::optional<Platform> platform;
};

Result<std::unique_ptr<ImageSource>> open_image_source(const SourceSpec& spec,
                                                       const SourceOptions& options);

}  // namespace airlock
