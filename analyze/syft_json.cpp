#include "analyze/syft_json.hpp"

#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "analyze/image_reference.hpp"
#include "crypto/base64.hpp"

namespace airlock {

namespace {

using nlohmann::ordered_json;

std::string_view syft_file_type(FileType t) {
  switch (t) {
    case FileType::regular: return "RegularFile";
    case FileType::directory: return "Directory";
    case FileType::symlink: return "SymbolicLink";
    case FileType::hardlink: return "HardLink";
    case FileType::char_device: return "CharacterDevice";
    case FileType::block_device: return "BlockDevice";
    case FileType::fifo: return "FIFONode";
    case FileType::other: return "IrregularFile";
  }
  return "IrregularFile";
}

ordered_json location_json(const FileLocation& l, std::optional<std::string> evidence) {
  ordered_json j = {{"path", l.path}, {"layerID", l.layer_id}, {"accessPath", l.access_path.empty() ? l.path : l.access_path}};
  if (evidence) j["annotations"] = {{"evidence", *evidence}};
  return j;
}

ordered_json distro_json(const Distro& d) {
  ordered_json j = ordered_json::object();
  static const std::pair<const char*, const char*> k_fields[] = {
      {"prettyName", "PRETTY_NAME"}, {"name", "NAME"}, {"id", "ID"}, {"version", "VERSION"},
      {"versionID", "VERSION_ID"}, {"versionCodename", "VERSION_CODENAME"}, {"buildID", "BUILD_ID"},
      {"imageID", "IMAGE_ID"}, {"imageVersion", "IMAGE_VERSION"}, {"variant", "VARIANT"},
      {"variantID", "VARIANT_ID"}, {"homeURL", "HOME_URL"}, {"supportURL", "SUPPORT_URL"},
      {"bugReportURL", "BUG_REPORT_URL"}, {"privacyPolicyURL", "PRIVACY_POLICY_URL"},
      {"cpeName", "CPE_NAME"}, {"supportEnd", "SUPPORT_END"}};
  for (const auto& [json_key, os_key] : k_fields) {
    const std::string v = d.get(os_key);
    if (v.empty()) continue;
    j[json_key] = v;
    if (std::string_view(json_key) == "id") {
      std::vector<std::string> like;
      std::string all = d.get("ID_LIKE");
      for (std::size_t s = 0; s < all.size();) {
        const std::size_t e = std::min(all.find(' ', s), all.size());
        if (e > s) like.push_back(all.substr(s, e - s));
        s = e + 1;
      }
      if (!like.empty()) j["idLike"] = like;
    }
  }
  return j;
}

ordered_json source_json(const Sbom& sbom) {
  const ImageMetadata& m = sbom.image;
  ordered_json source;
  source["id"] = sbom.source_id;
  if (m.manifest_bytes.empty()) {  // dir: source
    source["name"] = sbom.user_input;
    source["version"] = "";
    source["type"] = "directory";
    source["metadata"] = {{"path", m.source.substr(m.source.find(':') + 1)}};
    return source;
  }
  std::string name = sbom.user_input, version;
  for (const auto& tag : m.tags) {
    auto ref = parse_image_reference(tag);
    if (ref && tag.find('/') != std::string::npos) {
      name = ref->name();
      version = ref->tag;
      break;
    }
  }
  if (version.empty() || version == "latest") version = m.manifest_digest.oci();
  source["name"] = name;
  source["version"] = version;
  source["type"] = "image";
  ordered_json layers = ordered_json::array();
  std::uint64_t image_size = 0;
  for (std::size_t i = 0; i < sbom.layers.size(); ++i) {
    const std::string media = i < m.layers.size() ? m.layers[i].blob.media_type : "";
    layers.push_back({{"mediaType", media}, {"digest", sbom.layers[i].diff_id.oci()}, {"size", sbom.layers[i].content_size}});
    image_size += sbom.layers[i].content_size;
  }
  ordered_json md;
  md["userInput"] = sbom.user_input;
  md["imageID"] = m.config_digest.oci();
  md["manifestDigest"] = m.manifest_digest.oci();
  md["mediaType"] = m.manifest_media_type;
  md["tags"] = m.tags;
  md["imageSize"] = image_size;
  md["layers"] = layers;
  md["manifest"] = to_base64(m.manifest_bytes);
  md["config"] = to_base64(m.config_bytes);
  md["repoDigests"] = m.repo_digests;
  md["architecture"] = m.platform.architecture;
  if (!m.platform.variant.empty()) md["architectureVariant"] = m.platform.variant;
  md["os"] = m.platform.os;
  if (!m.config.labels.empty()) md["labels"] = m.config.labels;
  source["metadata"] = md;
  return source;
}

}  // namespace

void write_syft_json(std::ostream& out, const Sbom& sbom, const SyftJsonOptions& options) {
  ordered_json doc;
  ordered_json artifacts = ordered_json::array();
  for (const auto& p : sbom.packages) {
    ordered_json a;
    a["id"] = p.id;
    a["name"] = p.name;
    a["version"] = p.version;
    a["type"] = p.type;
    a["foundBy"] = p.found_by;
    a["locations"] = ordered_json::array();
    for (const auto& l : p.locations) a["locations"].push_back(location_json(l.file, l.evidence));
    a["licenses"] = ordered_json::array();
    for (const auto& l : p.licenses) {
      ordered_json lj = {{"value", l.value}, {"spdxExpression", l.spdx_expression}, {"type", "declared"},
                         {"urls", ordered_json::array()}, {"locations", ordered_json::array()}};
      for (const auto& where : l.locations) lj["locations"].push_back(location_json(where, std::nullopt));
      a["licenses"].push_back(lj);
    }
    a["language"] = p.language;
    a["cpes"] = ordered_json::array();
    for (const auto& c : p.cpes) a["cpes"].push_back({{"cpe", c.cpe}, {"source", c.source}});
    a["purl"] = p.purl;
    a["metadataType"] = p.metadata_type;
    a["metadata"] = p.metadata.is_null() ? ordered_json::object() : p.metadata;
    artifacts.push_back(std::move(a));
  }
  doc["artifacts"] = std::move(artifacts);
  ordered_json relationships = ordered_json::array();
  for (const auto& r : sbom.relationships) {
    ordered_json j = {{"parent", r.parent}, {"child", r.child}, {"type", r.type}};
    if (!r.metadata.is_null()) j["metadata"] = r.metadata;
    relationships.push_back(std::move(j));
  }
  doc["artifactRelationships"] = std::move(relationships);
  if (!sbom.files.empty()) {
    ordered_json files = ordered_json::array();
    for (const auto& f : sbom.files) {
      ordered_json meta = {{"mode", std::stoi(std::to_string(f.record.mode / 512) + std::to_string(f.record.mode / 64 % 8) +
                                              std::to_string(f.record.mode / 8 % 8) + std::to_string(f.record.mode % 8))},
                           {"type", syft_file_type(f.record.type)}};
      if (!f.record.link.empty() && f.record.type == FileType::symlink) meta["linkDestination"] = f.record.link;
      meta["userID"] = f.record.uid;
      meta["groupID"] = f.record.gid;
      meta["mimeType"] = "";
      meta["size"] = f.record.size;
      files.push_back({{"id", f.id}, {"location", {{"path", f.location.path}, {"layerID", f.location.layer_id}}}, {"metadata", meta}});
    }
    doc["files"] = std::move(files);
  }
  doc["source"] = source_json(sbom);
  doc["distro"] = distro_json(sbom.distro);
  doc["descriptor"] = {{"name", "airlock"},
                       {"version", options.tool_version},
                       {"configuration", {{"catalogers", {"dpkg-db-cataloger", "apk-db-cataloger"}}, {"scope", "squashed"}}}};
  doc["schema"] = {{"version", k_syft_schema_version},
                   {"url", "https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-" +
                               std::string(k_syft_schema_version) + ".json"}};
  // Paths and fields from images may hold bytes that are not UTF-8: replace them.
  out << doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void write_package_table(std::ostream& out, const Sbom& sbom) {
  std::set<std::tuple<std::string, std::string, std::string>> rows;
  for (const auto& p : sbom.packages) rows.insert({p.name, p.version, p.type});
  if (rows.empty()) {
    out << "No packages discovered\n";
    return;
  }
  std::size_t w_name = 4, w_version = 7;
  for (const auto& [n, v, t] : rows) {
    w_name = std::max(w_name, n.size());
    w_version = std::max(w_version, v.size());
  }
  auto pad = [](const std::string& s, std::size_t w) { return s + std::string(w - s.size() + 2, ' '); };
  out << pad("NAME", w_name) << pad("VERSION", w_version) << "TYPE\n";
  for (const auto& [n, v, t] : rows) out << pad(n, w_name) << pad(v, w_version) << t << '\n';
}

}  // namespace airlock
