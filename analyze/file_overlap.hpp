#pragma once
// syft's ownership-by-file-overlap relationships: a package whose database
// lists its files (deb, rpm, apk) owns another package found at one of those
// files, e.g. the Debian package that installed a Python library owns the
// package a language cataloger read from that library's metadata.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyze/package.hpp"

namespace airlock {

class FileOverlap {
 public:
  // PACKAGES must outlive this object; their ids must be assigned.
  explicit FileOverlap(const std::vector<Package>& packages);

  // Package OWNER lists LISTED, which is the file REAL in the image (LISTED
  // itself, or where the links in it lead).
  void claim(std::size_t owner, const std::string& listed, const std::string& real);
  // Whether a claim of LISTED (REAL) could add anything: a package was found
  // there. Cheap, and safe to call from several threads (it only reads).
  bool touches(const std::string& listed, const std::string& real) const {
    return m_found_at.count(listed) != 0 || (real != listed && m_found_at.count(real) != 0);
  }

  // One relationship per owner and owned package, with the listed paths that
  // overlap as its files, by parent then child.
  std::vector<Relationship> relationships() const;

 private:
  bool owned_directly_by_same_type(std::size_t owner, const std::string& real) const;

  const std::vector<Package>& m_packages;
  std::unordered_multimap<std::string_view, std::size_t> m_found_at;  // location path → package
  std::map<std::pair<std::size_t, std::size_t>, std::set<std::string>> m_overlaps;
};

// Paths no package may own: package databases (the rpm package lists the rpm
// database, which would make it own every rpm) and Debian copyright files,
// which packages share.
bool never_owned(std::string_view path);

}  // namespace airlock
