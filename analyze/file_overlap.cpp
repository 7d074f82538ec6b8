#include "analyze/file_overlap.hpp"

#include <algorithm>

namespace airlock {

bool never_owned(std::string_view path) {
  if (path.ends_with("/lib/apk/db/installed") || path.ends_with("/var/lib/dpkg/status")) return true;
  if (path.find("/var/lib/dpkg/status.d/") != std::string_view::npos) return true;
  for (std::string_view db : {"/rpm/Packages", "/rpm/Packages.db", "/rpm/rpmdb.sqlite"}) {
    if (path.ends_with(db)) return true;
  }
  return path.starts_with("/usr/share/doc/") && path.ends_with("/copyright");
}

FileOverlap::FileOverlap(const std::vector<Package>& packages) : m_packages(packages) {
  for (std::size_t i = 0; i < packages.size(); ++i) {
    for (const auto& l : packages[i].locations) {
      m_found_at.emplace(l.file.path, i);
      if (!l.file.access_path.empty() && l.file.access_path != l.file.path) m_found_at.emplace(l.file.access_path, i);
    }
  }
}

bool FileOverlap::owned_directly_by_same_type(std::size_t owner, const std::string& real) const {
  for (std::size_t i = 0; i < m_packages.size(); ++i) {
    if (i == owner || m_packages[i].type != m_packages[owner].type) continue;
    const auto& owned = m_packages[i].owned_files;
    if (std::find(owned.begin(), owned.end(), real) != owned.end()) return true;
  }
  return false;
}

void FileOverlap::claim(std::size_t owner, const std::string& listed, const std::string& real) {
  if (m_found_at.empty() || never_owned(listed)) return;
  const bool through_link = real != listed;
  for (int pass = 0; pass < (through_link ? 2 : 1); ++pass) {
    const bool by_real_path = pass == 1;
    auto [first, last] = m_found_at.equal_range(by_real_path ? real : listed);
    for (auto it = first; it != last; ++it) {
      const std::size_t child = it->second;
      if (child == owner) continue;
      // A claim through a link gives way to a package of the same kind that
      // lists the real file itself.
      if (by_real_path && owned_directly_by_same_type(owner, real)) continue;
      m_overlaps[{owner, child}].insert(listed);
    }
  }
}

std::vector<Relationship> FileOverlap::relationships() const {
  std::vector<Relationship> out;
  for (const auto& [pair, files] : m_overlaps) {
    Relationship r;
    r.parent = m_packages[pair.first].id;
    r.child = m_packages[pair.second].id;
    r.type = "ownership-by-file-overlap";
    r.files.assign(files.begin(), files.end());
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const Relationship& a, const Relationship& b) {
    return std::tie(a.parent, a.child) < std::tie(b.parent, b.child);
  });
  return out;
}

}  // namespace airlock
