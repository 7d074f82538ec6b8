#pragma once
// The SBOM model: packages found in an image, where they were found, the
// files they own and how they relate, independent of any output format.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analyze/capture.hpp"

namespace airlock {

struct PackageLocation {
  FileLocation file;
  std::string evidence;  // "primary" or "supporting"
  std::string visible;   // all-layers scope: "true" or "false" (whether the image still shows it); else ""
};

struct PackageLicense {
  std::string value;
  std::string spdx_expression;
  std::vector<FileLocation> locations;
};

struct Cpe {
  std::string cpe;
  std::string source;  // "syft-generated"
};

// A file a package's database lists, as syft's metadata "files" records it.
// Kept apart from the JSON metadata: an image can list a hundred thousand.
struct PackageFileRecord {
  std::string path;
  std::string digest_algorithm;  // "md5", "" when none
  std::string digest;
  bool is_config_file = false;
};

struct Package {
  std::string name;
  std::string version;
  std::string type;          // syft's package type: "deb", "apk", "rpm", …
  std::string found_by;      // cataloger name
  std::string purl;
  std::string language;
  std::string metadata_type;  // "dpkg-db-entry", …
  nlohmann::ordered_json metadata;
  std::vector<PackageFileRecord> file_records;  // written as metadata "files" (dpkg)
  std::vector<PackageLocation> locations;
  std::vector<PackageLicense> licenses;
  std::vector<Cpe> cpes;
  std::vector<std::string> owned_files;   // absolute paths the package installs
  // Filled by build_sbom: indexes into Sbom::files of the owned files that
  // exist, and of each location's file (parallel to `locations`).
  std::vector<std::uint32_t> owned_file_indexes;
  std::vector<std::uint32_t> location_file_indexes;
  std::vector<std::string> provides;      // names others may depend on (incl. its own)
  std::vector<std::string> requires_;     // names it depends on
  std::string id;                         // filled by assign_package_ids
};

struct Relationship {
  std::string parent;
  std::string child;
  std::string type;  // "contains", "dependency-of", "evident-by", "ownership-by-file-overlap"
  std::string kind;  // evident-by: "primary" or "supporting"
  std::vector<std::string> files;  // ownership-by-file-overlap: the overlapping paths, sorted
};

// The Linux release, as os-release says it.
struct Distro {
  std::map<std::string, std::string> fields;  // os-release KEY → value
  std::string get(const std::string& key) const {
    auto it = fields.find(key);
    return it == fields.end() ? "" : it->second;
  }
  bool empty() const { return fields.empty(); }
};

// Deterministic ids: the same package found the same way gets the same id on
// every run (16 hex digits, like syft's).
std::string package_id(const Package& package);
void assign_package_ids(std::vector<Package>& packages);
// syft's package order: name, version, type, then first location.
void sort_packages(std::vector<Package>& packages);

// Percent-encodes a PURL component or qualifier value (packageurl spec).
std::string purl_encode(std::string_view text);

// "pkg:TYPE/[NAMESPACE/]NAME@VERSION?k=v&…" with the qualifiers whose value
// is not empty, sorted by key, as syft's packageurl library writes them.
std::string make_purl(std::string_view type, std::string_view ns, std::string_view name,
                      std::string_view version, std::vector<std::pair<std::string, std::string>> qualifiers);

}  // namespace airlock
