#include "analyze/catalog/rpm.hpp"

#include <algorithm>
#include <set>

#include "analyze/catalog/rpm_bdb.hpp"
#include "analyze/catalog/rpm_ndb.hpp"
#include "analyze/catalog/rpm_sqlite.hpp"

namespace airlock {

namespace {

constexpr std::size_t k_max_manifest = 64u * 1024 * 1024;

bool is_rpm_db(std::string_view p) {
  for (std::string_view dir : {"/var/lib/rpm/", "/usr/share/rpm/", "/usr/lib/sysimage/rpm/"}) {
    for (std::string_view file : {"Packages", "Packages.db", "rpmdb.sqlite"}) {
      if (p.size() >= dir.size() + file.size() && p.ends_with(file) &&
          p.substr(p.size() - file.size() - dir.size(), dir.size()) == dir) {
        return true;
      }
    }
  }
  return false;
}

bool is_rpm_manifest(std::string_view p) { return p.ends_with("/var/lib/rpmmanifest/container-manifest-2"); }

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = text.find(separator, start);
    if (at == std::string_view::npos) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

// Go's strconv.Atoi, for the manifest's numbers: an optional sign and
// decimal digits that fit, else nothing.
std::optional<std::int64_t> atoi(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

// syft's normalizeName(stripTrailingURL(vendor)) for the CPE vendor
// candidate: "Fedora Project" → "fedoraproject", "Red Hat, Inc." → "redhat",
// "Acme <https://acme.example>" → "acme".
std::string cpe_vendor(std::string vendor) {
  const std::string trimmed = trim(vendor);
  if (trimmed.ends_with('>')) {
    const auto open = trimmed.rfind('<');
    if (open != std::string::npos) {
      const std::string url = trimmed.substr(open + 1, trimmed.size() - open - 2);
      for (std::string_view scheme : {"http://", "https://"}) {
        if (url.starts_with(scheme) && url.size() > scheme.size() && url[scheme.size()] != '/') {
          vendor = trim(std::string_view(trimmed).substr(0, open));
        }
      }
    }
  }
  std::string name = trim(vendor.substr(0, vendor.find(',')));
  std::string out;
  for (unsigned char c : name) {
    if (c != ' ') out += static_cast<char>(std::tolower(c));
  }
  return out;
}

// syft's dependency keys: boolean expressions ("(a or b)") are not matched.
bool supported_dependency(std::string_view key) { return !key.empty() && !trim(key).starts_with('('); }

// Does PATH exist in the image (its last component not followed)?
bool exists_in_image(const ContentResolver& files, const std::string& path) {
  if (files.files().find(path) != nullptr) return true;
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return false;
  const auto parent = files.files().resolve(std::string_view(path).substr(0, slash));
  return parent && files.files().find(*parent + path.substr(slash)) != nullptr;
}

std::string rpm_purl(const RpmHeader& h, const Distro* distro) {
  std::string ns = distro != nullptr ? distro->get("ID") : "";
  if (ns == "rhel" || ns == "hummingbird") ns = "redhat";
  if (ns.starts_with("opensuse")) ns = "opensuse";
  std::string distro_qualifier;
  if (distro != nullptr && !distro->empty()) {
    std::vector<std::string> parts;
    if (!distro->get("ID").empty()) parts.push_back(distro->get("ID"));
    if (!distro->get("VERSION_ID").empty()) {
      parts.push_back(distro->get("VERSION_ID"));
    } else if (!distro->get("BUILD_ID").empty()) {
      parts.push_back(distro->get("BUILD_ID"));
    }
    if (!parts.empty()) distro_qualifier = parts.size() == 2 ? parts[0] + "-" + parts[1] : parts[0];
  }
  return make_purl("rpm", ns, h.name, h.version + "-" + h.release,
                   {{"arch", h.arch},
                    {"distro", distro_qualifier},
                    {"epoch", h.epoch ? std::to_string(*h.epoch) : ""},
                    {"upstream", h.source_rpm}});
}

// Reports a database's problems as warnings naming it.
void report(const std::string& db, const RpmProblems& problems, std::vector<std::string>& warnings) {
  for (const auto& p : problems.kept()) warnings.push_back(db + ": " + p);
  if (problems.count() > problems.kept().size()) {
    warnings.push_back(db + ": " + std::to_string(problems.count() - problems.kept().size()) +
                       " more damaged records not listed");
  }
}

class PackageBuilder {
 public:
  PackageBuilder(const ContentResolver& files, const Distro& distro, std::string found_by)
      : m_files(files), m_distro(distro), m_found_by(std::move(found_by)) {}

  // FROM_DB: a database entry (file records, modularity label, the distro in
  // the PURL); else a manifest line (none of those, as syft does).
  std::optional<Package> build(const RpmHeader& h, const FileLocation& where, bool from_db, RpmProblems& problems) {
    if (h.name.empty()) {
      problems.add("a package without a name was skipped");
      return std::nullopt;
    }
    Package p;
    p.name = h.name;
    p.version = (h.epoch ? std::to_string(*h.epoch) + ":" : "") + h.version + "-" + h.release;
    p.type = "rpm";
    p.found_by = m_found_by;
    p.metadata_type = "rpm-db-entry";
    p.purl = rpm_purl(h, from_db ? &m_distro : nullptr);
    p.locations.push_back({where, "primary", ""});
    if (!h.license.empty()) p.licenses.push_back({h.license, "", {where}});
    std::vector<std::string> vendors;
    if (std::string v = cpe_vendor(h.vendor); !v.empty()) {
      vendors.push_back(v);
      for (auto [from, to] : {std::pair{'-', '_'}, std::pair{'_', '-'}}) {
        std::string swapped = v;
        std::replace(swapped.begin(), swapped.end(), from, to);
        if (swapped != v) vendors.push_back(swapped);
      }
    }
    p.cpes = generate_cpes(h.name, p.version, vendors);

    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    if (from_db) {
      auto installed = rpm_installed_files(h);
      if (!installed) {
        problems.add(h.name + ": " + installed.error().message() + "; its file list is left out");
      } else {
        const std::string algorithm = rpm_digest_algorithm_name(h.digest_algorithm);
        for (const auto& f : *installed) {
          // syft keeps only the records of files that exist in the image.
          if (!exists_in_image(m_files, f.path)) continue;
          records.push_back({{"path", f.path},
                             {"mode", f.mode},
                             {"size", f.size},
                             {"digest", {{"algorithm", algorithm}, {"value", f.digest}}},
                             {"userName", f.user_name},
                             {"groupName", f.group_name},
                             {"flags", rpm_file_flags_string(f.flags)}});
          p.owned_files.push_back(f.path);
        }
      }
    }
    std::sort(p.owned_files.begin(), p.owned_files.end());
    p.owned_files.erase(std::unique(p.owned_files.begin(), p.owned_files.end()), p.owned_files.end());

    p.provides.push_back(h.name);
    for (const auto& key : h.provides) {
      if (supported_dependency(key)) p.provides.push_back(key);
    }
    for (const auto& path : p.owned_files) p.provides.push_back(path);
    for (const auto& key : h.requires_) {
      if (supported_dependency(key)) p.requires_.push_back(key);
    }

    nlohmann::ordered_json m;
    m["name"] = h.name;
    m["version"] = h.version;
    m["epoch"] = h.epoch ? nlohmann::ordered_json(*h.epoch) : nlohmann::ordered_json(nullptr);
    m["architecture"] = h.arch;
    m["release"] = h.release;
    m["sourceRpm"] = h.source_rpm;
    m["size"] = h.size;
    m["vendor"] = h.vendor;
    if (from_db) m["modularityLabel"] = h.modularity_label;
    if (!h.provides.empty()) m["provides"] = h.provides;
    if (!h.requires_.empty()) m["requires"] = h.requires_;
    m["files"] = std::move(records);
    p.metadata = std::move(m);
    return p;
  }

 private:
  const ContentResolver& m_files;
  const Distro& m_distro;
  std::string m_found_by;
};

}  // namespace

std::string_view rpm_db_format(std::string_view db) {
  if (is_rpm_sqlite(db)) return "sqlite";
  if (is_rpm_ndb(db)) return "ndb";
  if (is_rpm_bdb(db)) return "bdb";
  return "";
}

Status read_rpm_db(std::string_view db, const RpmBlobVisitor& visit, RpmProblems& problems) {
  const std::string_view format = rpm_db_format(db);
  if (format == "sqlite") return read_rpm_sqlite(db, visit, problems);
  if (format == "ndb") return read_rpm_ndb(db, visit, problems);
  if (format == "bdb") return read_rpm_bdb(db, visit, problems);
  if (db.empty()) return Error(ErrorCode::invalid_input, "the file is empty");
  return Error(ErrorCode::invalid_input, "not an rpm database airlock reads (sqlite, NDB or BerkeleyDB hash)");
}

Result<RpmHeader> parse_rpm_manifest_line(std::string_view line) {
  const auto parts = split(line, '\t');
  if (parts.size() < 10) return Error(ErrorCode::invalid_input, "expected 10 tab-separated fields, found " + std::to_string(parts.size()));
  const auto version_release = split(parts[1], '-');
  if (version_release.size() != 2) {
    return Error(ErrorCode::invalid_input, "version field '" + std::string(parts[1]) + "' is not VERSION-RELEASE");
  }
  RpmHeader h;
  h.name = std::string(parts[0]);
  h.version = std::string(version_release[0]);
  h.release = std::string(version_release[1]);
  h.vendor = std::string(parts[4]);
  if (parts[5] != "(none)") {
    if (auto epoch = atoi(parts[8]); epoch && *epoch >= INT32_MIN && *epoch <= INT32_MAX) {
      h.epoch = static_cast<std::int32_t>(*epoch);
    }
  }
  if (auto size = atoi(parts[6]); size && *size >= INT32_MIN && *size <= INT32_MAX) h.size = static_cast<std::int32_t>(*size);
  h.arch = std::string(parts[7]);
  h.source_rpm = std::string(parts[9]);
  return h;
}

std::vector<FileRequest> RpmCataloger::requests() const {
  return {{is_rpm_db, k_rpm_db_max_bytes, nullptr}, {is_rpm_manifest, k_max_manifest, nullptr}};
}

CatalogResult RpmCataloger::catalog(const ContentResolver& files, const Distro& distro, unsigned /*threads*/) const {
  CatalogResult result;
  PackageBuilder builder(files, distro, std::string(name()));

  for (const std::string& db : files.captured_paths(is_rpm_db)) {
    const CapturedFile* content = files.content(db);
    auto location = files.locate(db);
    if (content == nullptr || !location) continue;
    if (content->truncated) {
      result.warnings.push_back(db + " is larger than airlock reads (" + std::to_string(k_rpm_db_max_bytes >> 20) +
                                " MiB); packages past that point may be missing");
    }
    RpmProblems problems;
    std::set<std::string> seen;
    std::size_t record = 0;
    const Status read = read_rpm_db(
        content->content,
        [&](std::string_view blob) {
          ++record;
          auto header = parse_rpm_header(blob);
          if (!header) {
            problems.add("package record " + std::to_string(record) + " skipped: " + header.error().message());
            return;
          }
          auto p = builder.build(*header, *location, true, problems);
          if (!p) return;
          // The same header twice (a damaged database) is one package, as
          // syft merges packages with equal ids.
          if (!seen.insert(p->purl + '\0' + p->version + '\0' + p->name).second) return;
          result.packages.push_back(std::move(*p));
        },
        problems);
    if (!read) result.warnings.push_back(db + ": " + read.error().message() + "; no packages read from it");
    report(db, problems, result.warnings);
  }

  for (const std::string& manifest : files.captured_paths(is_rpm_manifest)) {
    const CapturedFile* content = files.content(manifest);
    auto location = files.locate(manifest);
    if (content == nullptr || !location) continue;
    if (content->truncated) result.warnings.push_back(manifest + " is too large to read whole; packages past the limit are missing");
    RpmProblems problems;
    std::string_view text = content->content;
    std::size_t line_number = 0;
    while (!text.empty()) {
      const auto eol = text.find('\n');
      ++line_number;
      if (eol == std::string_view::npos) {
        // syft reads lines with bufio's ReadString('\n') and drops the last
        // one when no newline ends it; so does airlock, saying so.
        if (!trim(text).empty()) {
          problems.add("line " + std::to_string(line_number) + " has no newline at its end and is ignored, as syft ignores it");
        }
        break;
      }
      const std::string_view line = text.substr(0, eol);
      text.remove_prefix(eol + 1);
      if (trim(line).empty()) continue;
      auto header = parse_rpm_manifest_line(line);
      if (!header) {
        problems.add("line " + std::to_string(line_number) + ": " + header.error().message());
        continue;
      }
      if (auto p = builder.build(*header, *location, false, problems)) result.packages.push_back(std::move(*p));
    }
    report(manifest, problems, result.warnings);
  }
  return result;
}

}  // namespace airlock
