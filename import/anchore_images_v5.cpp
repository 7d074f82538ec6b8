#include "import/anchore_images_v5.hpp"

#include <algorithm>

#include "base/text.hpp"
#include "import/anchore_error.hpp"

namespace airlock {

namespace {

std::string enc(std::string_view s) { return percent_encode(s, "-._~:"); }

std::string string_at(const nlohmann::json& json, const char* key) {
  if (!json.is_object() || !json.contains(key) || !json[key].is_string()) return {};
  return json[key].get<std::string>();
}

// What a 404 from the imports API most likely means.
Error imports_http_error(const HttpReply& reply, std::string_view what) {
  Error error = anchore_http_error(reply.status, reply.body, what);
  if (reply.status != 404) return error;
  return Error(error.code(), error.message() +
                                 " (if the server has no 5.x imports API, it is Enterprise 6.x: use --api v6 or "
                                 "--api auto)");
}

// "registry/repository:tag" with the registry explicit: a name 5.x keeps as
// it is. An OCI layout's ref.name ("latest") or a bare Docker RepoTag
// ("nginx:1.25") is not: Anchore would read "latest" as the repository
// docker.io/latest, and rename the other, so the image could not be found by
// its tags again.
bool is_full_tag(std::string_view tag) {
  const auto slash = tag.find('/');
  const auto last_slash = tag.rfind('/');
  if (slash == std::string_view::npos || tag.find('@') != std::string_view::npos) return false;
  if (tag.find_first_of(" \t\r\n") != std::string_view::npos) return false;
  const std::string_view registry = tag.substr(0, slash);
  const bool registry_named = registry == "localhost" || registry.find_first_of(".:") != std::string_view::npos;
  return registry_named && tag.find(':', last_slash) != std::string_view::npos;
}

}  // namespace

std::vector<std::pair<const ImportContent*, const ItemPart*>> import_contents_of(const Item& item) {
  std::vector<std::pair<const ImportContent*, const ItemPart*>> out;
  for (const auto& content : k_import_contents) {
    for (const auto& part : item.parts) {
      if (part.name != content.part) continue;
      if (content.part == "parent_manifest" && item.parent_digest.empty()) break;  // they travel together
      out.emplace_back(&content, &part);
      break;
    }
  }
  return out;
}

std::vector<std::string> import_tags(const Item& item) {
  std::vector<std::string> tags;
  // The name the item was analyzed under (--ref, else the image's own tag,
  // else localhost/<asset>:latest), normalised by the analyzer.
  std::string name = item.image_reference.substr(0, item.image_reference.find('@'));
  const auto last_slash = name.rfind('/');
  if (last_slash != std::string::npos && name.find(':', last_slash) == std::string::npos) {
    name += ":latest";  // a digest-only reference: 5.x tags always carry a tag
  }
  if (is_full_tag(name)) tags.push_back(name);
  for (const auto& tag : item.tags) {
    if (is_full_tag(tag) && std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
  }
  if (tags.empty()) tags.push_back("localhost/" + item.asset + ":latest");
  return tags;
}

nlohmann::json image_import_manifest(const Item& item, std::string_view operation,
                                     const std::map<std::string, std::string>& content_digests) {
  nlohmann::json contents = nlohmann::json::object();
  for (const auto& [key, digest] : content_digests) contents[key] = digest;
  nlohmann::json manifest = {{"contents", std::move(contents)},
                             {"tags", import_tags(item)},
                             {"digest", item.image_digest},
                             {"operation_uuid", operation}};
  // parent_digest only with the parent manifest it names (DESIGN §6.1).
  if (!item.parent_digest.empty() && content_digests.contains("parent_manifest")) {
    manifest["parent_digest"] = item.parent_digest;
  }
  if (!item.local_image_id.empty()) manifest["local_image_id"] = item.local_image_id;
  return manifest;
}

Result<std::string> AnchoreImagesV5::create_operation(std::string_view account) {
  AIRLOCK_TRY_ASSIGN(const HttpReply reply, m_client.post_empty("/imports/images", account));
  if (!reply.ok()) return imports_http_error(reply, "POST " + m_client.url_for("/imports/images"));
  AIRLOCK_TRY_ASSIGN(const nlohmann::json json, reply.json("POST /imports/images"));
  std::string uuid = string_at(json, "uuid");
  if (uuid.empty()) {
    return Error(ErrorCode::invalid_input, "POST /imports/images: the answer carries no operation uuid: " +
                                               anchore_error_message(reply.body));
  }
  return uuid;
}

Result<std::string> AnchoreImagesV5::upload(std::string_view account, std::string_view operation,
                                            const ImportContent& content, const ItemPart& part,
                                            const BlobStore& blobs) {
  const std::string path = "/imports/images/" + enc(operation) + "/" + std::string(content.path);
  const std::string type =
      content.own_media_type && !part.media_type.empty() ? part.media_type : std::string(content.content_type);
  const Sha256Digest blob = part.blob;
  const MultipartBody::Opener open = [&blobs, blob] { return blobs.open(blob); };
  const std::string what = "uploading " + std::string(content.part) + " (POST " + path + ")";
  AIRLOCK_TRY_ASSIGN(const HttpReply reply,
                     m_client.post_stream(path, account, type, part.size, open, AnchoreClient::Idempotent::yes));
  if (!reply.ok()) return imports_http_error(reply, what);
  AIRLOCK_TRY_ASSIGN(const nlohmann::json json, reply.json(what));
  std::string digest = string_at(json, "digest");
  // The server hashes what it received: a different digest means the bytes
  // changed on the way, and the import would describe another image.
  const auto parsed = Sha256Digest::parse(digest);
  if (!parsed || *parsed != part.blob) {
    return Error(ErrorCode::invalid_input, what + ": the server recorded digest '" + digest +
                                               "', not the part's sha256 " + part.blob.hex() +
                                               "; the upload was altered on the way (a proxy?)");
  }
  return digest;
}

Result<HttpReply> AnchoreImagesV5::finalize(std::string_view account, const nlohmann::json& manifest,
                                            const std::map<std::string, std::string>& annotations) {
  const nlohmann::json body = {{"source", {{"import", manifest}}}, {"annotations", annotations}};
  return m_client.post_json("/images", account, body, AnchoreClient::Idempotent::no);
}

Result<std::optional<AnchoreImage>> AnchoreImagesV5::find_image(std::string_view account, std::string_view digest) {
  const std::string path = "/images/" + enc(digest);
  AIRLOCK_TRY_ASSIGN(const HttpReply reply, m_client.get(path, account));
  if (reply.status == 404) return std::optional<AnchoreImage>();
  if (!reply.ok()) return anchore_http_error(reply.status, reply.body, "GET " + m_client.url_for(path));
  AIRLOCK_TRY_ASSIGN(const nlohmann::json json, reply.json("GET " + path));
  // 5.x answers a list of image records (one per digest); accept a bare record too.
  const nlohmann::json* record = &json;
  if (json.is_array()) {
    if (json.empty()) return std::optional<AnchoreImage>();
    record = &json[0];
  }
  if (!record->is_object()) {
    return Error(ErrorCode::invalid_input, "GET " + path + ": the answer is not an image record");
  }
  AnchoreImage image;
  image.digest = string_at(*record, "imageDigest");
  image.analysis_status = string_at(*record, "analysis_status");
  if (image.analysis_status.empty()) {
    return Error(ErrorCode::invalid_input, "GET " + path + ": the image record carries no analysis_status");
  }
  if (record->contains("image_detail") && (*record)["image_detail"].is_array()) {
    image.has_tag_details = true;
    for (const auto& detail : (*record)["image_detail"]) {
      if (std::string tag = string_at(detail, "fulltag"); !tag.empty()) image.tags.push_back(std::move(tag));
    }
  }
  return std::optional<AnchoreImage>(std::move(image));
}

}  // namespace airlock
