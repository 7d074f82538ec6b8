#pragma once
// dpkg: Debian and Ubuntu packages from var/lib/dpkg/status, distroless
// var/lib/dpkg/status.d/*, and opkg's status; owned files from info/*.md5sums
// and *.conffiles; licenses from DEP-5 copyright files.

#include "analyze/catalog/cataloger.hpp"

namespace airlock {

class DpkgCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "dpkg-db-cataloger"; }
  std::vector<FileRequest> requests() const override;
  CatalogResult catalog(const ContentResolver& files, const Distro& distro, unsigned threads) const override;
};

struct DpkgStanza {
  std::map<std::string, std::string> fields;  // as written ("Installed-Size")
  // The value of field KEY, or "" when the stanza has none.
  std::string get(const std::string& key) const {
    auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
  }
};

// Parses RFC 822 stanzas; stanzas it cannot read are reported in WARNINGS
// (naming NAME) and skipped.
std::vector<DpkgStanza> parse_dpkg_stanzas(std::string_view text, std::string_view name,
                                           std::vector<std::string>& warnings);
// License names in a copyright file (DEP-5 `License:` fields and mentions of
// /usr/share/common-licenses/NAME), sorted and unique.
std::vector<std::string> copyright_licenses(std::string_view text);

}  // namespace airlock
