#include "analyze/package.hpp"

#include <algorithm>

#include "base/text.hpp"
#include "crypto/sha256.hpp"

namespace airlock {

std::string package_id(const Package& p) {
  std::string key = p.type + '\0' + p.name + '\0' + p.version + '\0' + p.purl + '\0' + p.metadata_type;
  // Real paths only, each once: the same record found in several layers is
  // one package (as syft's location set hashes).
  std::vector<std::string_view> seen;
  for (const auto& l : p.locations) {
    if (std::find(seen.begin(), seen.end(), l.file.path) != seen.end()) continue;
    seen.push_back(l.file.path);
    key += '\0' + l.file.path;
  }
  return sha256(key).hex().substr(0, 16);
}

void assign_package_ids(std::vector<Package>& packages) {
  for (auto& p : packages) p.id = package_id(p);
}

void sort_packages(std::vector<Package>& packages) {
  std::sort(packages.begin(), packages.end(), [](const Package& a, const Package& b) {
    const std::string al = a.locations.empty() ? "" : a.locations[0].file.path;
    const std::string bl = b.locations.empty() ? "" : b.locations[0].file.path;
    return std::tie(a.name, a.version, a.type, al) < std::tie(b.name, b.version, b.type, bl);
  });
}

std::string purl_encode(std::string_view text) { return percent_encode(text, ".-_~+"); }

std::string make_purl(std::string_view type, std::string_view ns, std::string_view name,
                      std::string_view version, std::vector<std::pair<std::string, std::string>> qualifiers) {
  std::string purl = "pkg:" + std::string(type) + "/";
  if (!ns.empty()) purl += purl_encode(ns) + "/";
  purl += purl_encode(name) + "@" + purl_encode(version);
  std::sort(qualifiers.begin(), qualifiers.end());
  char separator = '?';
  for (const auto& [key, value] : qualifiers) {
    if (value.empty()) continue;
    purl += separator + key + "=" + purl_encode(value);
    separator = '&';
  }
  return purl;
}

}  // namespace airlock
