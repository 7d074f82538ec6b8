#include "analyze/source_spec.hpp"

#include <filesystem>

#include "analyze/dir_source.hpp"
#include "analyze/docker_archive_source.hpp"
#include "analyze/oci_layout_source.hpp"
#include "analyze/tar_members.hpp"

namespace airlock {

namespace {

struct Scheme {
  std::string_view prefix;
  SourceKind kind;
};

constexpr Scheme k_schemes[] = {
    {"docker-archive", SourceKind::docker_archive}, {"oci-archive", SourceKind::oci_archive},
    {"oci-dir", SourceKind::oci_dir},               {"dir", SourceKind::dir},
    {"docker", SourceKind::docker},                 {"podman", SourceKind::podman},
    {"registry", SourceKind::registry},
};

Result<SourceKind> detect_path_kind(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    if (std::filesystem::exists(path / "oci-layout", ec) && std::filesystem::exists(path / "index.json", ec)) {
      return SourceKind::oci_dir;
    }
    return SourceKind::dir;
  }
  AIRLOCK_TRY_ASSIGN(auto members, TarMembers::index(path));
  if (members->contains("manifest.json")) return SourceKind::docker_archive;
  if (members->contains("index.json")) return SourceKind::oci_archive;
  return Error(ErrorCode::invalid_input,
               path.string() + " is a tar archive but neither a docker archive (manifest.json) nor "
                               "an OCI archive (index.json)");
}

}  // namespace

std::string_view source_kind_name(SourceKind kind) {
  for (const auto& s : k_schemes) {
    if (s.kind == kind) return s.prefix;
  }
  return "image reference";
}

Result<SourceSpec> parse_source_spec(std::string_view text) {
  if (text.empty()) return Error(ErrorCode::usage, "the image source is empty");
  const auto colon = text.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view scheme = text.substr(0, colon);
    for (const auto& s : k_schemes) {
      if (s.prefix == scheme) {
        const std::string_view rest = text.substr(colon + 1);
        if (rest.empty()) {
          return Error(ErrorCode::usage, "'" + std::string(text) + "' names no path or image after the scheme");
        }
        return SourceSpec{s.kind, std::string(rest)};
      }
    }
  }
  std::error_code ec;
  const std::filesystem::path path{std::string(text)};
  if (std::filesystem::exists(path, ec)) {
    AIRLOCK_TRY_ASSIGN(const SourceKind kind, detect_path_kind(path));
    return SourceSpec{kind, std::string(text)};
  }
  auto reference = parse_image_reference(text);
  if (!reference) {
    return Error(ErrorCode::usage,
                 "'" + std::string(text) + "' is neither an existing file or folder nor an image "
                 "reference; name an image as docker-archive:PATH, oci-archive:PATH, oci-dir:PATH, "
                 "dir:PATH or registry:REF");
  }
  return SourceSpec{SourceKind::automatic, std::string(text)};
}

Result<std::unique_ptr<ImageSource>> open_image_source(const SourceSpec& spec,
                                                       const SourceOptions& options) {
  switch (spec.kind) {
    case SourceKind::docker_archive:
      return open_docker_archive(spec.location, options.platform);
    case SourceKind::oci_archive: {
      AIRLOCK_TRY_ASSIGN(std::shared_ptr<TarMembers> members, TarMembers::index(spec.location));
      return open_oci_layout(members, "oci-archive:" + spec.location, options.platform);
    }
    case SourceKind::oci_dir: {
      std::error_code ec;
      if (!std::filesystem::is_directory(spec.location, ec)) {
        return Error(ErrorCode::not_found, spec.location + " is not a directory");
      }
      return open_oci_layout(std::make_shared<DirectoryLayout>(spec.location),
                             "oci-dir:" + spec.location, options.platform);
    }
    case SourceKind::dir:
      return open_directory(spec.location);
    case SourceKind::registry:
    case SourceKind::automatic: {
      // Daemon sources are not built yet, so a bare reference means the registry.
      AIRLOCK_TRY_ASSIGN(const ImageReference ref, parse_image_reference(spec.location));
      auto http = options.http ? options.http : std::make_shared<CurlHttpClient>();
      return open_registry_image(http, ref, options.registry, options.platform);
    }
    case SourceKind::docker:
    case SourceKind::podman:
      break;
  }
  return Error(ErrorCode::usage, std::string(source_kind_name(spec.kind)) +
                                     ": sources are not supported yet (save the image with docker "
                                     "save / podman save and read the archive)");
}

}  // namespace airlock
