#pragma once
// Platform: os/architecture[/variant] of an image, parsed and normalised the
// way stereoscope does (x86_64 → amd64, aarch64 → arm64, …).

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace airlock {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;

  std::string to_string() const;  // "linux/arm64/v8"
  bool empty() const { return os.empty() && architecture.empty(); }
  friend bool operator==(const Platform&, const Platform&) = default;
};

// Accepts os, arch, os/arch, arch/variant and os/arch/variant.
Result<Platform> parse_platform(std::string_view text);
// linux/<architecture of this machine>.
Platform host_platform();
// OS and architecture must be equal; the variant only when WANTED names one.
bool platform_matches(const Platform& candidate, const Platform& wanted);
Platform normalize_platform(Platform p);

}  // namespace airlock
