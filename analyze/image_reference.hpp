#pragma once
// Image references as Docker normalises them: "debian" is
// docker.io/library/debian:latest; the registry is the first component when
// it looks like a host (has '.' or ':', or is "localhost").

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace airlock {

struct ImageReference {
  std::string registry;    // "docker.io", "127.0.0.1:5000"
  std::string repository;  // "library/debian"
  std::string tag;         // empty when only a digest was given
  std::string digest;      // "sha256:…" or empty

  // "docker.io/library/debian:12" (and "@sha256:…" when pinned).
  std::string to_string() const;
  // The name without tag or digest: "docker.io/library/debian".
  std::string name() const { return registry + "/" + repository; }
  // Tag or digest to ask the registry for.
  std::string version() const { return digest.empty() ? tag : digest; }
};

Result<ImageReference> parse_image_reference(std::string_view text);

}  // namespace airlock
