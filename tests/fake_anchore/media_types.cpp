#include "tests/fake_anchore/media_types.hpp"

#include <algorithm>
#include <cctype>

namespace airlock::fake_anchore {

const std::set<std::string>& manifest_media_types() {
  static const std::set<std::string> types = {
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.v1+prettyjws",
  };
  return types;
}

const std::set<std::string>& index_media_types() {
  static const std::set<std::string> types = {
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
  };
  return types;
}

std::string media_type_of(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  const auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
  type.erase(type.begin(), std::find_if_not(type.begin(), type.end(), blank));
  type.erase(std::find_if_not(type.rbegin(), type.rend(), blank).base(), type.end());
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  return type;
}

}  // namespace airlock::fake_anchore
