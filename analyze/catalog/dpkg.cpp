#include "analyze/catalog/dpkg.hpp"

#include <algorithm>
#include <set>

#include "base/parallel.hpp"

namespace airlock {

namespace {

constexpr std::size_t k_max_status = 256 * 1024 * 1024;
constexpr std::size_t k_max_info = 16 * 1024 * 1024;

bool is_status_db(std::string_view p) {
  return p.ends_with("/lib/dpkg/status") || p.ends_with("/lib/opkg/status");
}

bool is_status_d(std::string_view p) {
  const auto at = p.find("/lib/dpkg/status.d/");
  return at != std::string_view::npos && p.find('/', at + 19) == std::string_view::npos && p.size() > at + 19;
}

bool is_info_file(std::string_view p) {
  return p.find("/lib/dpkg/info/") != std::string_view::npos &&
         (p.ends_with(".md5sums") || p.ends_with(".conffiles"));
}

bool is_copyright(std::string_view p) {
  if (!p.starts_with("/usr/share/doc/") || !p.ends_with("/copyright")) return false;
  const std::string_view middle = p.substr(15, p.size() - 15 - 10);
  return !middle.empty() && middle.find('/') == std::string_view::npos;
}

// The C locale's white space, without a call per character.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string trim(std::string_view s) { return std::string(trim_view(s)); }

std::vector<std::string> split_list(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t at = text.find(separator, start);
    if (at == std::string_view::npos) at = text.size();
    std::string item = trim(text.substr(start, at - start));
    if (!item.empty()) out.push_back(item);
    start = at + 1;
  }
  return out;
}

// "libc6 (>= 2.34)" → "libc6"; "python3:any" → "python3".
std::string dependency_name(std::string_view spec) {
  std::string name = trim(spec.substr(0, spec.find_first_of(" (")));
  if (auto colon = name.find(':'); colon != std::string::npos) name.resize(colon);
  return name;
}

std::string escape_cpe(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.')) out += '\\';
    out += static_cast<char>(c);
  }
  return out;
}

struct InfoFiles {
  std::vector<PackageFileRecord> records;
  std::vector<std::string> paths;
  std::vector<FileLocation> evidence;
};

// Files a package owns, from info/<pkg>[:<arch>].md5sums and .conffiles.
InfoFiles read_info_files(const ContentResolver& files, const std::string& info_dir, const std::string& package,
                          const std::string& arch, const std::string& conffiles_field) {
  InfoFiles out;
  auto open = [&](const std::string& suffix) -> const CapturedFile* {
    if (!arch.empty() && arch != "all") {
      const std::string qualified = info_dir + "/" + package + ":" + arch + suffix;
      if (const CapturedFile* f = files.content(qualified)) {
        if (auto loc = files.locate(qualified)) out.evidence.push_back(*loc);
        return f;
      }
    }
    const std::string plain = info_dir + "/" + package + suffix;
    const CapturedFile* f = files.content(plain);
    if (f != nullptr) {
      if (auto loc = files.locate(plain)) out.evidence.push_back(*loc);
    }
    return f;
  };
  // Later lines win for a path (conffiles over md5sums), as a map would keep them.
  std::vector<PackageFileRecord> records;
  if (const CapturedFile* md5sums = open(".md5sums")) {
    std::string_view text = md5sums->content;
    while (!text.empty()) {
      const std::size_t eol = std::min(text.find('\n'), text.size());
      const std::string_view line = trim_view(text.substr(0, eol));
      text.remove_prefix(std::min(eol + 1, text.size()));
      const std::size_t space = line.find(' ');
      if (space == std::string_view::npos) continue;
      std::string path = trim(line.substr(space));
      if (path.empty()) continue;
      if (path.front() != '/') path.insert(path.begin(), '/');
      records.push_back({std::move(path), "md5", std::string(line.substr(0, space)), false});
    }
  }
  auto add_conffile = [&](std::string_view line) {
    auto parts = split_list(line, ' ');
    if (parts.empty() || parts[0].front() != '/') return;
    PackageFileRecord record{parts[0], "", "", true};
    if (parts.size() > 1 && parts[1].size() == 32) {
      record.digest_algorithm = "md5";
      record.digest = parts[1];
    }
    records.push_back(std::move(record));
  };
  if (const CapturedFile* conffiles = open(".conffiles")) {
    for (const auto& line : split_list(conffiles->content, '\n')) add_conffile(line);
  }
  for (const auto& line : split_list(conffiles_field, '\n')) add_conffile(line);
  std::stable_sort(records.begin(), records.end(),
                   [](const PackageFileRecord& a, const PackageFileRecord& b) { return a.path < b.path; });
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i + 1 < records.size() && records[i + 1].path == records[i].path) continue;  // a later line wins
    out.paths.push_back(records[i].path);
    out.records.push_back(std::move(records[i]));
  }
  return out;
}

}  // namespace

std::vector<Cpe> generate_cpes(std::string_view name, std::string_view version,
                               const std::vector<std::string>& extra_vendors) {
  std::set<std::string> products = {std::string(name)};
  std::string swapped(name);
  std::replace(swapped.begin(), swapped.end(), '-', '_');
  products.insert(swapped);
  swapped = std::string(name);
  std::replace(swapped.begin(), swapped.end(), '_', '-');
  products.insert(swapped);
  std::set<std::string> vendors = products;
  for (const auto& v : extra_vendors) vendors.insert(v);
  std::vector<Cpe> out;
  for (const auto& vendor : vendors) {
    for (const auto& product : products) {
      out.push_back({"cpe:2.3:a:" + escape_cpe(vendor) + ":" + escape_cpe(product) + ":" + escape_cpe(version) +
                         ":*:*:*:*:*:*:*",
                     "syft-generated"});
    }
  }
  return out;
}

std::vector<DpkgStanza> parse_dpkg_stanzas(std::string_view text, std::string_view name,
                                           std::vector<std::string>& warnings) {
  std::vector<DpkgStanza> stanzas;
  DpkgStanza current;
  std::string last_key;
  bool broken = false;
  std::size_t line_number = 0;
  auto finish = [&] {
    if (!current.fields.empty() && !broken) stanzas.push_back(std::move(current));
    current = {};
    last_key.clear();
    broken = false;
  };
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) {
      finish();
      continue;
    }
    if (broken) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (last_key.empty()) {
        warnings.push_back(std::string(name) + " line " + std::to_string(line_number) +
                           ": a continuation line with no field before it; stanza skipped");
        broken = true;
        continue;
      }
      current.fields[last_key] += "\n" + trim(line);
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      warnings.push_back(std::string(name) + " line " + std::to_string(line_number) + ": not a 'Field: value' line; stanza skipped");
      broken = true;
      continue;
    }
    std::string key(line.substr(0, colon));
    if (current.fields.count(key) != 0) {
      warnings.push_back(std::string(name) + " line " + std::to_string(line_number) + ": field '" + key +
                         "' appears twice in one stanza; stanza skipped");
      broken = true;
      continue;
    }
    current.fields[key] = trim(line.substr(colon + 1));
    last_key = key;
  }
  finish();
  return stanzas;
}

std::vector<std::string> copyright_licenses(std::string_view text) {
  // Runs on every copyright file as the layer walk passes it: no copies.
  constexpr std::string_view k_common = "/usr/share/common-licenses/";
  std::set<std::string, std::less<>> found;
  bool first = true;
  bool dep5 = false;
  while (!text.empty()) {
    const std::size_t eol = std::min(text.find('\n'), text.size());
    const std::string_view line = trim_view(text.substr(0, eol));
    text.remove_prefix(std::min(eol + 1, text.size()));
    if (line.empty()) continue;
    if (first) {
      dep5 = line.starts_with("Format:") && line.find("copyright-format") != std::string_view::npos;
      first = false;
    }
    if (dep5 && line.starts_with("License:")) {
      const std::string_view value = trim_view(line.substr(8));
      const std::string_view token = value.substr(0, value.find_first_of(" \t"));
      if (!token.empty()) found.emplace(token);
    }
    for (std::size_t at = line.find(k_common); at != std::string_view::npos; at = line.find(k_common, at + 1)) {
      std::size_t end = at + k_common.size();
      while (end < line.size() && (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '-' ||
                                   line[end] == '.' || line[end] == '+')) {
        ++end;
      }
      std::string_view name = line.substr(at + k_common.size(), end - at - k_common.size());
      while (!name.empty() && name.back() == '.') name.remove_suffix(1);
      if (!name.empty()) found.emplace(name);
    }
  }
  return {found.begin(), found.end()};
}

std::vector<FileRequest> DpkgCataloger::requests() const {
  return {
      {[](std::string_view p) { return is_status_db(p) || is_status_d(p); }, k_max_status, nullptr},
      {is_info_file, k_max_info, nullptr},
      // Copyright files are reduced to their license names as they pass.
      {is_copyright, k_max_info,
       [](std::string_view, std::string_view content) {
         std::string out;
         for (const auto& l : copyright_licenses(content)) out += l + "\n";
         return out;
       }},
  };
}

namespace {

// How the distro shapes a package's PURL.
struct PurlContext {
  std::string id;                // os-release ID
  std::string distro_qualifier;  // "debian-12"
  bool debian_like = false;
};

// The package a status stanza describes, with what its info files, its
// copyright file and its fields say. Reads FILES only (a resolver of the
// calling thread's own).
Package package_from_stanza(const DpkgStanza& stanza, const ContentResolver& files, const FileLocation& db_location,
                            const std::string& info_dir, const PurlContext& purl_context, std::string_view found_by) {
  auto field = [&](const char* key) { return stanza.get(key); };
  const std::string name = field("Package");
  const std::string version = field("Version");
  const std::string arch = field("Architecture");
  std::string source = field("Source");
  std::string source_version;
  if (auto paren = source.find('('); paren != std::string::npos) {
    source_version = trim(std::string_view(source).substr(paren + 1, source.find(')', paren) - paren - 1));
    source = trim(std::string_view(source).substr(0, paren));
  }

  Package p;
  p.name = name;
  p.version = version;
  p.type = "deb";
  p.found_by = std::string(found_by);
  p.metadata_type = "dpkg-db-entry";
  p.locations.push_back({db_location, "primary", ""});
  if (purl_context.debian_like && !purl_context.id.empty()) {
    const std::string upstream = source.empty() || source_version.empty() ? source : source + "@" + source_version;
    p.purl = make_purl("deb", purl_context.id, name, version,
                       {{"arch", arch}, {"distro", purl_context.distro_qualifier}, {"upstream", upstream}});
  }
  p.cpes = generate_cpes(name, version);

  InfoFiles info = read_info_files(files, info_dir, name, arch, field("Conffiles"));
  for (const auto& e : info.evidence) p.locations.push_back({e, "supporting", ""});
  p.owned_files = std::move(info.paths);

  const std::string copyright = "/usr/share/doc/" + name + "/copyright";
  if (const CapturedFile* licenses = files.content(copyright)) {
    auto where = files.locate(copyright);
    for (const auto& l : split_list(licenses->content, '\n')) {
      PackageLicense license;
      license.value = l;
      if (where) license.locations.push_back(*where);
      p.licenses.push_back(std::move(license));
    }
  }

  p.provides.push_back(name);
  for (const auto& provided : split_list(field("Provides"), ',')) p.provides.push_back(dependency_name(provided));
  for (const char* key : {"Depends", "Pre-Depends"}) {
    for (const auto& dep : split_list(field(key), ',')) {
      for (const auto& alternative : split_list(dep, '|')) p.requires_.push_back(dependency_name(alternative));
    }
  }

  nlohmann::ordered_json m;
  m["package"] = name;
  m["source"] = source;
  m["version"] = version;
  m["sourceVersion"] = source_version;
  m["architecture"] = arch;
  m["maintainer"] = field("Maintainer");
  const std::string size = field("Installed-Size");
  m["installedSize"] = size.empty() ? 0 : std::strtoll(size.c_str(), nullptr, 10);
  auto list_field = [&](const char* key, const char* json_key) {
    auto items = split_list(field(key), ',');
    if (!items.empty()) m[json_key] = items;
  };
  list_field("Provides", "provides");
  list_field("Depends", "depends");
  list_field("Pre-Depends", "preDepends");
  if (info.records.empty()) m["files"] = nlohmann::ordered_json::array();  // syft writes [] too
  p.metadata = std::move(m);
  p.file_records = std::move(info.records);
  return p;
}

}  // namespace

CatalogResult DpkgCataloger::catalog(const ContentResolver& files, const Distro& distro, unsigned threads) const {
  CatalogResult result;
  PurlContext purl_context;
  purl_context.id = distro.get("ID");
  purl_context.debian_like = purl_context.id == "debian" || distro.get("ID_LIKE").find("debian") != std::string::npos ||
                             purl_context.id == "ubuntu";
  if (!purl_context.id.empty()) {
    const std::string v = distro.get("VERSION_ID").empty() ? distro.get("BUILD_ID") : distro.get("VERSION_ID");
    purl_context.distro_qualifier = purl_context.id + (v.empty() ? "" : "-" + v);
  }
  // Each thread reads through a resolver of its own (they memoize lookups).
  std::vector<ContentResolver> resolvers(std::max(1u, threads), files);
  std::set<std::string> seen;  // name + arch, across databases
  const auto databases = files.captured_paths([](std::string_view p) { return is_status_db(p) || is_status_d(p); });
  for (const std::string& db : databases) {
    const CapturedFile* content = files.content(db);
    auto db_location = files.locate(db);
    if (content == nullptr || !db_location) continue;
    if (content->truncated) {
      result.warnings.push_back(db + " is larger than airlock reads (" + std::to_string(k_max_status >> 20) +
                                " MiB); packages past that point are missing");
    }
    const bool distroless = is_status_d(db);
    const std::string info_dir = distroless ? db.substr(0, db.rfind('/')) : db.substr(0, db.rfind('/')) + "/info";
    // Which stanzas become packages is decided in order (the first of a name
    // wins); building them reads many small files and runs on THREADS.
    const std::vector<DpkgStanza> stanzas = parse_dpkg_stanzas(content->content, db, result.warnings);
    std::vector<const DpkgStanza*> installed;
    for (const auto& stanza : stanzas) {
      auto field = [&](const char* key) { return stanza.get(key); };
      const std::string name = field("Package");
      const std::string version = field("Version");
      const std::string status = field("Status");
      if (name.empty() || version.empty()) {
        result.warnings.push_back(db + ": a stanza without Package or Version was skipped" +
                                  (name.empty() ? "" : " (" + name + ")"));
        continue;
      }
      // Only installed packages: "install ok installed" / "hold ok installed"
      // (distroless status.d files carry no Status at all).
      if (!status.empty() && !status.ends_with(" installed")) continue;
      const std::string arch = field("Architecture");
      if (!seen.insert(name + ":" + arch).second) {
        result.warnings.push_back(db + ": package " + name + ":" + arch + " is listed twice; the first is kept");
        continue;
      }
      installed.push_back(&stanza);
    }
    std::vector<Package> packages(installed.size());
    parallel_for(installed.size(), static_cast<unsigned>(resolvers.size()), [&](std::size_t i, unsigned worker) {
      packages[i] = package_from_stanza(*installed[i], resolvers[worker], *db_location, info_dir, purl_context, name());
    });
    for (auto& p : packages) result.packages.push_back(std::move(p));
  }
  return result;
}

}  // namespace airlock
