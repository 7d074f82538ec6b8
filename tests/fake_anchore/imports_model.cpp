#include "tests/fake_anchore/imports_model.hpp"

#include <algorithm>

#include "tests/fake_anchore/ids.hpp"

namespace airlock::fake_anchore {
namespace {

constexpr auto step_time = std::chrono::milliseconds(300);
constexpr auto operation_lifetime = std::chrono::hours(24 * 7);  // the Enterprise chart default

bool uploadable(const std::string& status) { return status == "pending" || status == "processing"; }

// The repository's last path component of a full tag ("docker.io/library/nginx:1" → "nginx").
std::string repository_name(const std::string& tag) {
  std::string repo = tag.substr(0, tag.find('@'));
  const auto slash = repo.rfind('/');
  const auto colon = repo.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) repo.resize(colon);
  return slash == std::string::npos ? repo : repo.substr(slash + 1);
}

nlohmann::json tag_detail(const std::string& fulltag, const std::string& digest, const std::string& image_id) {
  std::string rest = fulltag;
  std::string registry = "docker.io";
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    registry = rest.substr(0, slash);
    rest = rest.substr(slash + 1);
  }
  std::string tag = "latest";
  if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    tag = rest.substr(colon + 1);
    rest.resize(colon);
  }
  return {{"fulltag", fulltag}, {"registry", registry}, {"repo", rest},          {"tag", tag},
          {"digest", digest},   {"imageId", image_id},  {"fulldigest", registry + "/" + rest + "@" + digest}};
}

Answer bad_request(const std::string& detail) { return {400, problem_body(400, detail)}; }

}  // namespace

nlohmann::json ImportsModel::operation_json(const Operation& op) {
  return {{"uuid", op.uuid}, {"status", op.status}, {"created_at", op.created_at}, {"expires_at", op.expires_at}};
}

nlohmann::json ImportsModel::image_json(const Image& image) {
  const auto& m = image.import_manifest;
  std::string image_id = m.value("local_image_id", "");
  if (image_id.empty()) image_id = image.digest;
  nlohmann::json details = nlohmann::json::array();
  for (const auto& tag : image.tags) details.push_back(tag_detail(tag.get<std::string>(), image.digest, image_id));
  return {{"imageDigest", image.digest},
          {"parentDigest", m.value("parent_digest", image.digest)},
          {"analysis_status", image.status},
          {"image_status", "active"},
          {"annotations", image.annotations},
          {"created_at", image.created_at},
          {"last_updated", image.updated_at},
          {"image_detail", details},
          {"record_version", "v1"}};
}

ImportsModel::Operation* ImportsModel::find_operation(const std::string& account, const std::string& uuid) {
  for (auto& op : m_operations) {
    if (op.account == account && op.uuid == uuid) return &op;
  }
  return nullptr;
}

const ImportsModel::Content* ImportsModel::find_content(const Operation& op, const std::string& kind,
                                                        const std::string& digest) {
  for (const auto& content : op.contents) {
    if (content.kind == kind && content.digest == digest) return &content;
  }
  return nullptr;
}

Answer ImportsModel::create_operation(const std::string& account) {
  std::lock_guard lock(m_mutex);
  Operation op;
  op.uuid = new_uuid();
  op.account = account;
  op.created_at = now_rfc3339();
  op.expires_at = now_rfc3339(std::chrono::duration_cast<std::chrono::seconds>(operation_lifetime));
  m_operations.push_back(op);
  return {200, operation_json(op)};
}

Answer ImportsModel::get_operation(const std::string& account, const std::string& operation) {
  std::lock_guard lock(m_mutex);
  const Operation* op = find_operation(account, operation);
  if (op == nullptr) return not_found(operation);
  return {200, operation_json(*op)};
}

Answer ImportsModel::list_operations(const std::string& account) {
  std::lock_guard lock(m_mutex);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& op : m_operations) {
    if (op.account == account) items.push_back(operation_json(op));
  }
  return {200, items};
}

Answer ImportsModel::upload(const std::string& account, const std::string& operation, const std::string& kind,
                            const std::string& body, const std::string& content_type) {
  const std::string digest = sha256_hex(body);  // outside the lock: bodies may be large
  std::lock_guard lock(m_mutex);
  Operation* op = find_operation(account, operation);
  if (op == nullptr) return not_found(operation);
  if (!uploadable(op->status)) return error_answer(409, "import operation status does not allow uploads");
  // Identical bytes for the same kind answer with the existing record, as the engine does.
  if (const Content* existing = find_content(*op, kind, digest)) {
    return {200, {{"digest", existing->digest}, {"created_at", existing->created_at}}};
  }
  Content content{kind, digest, content_type, body.size(), now_rfc3339(), kind == "manifest" ? body : ""};
  op->contents.push_back(content);
  return {200, {{"digest", content.digest}, {"created_at", content.created_at}}};
}

Answer ImportsModel::list_contents(const std::string& account, const std::string& operation, const std::string& kind) {
  std::lock_guard lock(m_mutex);
  const Operation* op = find_operation(account, operation);
  if (op == nullptr) return not_found(operation);
  nlohmann::json digests = nlohmann::json::array();
  for (const auto& content : op->contents) {
    if (content.kind == kind) digests.push_back(content.digest);
  }
  return {200, digests};
}

std::optional<Answer> ImportsModel::check_manifest(const nlohmann::json& m, const Operation& op) const {
  const auto& contents = m.at("contents");
  // The SBOM goes up as "packages" (ImportContentDigests) or through the /sbom upload.
  const char* sbom_key = contents.contains("packages") ? "packages" : "sbom";
  for (const char* required : {sbom_key, "manifest", "image_config"}) {
    if (!contents.contains(required)) {
      const std::string name = std::string(required) == sbom_key ? "packages (or sbom)" : required;
      return bad_request("contents." + name + " is required");
    }
  }
  static const std::vector<std::string> known = {"packages",        "sbom",           "manifest",
                                                 "image_config",    "parent_manifest", "dockerfile",
                                                 "secret_searches", "content_searches", "file_contents"};
  for (const auto& [key, value] : contents.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return bad_request("contents." + key + " is not a known content type");
    }
    if (!value.is_string()) return bad_request("contents." + key + " must be a digest string");
    const auto digest = value.get<std::string>();
    bool found = find_content(op, key, digest) != nullptr;
    if (!found && (key == "packages" || key == "sbom")) {
      found = find_content(op, key == "packages" ? "sbom" : "packages", digest) != nullptr;
    }
    if (!found) return error_answer(400, "One or more referenced content digests not found for the operation id");
  }
  const auto manifest_digest = contents.at("manifest").get<std::string>();
  if (m.at("digest") != "sha256:" + manifest_digest) {
    return error_answer(400, "digest " + m.at("digest").get<std::string>() +
                                 " does not match the uploaded manifest (sha256:" + manifest_digest + ")");
  }
  const auto manifest = nlohmann::json::parse(find_content(op, "manifest", manifest_digest)->body, nullptr, false);
  const std::string config_digest = "sha256:" + contents.at("image_config").get<std::string>();
  if (manifest.is_discarded() || !manifest.is_object() || !manifest.contains("config") ||
      !manifest["config"].is_object() || manifest["config"].value("digest", "") != config_digest) {
    return error_answer(400, "the manifest's config digest does not match the uploaded image config " + config_digest);
  }
  const auto& tags = m.at("tags");
  if (tags.empty()) return error_answer(400, "tags must not be empty");
  for (const auto& tag : tags) {
    if (!tag.is_string() || tag.get<std::string>().empty()) return bad_request("tags must be non-empty strings");
  }
  if (m.contains("parent_digest") && contents.contains("parent_manifest") &&
      m["parent_digest"] != "sha256:" + contents["parent_manifest"].get<std::string>()) {
    return error_answer(400, "parent_digest does not match the uploaded parent manifest");
  }
  if (m.contains("local_image_id")) {
    const auto& id = m["local_image_id"];
    if (!id.is_string() || (id != config_digest && "sha256:" + id.get<std::string>() != config_digest)) {
      return error_answer(400, "local_image_id does not match the image config digest " + config_digest);
    }
  }
  return std::nullopt;
}

Answer ImportsModel::finalize(const std::string& account, const nlohmann::json& body) {
  // Schema-level checks first (the framework's shape-2 400s).
  if (!body.is_object() || !body.contains("source") || !body["source"].is_object() ||
      !body["source"].contains("import") || !body["source"]["import"].is_object()) {
    return bad_request("'source.import' (an ImageImportManifest object) is required");
  }
  const auto& m = body["source"]["import"];
  if (!m.contains("operation_uuid") || !m["operation_uuid"].is_string()) {
    return bad_request("'operation_uuid' is required");
  }
  if (!m.contains("contents") || !m["contents"].is_object()) return bad_request("'contents' is required");
  if (!m.contains("digest") || !m["digest"].is_string()) return bad_request("'digest' is required");
  if (!m.contains("tags") || !m["tags"].is_array()) return bad_request("'tags' (an array) is required");
  for (const char* key : {"parent_digest", "local_image_id"}) {
    if (m.contains(key) && !m[key].is_string()) return bad_request("'" + std::string(key) + "' must be a string");
  }
  nlohmann::json annotations = body.value("annotations", nlohmann::json::object());
  if (!annotations.is_object()) return bad_request("'annotations' must be an object");
  for (const auto& [key, value] : annotations.items()) {
    if (!value.is_string()) return bad_request("annotation '" + key + "' must be a string");
  }

  std::lock_guard lock(m_mutex);
  Operation* op = find_operation(account, m["operation_uuid"].get<std::string>());
  if (op == nullptr) return not_found(m["operation_uuid"].get<std::string>());
  if (!uploadable(op->status)) return error_answer(409, "import operation status does not allow finalizing");
  if (auto failure = check_manifest(m, *op)) return *failure;
  op->status = "complete";

  const auto digest = m["digest"].get<std::string>();
  auto it = std::find_if(m_images.begin(), m_images.end(),
                         [&](const Image& i) { return i.account == account && i.digest == digest; });
  if (it == m_images.end()) {
    m_images.emplace_back();
    it = m_images.end() - 1;
    it->account = account;
    it->digest = digest;
    it->created_at = now_rfc3339();
  }
  // A re-import (the engine's force=true) replaces the record and analyses it again.
  it->operation = op->uuid;
  it->status = "not_analyzed";
  it->annotations = annotations;
  it->tags = m["tags"];
  it->import_manifest = m;
  it->updated_at = now_rfc3339();
  it->polls = 0;
  it->started = std::chrono::steady_clock::now();
  it->fails = false;
  for (const auto& tag : it->tags) {
    if (m_options.job_fail_assets.contains(repository_name(tag.get<std::string>()))) it->fails = true;
  }
  return {200, nlohmann::json::array({image_json(*it)})};
}

void ImportsModel::settle(Image& image, bool polled) {
  if (image.status == "analyzed" || image.status == "analysis_failed") return;
  if (polled) ++image.polls;
  const int by_time = static_cast<int>((std::chrono::steady_clock::now() - image.started) / step_time);
  const int steps = std::max(image.polls, by_time);
  std::string status = image.status;
  if (steps >= m_options.job_steps) {
    status = image.fails ? "analysis_failed" : "analyzed";
  } else if (steps >= 1) {
    status = "analyzing";
  }
  if (status != image.status) {
    image.status = status;
    image.updated_at = now_rfc3339();
  }
}

Answer ImportsModel::get_image(const std::string& account, const std::string& digest) {
  std::lock_guard lock(m_mutex);
  for (auto& image : m_images) {
    if (image.account == account && image.digest == digest) {
      settle(image, true);
      return {200, nlohmann::json::array({image_json(image)})};
    }
  }
  return not_found(digest);
}

nlohmann::json ImportsModel::state() {
  std::lock_guard lock(m_mutex);
  nlohmann::json operations = nlohmann::json::array();
  for (const auto& op : m_operations) {
    nlohmann::json o = operation_json(op);
    o["account"] = op.account;
    o["contents"] = nlohmann::json::array();
    for (const auto& c : op.contents) {
      o["contents"].push_back(
          {{"kind", c.kind}, {"digest", c.digest}, {"content_type", c.content_type}, {"size", c.size}});
    }
    operations.push_back(std::move(o));
  }
  nlohmann::json images = nlohmann::json::array();
  for (auto& image : m_images) {
    settle(image, false);
    nlohmann::json i = image_json(image);
    i["account"] = image.account;
    i["operation_uuid"] = image.operation;
    i["polls"] = image.polls;
    i["import_manifest"] = image.import_manifest;
    images.push_back(std::move(i));
  }
  return {{"import_operations", operations}, {"images", images}};
}

}  // namespace airlock::fake_anchore
