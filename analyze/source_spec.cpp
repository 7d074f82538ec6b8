#include "analyze/source_spec.hpp"

#include <filesystem>

#include "analyze/daemon_source.hpp"
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

std::shared_ptr<HttpClient> http_of(const SourceOptions& options) {
  return options.http ? options.http : std::make_shared<CurlHttpClient>();
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
    case SourceKind::registry: {
      AIRLOCK_TRY_ASSIGN(const ImageReference ref, parse_image_reference(spec.location));
      return open_registry_image(http_of(options), ref, options.registry, options.platform);
    }
    case SourceKind::docker:
    case SourceKind::podman: {
      const bool docker = spec.kind == SourceKind::docker;
      AIRLOCK_TRY_ASSIGN(const DaemonEndpoint endpoint,
                         parse_daemon_host(docker ? "docker" : "podman",
                                           docker ? options.docker_host : options.podman_host));
      return open_daemon_image(http_of(options), endpoint, spec.location, options.platform);
    }
    case SourceKind::automatic: {
      // Like syft: each place in turn; an image that is not there (or a
      // daemon that is not running) moves on to the next, other errors stop.
      std::string tried;
      for (SourceKind kind : options.pull_order) {
        auto image = open_image_source(SourceSpec{kind, spec.location}, options);
        if (image) return image;
        const ErrorCode code = image.error().code();
        if (code != ErrorCode::not_found && code != ErrorCode::unavailable) return image.error();
        tried += "\n  " + std::string(source_kind_name(kind)) + ": " + image.error().message();
      }
      return Error(ErrorCode::not_found, "image " + spec.location + " was not found:" + tried);
    }
  }
  return Error(ErrorCode::internal, "unknown source kind");
}

Result<std::vector<SourceKind>> parse_pull_order(std::string_view text) {
  std::vector<SourceKind> order;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view name = text.substr(start, comma - start);
    start = comma + 1;
    if (name == "docker") order.push_back(SourceKind::docker);
    else if (name == "podman") order.push_back(SourceKind::podman);
    else if (name == "registry") order.push_back(SourceKind::registry);
    else return Error(ErrorCode::usage, "source order: '" + std::string(name) + "' is not docker, podman or registry");
  }
  return order;
}

}  // namespace airlock
