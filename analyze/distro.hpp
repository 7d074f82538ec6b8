#pragma once
// Which Linux release an image is, found the way syft finds it: os-release
// first, then the older release files, then busybox's version string.

#include <vector>

#include "analyze/capture.hpp"
#include "analyze/package.hpp"

namespace airlock {

std::vector<FileRequest> distro_requests();
Distro detect_distro(const ContentResolver& files);
// KEY=value lines with shell quoting, as os-release(5) specifies.
std::map<std::string, std::string> parse_os_release(std::string_view text);

}  // namespace airlock
