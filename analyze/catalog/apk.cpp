#include "analyze/catalog/apk.hpp"

#include <algorithm>
#include <set>

namespace airlock {

namespace {

bool is_apk_db(std::string_view p) { return p.ends_with("/lib/apk/db/installed"); }

std::vector<std::string> split_spaces(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    while (start < text.size() && text[start] == ' ') ++start;
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

// "so:libc.musl-x86_64.so.1=1", "cmd:sh", "musl>=1.2" → the name a package is known by.
std::string dependency_key(std::string_view token) {
  if (!token.empty() && token.front() == '!') return "";  // a conflict, not a dependency
  const auto op = token.find_first_of("=<>~");
  return std::string(token.substr(0, op));
}

struct ApkEntry {
  std::map<char, std::string> fields;
  std::vector<nlohmann::ordered_json> files;
  std::vector<std::string> paths;
};

}  // namespace

std::vector<FileRequest> ApkCataloger::requests() const {
  return {{is_apk_db, 256 * 1024 * 1024, nullptr}};
}

CatalogResult ApkCataloger::catalog(const ContentResolver& files, const Distro& distro, unsigned /*threads*/) const {
  CatalogResult result;
  const std::string id = distro.get("ID");
  std::string lower_id = id;
  std::transform(lower_id.begin(), lower_id.end(), lower_id.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string version_id = distro.get("VERSION_ID");
  for (const std::string& db : files.captured_paths(is_apk_db)) {
    const CapturedFile* content = files.content(db);
    auto location = files.locate(db);
    if (content == nullptr || !location) continue;
    if (content->truncated) result.warnings.push_back(db + " is too large to read whole; packages past the limit are missing");
    std::vector<ApkEntry> entries;
    ApkEntry current;
    std::string directory;
    std::size_t line_number = 0;
    auto finish = [&] {
      if (!current.fields.empty()) entries.push_back(std::move(current));
      current = {};
      directory.clear();
    };
    std::string_view text = content->content;
    while (!text.empty()) {
      const auto eol = text.find('\n');
      std::string_view line = text.substr(0, eol);
      text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
      ++line_number;
      if (line.empty()) {
        finish();
        continue;
      }
      if (line.size() < 2 || line[1] != ':') {
        result.warnings.push_back(db + " line " + std::to_string(line_number) + ": not an 'X:value' line; ignored");
        continue;
      }
      const char key = line[0];
      const std::string value(line.substr(2));
      switch (key) {
        case 'F': directory = "/" + value; break;
        case 'R': {
          const std::string path = (directory.empty() ? "" : directory) + "/" + value;
          current.files.push_back({{"path", path}});
          current.paths.push_back(path);
          break;
        }
        case 'Z':
          if (!current.files.empty()) {
            const bool sha1 = value.starts_with("Q1");
            current.files.back()["digest"] = {{"algorithm", sha1 ? "'Q1'+base64(sha1)" : "md5"}, {"value", value}};
          }
          break;
        case 'a':
          if (!current.files.empty()) {
            auto parts = value;
            std::replace(parts.begin(), parts.end(), ':', ' ');
            auto owner = split_spaces(parts);
            if (owner.size() == 3) {
              current.files.back()["ownerUid"] = owner[0];
              current.files.back()["ownerGid"] = owner[1];
              current.files.back()["permissions"] = owner[2];
            }
          }
          break;
        default:
          current.fields[key] = value;
      }
    }
    finish();

    std::set<std::string> seen;
    for (auto& e : entries) {
      auto f = [&](char k) {
        auto it = e.fields.find(k);
        return it == e.fields.end() ? std::string() : it->second;
      };
      const std::string name = f('P'), version = f('V'), arch = f('A'), origin = f('o');
      if (name.empty() || version.empty()) {
        result.warnings.push_back(db + ": an entry without P: or V: was skipped");
        continue;
      }
      if (!seen.insert(name).second) {
        result.warnings.push_back(db + ": package " + name + " is listed twice; the first is kept");
        continue;
      }
      Package p;
      p.name = name;
      p.version = version;
      p.type = "apk";
      p.found_by = std::string(this->name());
      p.metadata_type = "apk-db-entry";
      p.locations.push_back({*location, "primary", ""});
      if (!lower_id.empty()) {
        p.purl = make_purl("apk", lower_id, name, version,
                           {{"arch", arch},
                            {"distro", lower_id + (version_id.empty() ? "" : "-" + version_id)},
                            {"upstream", origin != name ? origin : ""}});
      }
      std::vector<std::string> vendors;
      if (!origin.empty()) vendors.push_back(origin);
      p.cpes = generate_cpes(name, version, vendors);
      if (const std::string license = f('L'); !license.empty()) {
        for (const auto& l : split_spaces(license)) {
          if (l == "AND" || l == "OR" || l == "WITH") continue;
          p.licenses.push_back({l, "", {*location}});
        }
      }
      p.owned_files = e.paths;
      p.provides.push_back(name);
      for (const auto& t : split_spaces(f('p'))) p.provides.push_back(dependency_key(t));
      for (const auto& t : split_spaces(f('D'))) {
        if (auto k = dependency_key(t); !k.empty()) p.requires_.push_back(k);
      }
      nlohmann::ordered_json m;
      m["package"] = name;
      m["originPackage"] = origin;
      m["maintainer"] = f('m');
      m["version"] = version;
      m["architecture"] = arch;
      m["url"] = f('U');
      m["description"] = f('T');
      m["size"] = std::strtoll(f('S').c_str(), nullptr, 10);
      m["installedSize"] = std::strtoll(f('I').c_str(), nullptr, 10);
      m["pullDependencies"] = split_spaces(f('D'));
      m["provides"] = split_spaces(f('p'));
      m["pullChecksum"] = f('C');
      m["gitCommitOfApkPort"] = f('c');
      m["files"] = e.files;
      p.metadata = std::move(m);
      result.packages.push_back(std::move(p));
    }
  }
  return result;
}

}  // namespace airlock
