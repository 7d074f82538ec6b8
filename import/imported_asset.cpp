#include "import/imported_asset.hpp"

#include <nlohmann/json.hpp>

namespace airlock {

MultipartBody imported_asset_body(const Item& item, std::string_view version_id, const BlobStore& blobs,
                                  std::string boundary) {
  MultipartBody body(std::move(boundary));
  body.add_text("app_version_id", version_id);
  body.add_text("asset_name", item.asset);
  body.add_text("asset_type", item.asset_type.empty() ? "container" : item.asset_type);
  body.add_text("annotations", nlohmann::json(item.annotations).dump());
  body.add_text("image_reference", item.image_reference);
  body.add_text("image_digest", item.image_digest);
  body.add_text("tags", nlohmann::json(item.tags).dump());
  const auto part = [&](std::string_view name) -> const ItemPart* {
    for (const auto& p : item.parts) {
      if (p.name == name) return &p;
    }
    return nullptr;
  };
  // parent_digest travels only with the parent manifest it names.
  if (!item.parent_digest.empty() && part("parent_manifest") != nullptr) body.add_text("parent_digest", item.parent_digest);
  if (!item.local_image_id.empty()) body.add_text("local_image_id", item.local_image_id);
  if (!item.platform.empty()) body.add_text("platform", item.platform);
  for (const auto& wire : k_wire_parts) {
    const ItemPart* p = part(wire.part);
    if (p == nullptr) continue;
    if (wire.part == "parent_manifest" && item.parent_digest.empty()) continue;  // they travel together
    const std::string content_type =
        wire.own_media_type && !p->media_type.empty() ? p->media_type : std::string(wire.content_type);
    const Sha256Digest digest = p->blob;
    body.add_file(wire.field, wire.filename, content_type, p->size, [&blobs, digest] { return blobs.open(digest); });
  }
  return body;
}

}  // namespace airlock
