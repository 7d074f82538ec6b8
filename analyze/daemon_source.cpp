#include "analyze/daemon_source.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "analyze/decompress.hpp"
#include "analyze/docker_archive_source.hpp"
#include "analyze/tar_members.hpp"
#include "analyze/tar_stream.hpp"
#include "base/text.hpp"

namespace airlock {

namespace {

constexpr std::string_view k_api = "/v1.41";

std::string url_path_escape(std::string_view text) { return percent_encode(text, "-._~:@"); }

bool looks_like_layer(std::span<const std::uint8_t> head) {
  if (sniff_compression(head) != Compression::none) return true;
  return head.size() >= 262 && std::string_view(reinterpret_cast<const char*>(head.data()) + 257, 5) == "ustar";
}

// Member paths relative to the archive root, with symlinks resolved.
std::string resolve(const std::map<std::string, std::string>& links, std::string path) {
  for (int hop = 0; hop < 8; ++hop) {
    auto it = links.find(path);
    if (it == links.end()) return path;
    path = it->second;
  }
  return path;
}

class DaemonSource final : public ImageSource {
 public:
  DaemonSource(std::shared_ptr<HttpClient> http, DaemonEndpoint endpoint, std::string name,
               std::vector<Sha256Digest> diff_ids, std::uint64_t size,
               std::optional<Sha256Digest> expected_id, ImageMetadata metadata)
      : m_http(std::move(http)), m_endpoint(std::move(endpoint)), m_name(std::move(name)),
        m_diff_ids(std::move(diff_ids)), m_size(size), m_expected_id(expected_id),
        m_metadata(std::move(metadata)) {}

  const ImageMetadata& metadata() const override { return m_metadata; }
  std::size_t layer_count() const override { return m_diff_ids.size(); }
  std::uint64_t total_blob_bytes() const override { return m_size; }
  bool single_pass() const override { return true; }
  Result<LayerIndex> walk(std::size_t, LayerVisitor*, Progress&) override {
    return Error(ErrorCode::internal, "a daemon image is read in one pass (walk_all)");
  }

  Result<std::vector<LayerIndex>> walk_all(const VisitorFactory& visitors, Progress& progress) override {
    HttpRequest request;
    request.unix_socket = m_endpoint.unix_socket;
    request.url = m_endpoint.base_url + std::string(k_api) + "/images/" + url_path_escape(m_name) + "/get";
    request.idle_timeout = std::chrono::seconds(300);  // the daemon may take a while to start streaming
    AIRLOCK_TRY_ASSIGN(auto response, m_http->send(request));
    if (response->status() != 200) {
      return Error(ErrorCode::unavailable, m_endpoint.kind + " daemon answered HTTP " +
                                               std::to_string(response->status()) + " when exporting " + m_name);
    }
    ProgressSource counted(*response, progress);

    const std::string label = m_metadata.source;
    TarStream outer(counted, label);
    std::map<std::string, LayerIndex> walked;      // member → its walk
    std::map<std::string, std::uint64_t> member_sizes;
    std::map<std::string, std::string> documents;  // small members kept whole
    std::map<std::string, std::string> links;
    std::size_t next_guess = 0;
    for (;;) {
      AIRLOCK_TRY_ASSIGN(std::optional<TarMember> member, outer.next());
      if (!member) break;
      AIRLOCK_TRY_ASSIGN(std::string path, clean_member_path(member->name).context(label));
      if (path.empty() || member->type == FileType::directory) continue;
      path.erase(0, 1);
      if (member->type == FileType::symlink || member->type == FileType::hardlink) {
        std::string target = member->type == FileType::symlink ? resolve_link(path, member->link).value_or("") : member->link;
        if (target.starts_with("./")) target.erase(0, 2);
        if (target.empty()) return Error(ErrorCode::invalid_input, label + ": link '" + path + "' points outside the archive");
        links[path] = target;
        continue;
      }
      if (member->type != FileType::regular) continue;
      member_sizes[path] = member->size;
      std::vector<std::uint8_t> head(512);
      AIRLOCK_TRY_ASSIGN(const std::size_t got, read_fully(outer.content(), head));
      head.resize(got);
      if (looks_like_layer(head)) {
        // Layer members are usually named by their diff_id; otherwise they
        // come in order. Either way the diff_id is checked below.
        std::size_t index = next_guess;
        for (std::size_t k = 0; k < m_diff_ids.size(); ++k) {
          if (path.find(m_diff_ids[k].hex()) != std::string::npos) index = k;
        }
        if (index == next_guess) ++next_guess;
        std::unique_ptr<LayerVisitor> visitor;
        if (visitors && index < m_diff_ids.size()) visitor = visitors(index);
        PrefixedSource rejoined(std::move(head), outer.content());
        LayerExpectation expect;
        expect.name = "layer " + path + " of " + label;
        AIRLOCK_TRY_ASSIGN(LayerIndex layer, walk_layer(rejoined, expect, static_cast<std::uint16_t>(index),
                                                        visitor.get()));
        if (visitor && (index >= m_diff_ids.size() || layer.diff_id != m_diff_ids[index])) {
          return Error(ErrorCode::invalid_input, label + ": the daemon exported layers out of order, "
                                                         "which airlock cannot read in one pass");
        }
        walked[path] = std::move(layer);
      } else if (member->size <= k_max_document_bytes) {
        std::string bytes(head.begin(), head.end());
        StringSink rest;
        AIRLOCK_TRY(copy_stream(outer.content(), rest));
        documents[path] = bytes + rest.data();
      }
    }
    return assemble(walked, member_sizes, documents, links);
  }

 private:
  Result<std::vector<LayerIndex>> assemble(std::map<std::string, LayerIndex>& walked,
                                           const std::map<std::string, std::uint64_t>& sizes,
                                           const std::map<std::string, std::string>& documents,
                                           const std::map<std::string, std::string>& links) {
    const std::string& label = m_metadata.source;
    auto doc = [&](const std::string& path) -> Result<std::string> {
      auto it = documents.find(resolve(links, path));
      if (it == documents.end()) return Error(ErrorCode::invalid_input, label + ": the export has no '" + path + "'");
      return it->second;
    };
    AIRLOCK_TRY_ASSIGN(const std::string manifest_json, doc("manifest.json"));
    const auto entries = nlohmann::json::parse(manifest_json, nullptr, false);
    if (!entries.is_array() || entries.size() != 1 || !entries[0].is_object() ||
        !entries[0].contains("Config") || !entries[0]["Config"].is_string() ||
        !entries[0].contains("Layers") || !entries[0]["Layers"].is_array()) {
      return Error(ErrorCode::invalid_input, label + ": the export's manifest.json is not one image entry");
    }
    const std::string config_path = entries[0]["Config"];
    AIRLOCK_TRY_ASSIGN(m_metadata.config_bytes, doc(config_path));
    m_metadata.config_digest = sha256(m_metadata.config_bytes);
    if (m_expected_id && m_metadata.config_digest != *m_expected_id) {
      return Error(ErrorCode::verification, label + ": the exported config is " + m_metadata.config_digest.oci() +
                                                ", not the image id " + m_expected_id->oci() + " the daemon reported");
    }
    AIRLOCK_TRY_ASSIGN(m_metadata.config, parse_image_config(m_metadata.config_bytes, label + " config"));
    const auto& layer_paths = entries[0]["Layers"];
    if (layer_paths.size() != m_metadata.config.diff_ids.size()) {
      return Error(ErrorCode::invalid_input, label + ": manifest.json and the config disagree on the layer count");
    }
    std::vector<LayerIndex> layers;
    std::vector<std::pair<Sha256Digest, std::uint64_t>> synthesized;
    for (std::size_t i = 0; i < layer_paths.size(); ++i) {
      if (!layer_paths[i].is_string()) return Error(ErrorCode::invalid_input, label + ": a layer path is not text");
      const std::string path = resolve(links, layer_paths[i].get<std::string>());
      auto it = walked.find(path);
      if (it == walked.end()) {
        auto small = documents.find(path);  // a tiny layer (e.g. empty) kept as a document
        if (small == documents.end()) {
          return Error(ErrorCode::invalid_input, label + ": the export has no layer '" + path + "'");
        }
        MemorySource source(small->second);
        LayerExpectation expect;
        expect.name = "layer " + path + " of " + label;
        AIRLOCK_TRY_ASSIGN(LayerIndex layer, walk_layer(source, expect, static_cast<std::uint16_t>(i)));
        it = walked.emplace(path, std::move(layer)).first;
      }
      if (it->second.diff_id != m_metadata.config.diff_ids[i]) {
        return Error(ErrorCode::verification, label + ": layer " + std::to_string(i + 1) + " (" + path +
                                                  ") has diff_id " + it->second.diff_id.oci() + ", the config says " +
                                                  m_metadata.config.diff_ids[i].oci());
      }
      LayerIndex layer = it->second;  // a copy: the same layer may appear twice
      for (auto& e : layer.entries) e.record.layer = static_cast<std::uint16_t>(i);
      layers.push_back(std::move(layer));
      synthesized.emplace_back(m_metadata.config.diff_ids[i], sizes.at(path));
      LayerRef ref;
      ref.blob.media_type = media_type::docker_layer_gzip;
      ref.blob.digest = m_metadata.config.diff_ids[i];
      ref.blob.size = sizes.at(path);
      ref.diff_id = m_metadata.config.diff_ids[i];
      ref.blob_digest_verifiable = false;
      m_metadata.layers.push_back(ref);
    }
    m_metadata.manifest_bytes = synthesize_docker_manifest(m_metadata.config_digest,
                                                           m_metadata.config_bytes.size(), synthesized);
    m_metadata.manifest_digest = sha256(m_metadata.manifest_bytes);
    m_metadata.manifest_media_type = media_type::docker_manifest;
    m_metadata.manifest_synthesized = true;
    m_metadata.platform = m_metadata.config.platform;
    return layers;
  }

  std::shared_ptr<HttpClient> m_http;
  DaemonEndpoint m_endpoint;
  std::string m_name;
  std::vector<Sha256Digest> m_diff_ids;
  std::uint64_t m_size;
  std::optional<Sha256Digest> m_expected_id;
  ImageMetadata m_metadata;
};

}  // namespace

Result<DaemonEndpoint> parse_daemon_host(std::string_view kind, std::string_view host) {
  DaemonEndpoint endpoint;
  endpoint.kind = kind;
  if (host.starts_with("unix://")) {
    endpoint.unix_socket = host.substr(7);
    endpoint.base_url = "http://localhost";
  } else if (host.starts_with("tcp://")) {
    endpoint.base_url = "http://" + std::string(host.substr(6));
  } else if (host.starts_with("/")) {
    endpoint.unix_socket = host;
    endpoint.base_url = "http://localhost";
  } else {
    return Error(ErrorCode::usage, std::string(kind) + " host '" + std::string(host) +
                                       "' is not unix:///PATH or tcp://HOST:PORT (ssh:// is not supported)");
  }
  return endpoint;
}

Result<std::unique_ptr<ImageSource>> open_daemon_image(std::shared_ptr<HttpClient> http,
                                                       const DaemonEndpoint& endpoint,
                                                       const std::string& name,
                                                       const std::optional<Platform>& platform) {
  const std::string where = endpoint.kind + " daemon at " +
                            (endpoint.unix_socket.empty() ? endpoint.base_url : "unix://" + endpoint.unix_socket);
  HttpRequest ping;
  ping.unix_socket = endpoint.unix_socket;
  ping.url = endpoint.base_url + "/_ping";
  ping.connect_timeout = std::chrono::seconds(3);
  ping.idle_timeout = std::chrono::seconds(10);
  auto pong = http->send(ping);
  if (!pong || (*pong)->status() != 200) {
    return Error(ErrorCode::unavailable, "cannot reach the " + where +
                                             (pong ? ": HTTP " + std::to_string((*pong)->status()) : "") +
                                             "; is it running? (set DOCKER_HOST / CONTAINER_HOST to its socket)");
  }
  HttpRequest inspect;
  inspect.unix_socket = endpoint.unix_socket;
  inspect.url = endpoint.base_url + std::string(k_api) + "/images/" + url_path_escape(name) + "/json";
  AIRLOCK_TRY_ASSIGN(auto response, http->send(inspect));
  if (response->status() == 404) {
    return Error(ErrorCode::not_found, "image " + name + " is not in the " + where + " (pull or load it first)");
  }
  if (response->status() != 200) {
    return Error(ErrorCode::unavailable, "the " + where + " answered HTTP " +
                                             std::to_string(response->status()) + " for image " + name);
  }
  AIRLOCK_TRY_ASSIGN(const std::string body, response->read_body(k_max_document_bytes));
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("Id") || !doc["Id"].is_string()) {
    return Error(ErrorCode::invalid_input, "the " + where + " sent an image description without an Id");
  }
  ImageMetadata meta;
  meta.source = endpoint.kind + ":" + name;
  auto strings = [&](const char* key) {
    std::vector<std::string> out;
    if (doc.contains(key) && doc[key].is_array()) {
      for (const auto& v : doc[key]) {
        if (v.is_string()) out.push_back(v.get<std::string>());
      }
    }
    return out;
  };
  meta.tags = strings("RepoTags");
  meta.repo_digests = strings("RepoDigests");
  meta.platform.os = doc.value("Os", "");
  meta.platform.architecture = doc.value("Architecture", "");
  meta.platform.variant = doc.value("Variant", "");
  if (platform && !platform_matches(meta.platform, *platform)) {
    return Error(ErrorCode::not_found, "image " + name + " in the " + where + " is for " +
                                           meta.platform.to_string() + ", not " + platform->to_string());
  }
  std::vector<Sha256Digest> diff_ids;
  if (doc.contains("RootFS") && doc["RootFS"].is_object() && doc["RootFS"].contains("Layers") &&
      doc["RootFS"]["Layers"].is_array()) {
    for (const auto& l : doc["RootFS"]["Layers"]) {
      if (!l.is_string()) continue;
      auto d = Sha256Digest::parse(l.get<std::string>());
      if (d) diff_ids.push_back(*d);
    }
  }
  std::string id = doc["Id"];
  if (id.find(':') == std::string::npos) id = "sha256:" + id;  // Podman answers without the prefix
  auto parsed_id = Sha256Digest::parse(id);
  std::optional<Sha256Digest> expected_id;
  if (parsed_id) expected_id = *parsed_id;
  const std::uint64_t size = doc.contains("Size") && doc["Size"].is_number_unsigned() ? doc["Size"].get<std::uint64_t>() : 0;
  return std::unique_ptr<ImageSource>(new DaemonSource(std::move(http), endpoint, name, std::move(diff_ids),
                                                       size, expected_id, std::move(meta)));
}

}  // namespace airlock
