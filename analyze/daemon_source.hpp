#pragma once
// docker: and podman: images read from a local daemon through the Docker
// Engine API (Podman serves the same API): GET /images/{name}/json for the
// metadata, then GET /images/{name}/get, a docker-archive stream walked in
// one pass as it arrives — no temporary copy of the image is written.

#include <memory>
#include <optional>
#include <string>

#include "analyze/image_source.hpp"
#include "net/http_client.hpp"

namespace airlock {

struct DaemonEndpoint {
  std::string kind;         // "docker" or "podman", for messages
  std::string unix_socket;  // a unix socket path, or empty for TCP
  std::string base_url;     // "http://d" for a socket, "http://host:port" for TCP
};

// DOCKER_HOST-style address ("unix:///run/x.sock", "tcp://host:2375").
Result<DaemonEndpoint> parse_daemon_host(std::string_view kind, std::string_view host);

Result<std::unique_ptr<ImageSource>> open_daemon_image(std::shared_ptr<HttpClient> http,
                                                       const DaemonEndpoint& endpoint,
                                                       const std::string& name,
                                                       const std::optional<Platform>& platform);

}  // namespace airlock
