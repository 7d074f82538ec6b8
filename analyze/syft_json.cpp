#include "analyze/syft_json.hpp"

#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "analyze/catalog/cataloger.hpp"
#include "analyze/image_reference.hpp"
#include "analyze/json_writer.hpp"
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

void write_location(JsonWriter& w, const FileLocation& l, const std::string* evidence, const std::string* visible) {
  w.begin_object();
  w.field("path", l.path);
  w.field("layerID", l.layer_id);
  w.field("accessPath", l.access_path.empty() ? l.path : l.access_path);
  if (evidence != nullptr) {
    w.key("annotations");
    w.begin_object();
    w.field("evidence", *evidence);
    if (visible != nullptr && !visible->empty()) w.field("visible", *visible);
    w.end_object();
  }
  w.end_object();
}

int octal_digits_as_decimal(std::uint32_t mode) {
  return static_cast<int>(mode / 512 % 8 * 1000 + mode / 64 % 8 * 100 + mode / 8 % 8 * 10 + mode % 8);
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
  JsonWriter w(out);
  w.begin_object();
  w.key("artifacts");
  w.begin_array();
  for (const auto& p : sbom.packages) {
    w.begin_object();
    w.field("id", p.id);
    w.field("name", p.name);
    w.field("version", p.version);
    w.field("type", p.type);
    w.field("foundBy", p.found_by);
    w.key("locations");
    w.begin_array();
    for (const auto& l : p.locations) write_location(w, l.file, &l.evidence, &l.visible);
    w.end_array();
    w.key("licenses");
    w.begin_array();
    for (const auto& l : p.licenses) {
      w.begin_object();
      w.field("value", l.value);
      w.field("spdxExpression", l.spdx_expression);
      w.field("type", "declared");
      w.key("urls");
      w.begin_array();
      w.end_array();
      w.key("locations");
      w.begin_array();
      for (const auto& where : l.locations) write_location(w, where, nullptr, nullptr);
      w.end_array();
      w.end_object();
    }
    w.end_array();
    w.field("language", p.language);
    w.key("cpes");
    w.begin_array();
    for (const auto& c : p.cpes) {
      w.begin_object();
      w.field("cpe", c.cpe);
      w.field("source", c.source);
      w.end_object();
    }
    w.end_array();
    w.field("purl", p.purl);
    w.field("metadataType", p.metadata_type);
    w.key("metadata");
    if (p.file_records.empty()) {
      w.value(p.metadata.is_null() ? ordered_json::object() : p.metadata);
    } else {
      w.begin_object();
      for (const auto& [k, v] : p.metadata.items()) {
        w.key(k);
        w.value(v);
      }
      w.key("files");
      w.begin_array();
      for (const auto& f : p.file_records) {
        w.begin_object();
        w.field("path", f.path);
        if (!f.digest.empty()) {
          w.key("digest");
          w.begin_object();
          w.field("algorithm", f.digest_algorithm);
          w.field("value", f.digest);
          w.end_object();
        }
        w.field("isConfigFile", f.is_config_file);
        w.end_object();
      }
      w.end_array();
      w.end_object();
    }
    w.end_object();
  }
  w.end_array();

  w.key("artifactRelationships");
  w.begin_array();
  for_each_relationship(sbom, [&](const Relationship& r) {
    w.begin_object();
    w.field("parent", r.parent);
    w.field("child", r.child);
    w.field("type", r.type);
    if (!r.kind.empty()) {
      w.key("metadata");
      w.begin_object();
      w.field("kind", r.kind);
      w.end_object();
    } else if (r.type == "ownership-by-file-overlap") {
      w.key("metadata");
      w.begin_object();
      w.key("files");
      w.begin_array();
      for (const auto& f : r.files) w.value(f);
      w.end_array();
      w.end_object();
    }
    w.end_object();
  });
  w.end_array();

  if (!sbom.files.empty()) {
    w.key("files");
    w.begin_array();
    for (const auto& f : sbom.files) {
      w.begin_object();
      w.field("id", f.id);
      w.key("location");
      w.begin_object();
      w.field("path", f.location.path);
      w.field("layerID", f.location.layer_id);
      w.end_object();
      w.key("metadata");
      w.begin_object();
      w.field("mode", octal_digits_as_decimal(f.record.mode));
      w.field("type", syft_file_type(f.record.type));
      if (f.record.type == FileType::symlink) w.field("linkDestination", f.record.link);
      w.field("userID", f.record.uid);
      w.field("groupID", f.record.gid);
      w.field("mimeType", "");
      w.field("size", f.record.size);
      w.end_object();
      w.end_object();
    }
    w.end_array();
  }
  w.key("source");
  w.value(source_json(sbom));
  w.key("distro");
  w.value(distro_json(sbom.distro));
  w.key("descriptor");
  ordered_json catalogers = ordered_json::array();
  for (const auto& c : default_catalogers()) catalogers.push_back(std::string(c->name()));
  w.value(ordered_json{{"name", "airlock"},
                       {"version", options.tool_version},
                       {"configuration", {{"catalogers", catalogers}, {"scope", sbom.scope}}}});
  w.key("schema");
  w.value(ordered_json{{"version", k_syft_schema_version},
                       {"url", "https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-" +
                                   std::string(k_syft_schema_version) + ".json"}});
  w.end_object();
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
