#include "analyze/platform.hpp"

#include <vector>

namespace airlock {

namespace {

bool is_os(std::string_view s) {
  static constexpr std::string_view k_os[] = {"linux", "windows", "darwin", "freebsd", "netbsd",
                                              "openbsd", "solaris", "illumos", "aix", "plan9",
                                              "android", "ios", "js", "wasip1", "macos"};
  for (auto o : k_os) {
    if (o == s) return true;
  }
  return false;
}

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string Platform::to_string() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

Platform normalize_platform(Platform p) {
  if (p.os == "macos") p.os = "darwin";
  if (p.architecture == "x86_64" || p.architecture == "x86-64") p.architecture = "amd64";
  if (p.architecture == "i386") p.architecture = "386";
  if (p.architecture == "aarch64") {
    p.architecture = "arm64";
    if (p.variant == "v8") p.variant.clear();
  }
  if (p.architecture == "arm64" && p.variant == "v8") p.variant.clear();
  if (p.architecture == "armhf") {
    p.architecture = "arm";
    p.variant = "v7";
  }
  if (p.architecture == "armel") {
    p.architecture = "arm";
    p.variant = "v6";
  }
  if (p.os.empty()) p.os = "linux";
  return p;
}

Result<Platform> parse_platform(std::string_view text) {
  const auto parts = split(text);
  Platform p;
  const auto bad = [&] {
    return Error(ErrorCode::usage, "invalid platform '" + std::string(text) +
                                       "' (expected os/arch[/variant], e.g. linux/arm64)");
  };
  for (auto part : parts) {
    if (part.empty() || part.find_first_of("*, ") != std::string_view::npos) return bad();
  }
  if (parts.size() == 1) {
    if (is_os(parts[0])) p.os = parts[0]; else p.architecture = parts[0];
  } else if (parts.size() == 2) {
    if (is_os(parts[0])) {
      p.os = parts[0];
      p.architecture = parts[1];
    } else {
      p.architecture = parts[0];
      p.variant = parts[1];
    }
  } else if (parts.size() == 3) {
    p.os = parts[0];
    p.architecture = parts[1];
    p.variant = parts[2];
  } else {
    return bad();
  }
  if (p.architecture.empty()) p.architecture = host_platform().architecture;
  return normalize_platform(p);
}

Platform host_platform() {
#if defined(__x86_64__)
  return {"linux", "amd64", ""};
#elif defined(__aarch64__)
  return {"linux", "arm64", ""};
#elif defined(__arm__)
  return {"linux", "arm", "v7"};
#elif defined(__i386__)
  return {"linux", "386", ""};
#elif defined(__s390x__)
  return {"linux", "s390x", ""};
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return {"linux", "ppc64le", ""};
#else
  return {"linux", "unknown", ""};
#endif
}

bool platform_matches(const Platform& candidate, const Platform& wanted) {
  const Platform c = normalize_platform(candidate);
  const Platform w = normalize_platform(wanted);
  if (c.os != w.os || c.architecture != w.architecture) return false;
  return w.variant.empty() || c.variant == w.variant;
}

}  // namespace airlock
