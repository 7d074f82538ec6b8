#pragma once
// registry: images pulled from an OCI distribution registry (Docker Hub,
// Harbor, a registry inside the enclave …) over HTTP(S), with bearer-token and
// basic auth from Docker/Podman credential files. Blobs stream straight into
// the layer walk; nothing is saved to disk.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyze/image_reference.hpp"
#include "analyze/image_source.hpp"
#include "net/http_client.hpp"

namespace airlock {

struct RegistryOptions {
  // Hosts ("host:port") that may be reached over plain HTTP or with
  // unverified TLS; loopback hosts always may, as Docker allows.
  std::vector<std::string> insecure_hosts;
  // Docker config.json / containers auth.json files, first match wins.
  std::vector<std::filesystem::path> auth_files;
  int retries = 3;  // for 429 and 5xx answers
  std::chrono::milliseconds retry_base{500};  // doubled each attempt; Retry-After wins
};

struct RegistryCredentials {
  std::string username;
  std::string password;
};

// Looks HOST up in the "auths" of the credential files.
Result<std::optional<RegistryCredentials>> find_registry_credentials(
    const std::vector<std::filesystem::path>& files, std::string_view host);

Result<std::unique_ptr<ImageSource>> open_registry_image(std::shared_ptr<HttpClient> http,
                                                         const ImageReference& reference,
                                                         const RegistryOptions& options,
                                                         const std::optional<Platform>& platform);

}  // namespace airlock
