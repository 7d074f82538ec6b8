#pragma once
// The add-imported-image-asset request for one item: multipart "shape A" of
// DESIGN §6 / §6.1. Every part name, filename and content type is in one
// table here, so another server version can be matched in one place.

#include <string>
#include <string_view>

#include "import/multipart_body.hpp"
#include "store/blob_store.hpp"
#include "store/store.hpp"

namespace airlock {

inline constexpr std::string_view k_imported_asset_job = "add-imported-image-asset";

struct WirePart {
  std::string_view part;       // the item's part (store/store.hpp k_part_names)
  std::string_view field;      // the multipart field name
  std::string_view filename;
  std::string_view content_type;  // when the item does not record its own media type
  bool own_media_type;            // send the part's recorded media type (manifests)
};

inline constexpr WirePart k_wire_parts[] = {
    {"sbom", "sbom", "sbom.json", "application/json", false},
    {"manifest", "manifest", "manifest.json", "application/vnd.oci.image.manifest.v1+json", true},
    {"image_config", "image_config", "config.json", "application/json", false},
    {"parent_manifest", "parent_manifest", "parent_manifest.json", "application/vnd.oci.image.index.v1+json", true},
    {"dockerfile", "dockerfile", "Dockerfile", "text/plain", false},
    {"secret_searches", "secret_searches", "secret_searches.json", "application/json", false},
    {"content_searches", "content_searches", "content_searches.json", "application/json", false},
    {"file_contents", "file_contents", "file_contents.json", "application/json", false},
};

// The body for ITEM into app version VERSION_ID, its file parts streamed from
// BLOBS (which must hold every part). BOUNDARY must not occur in any part;
// pass a random one.
MultipartBody imported_asset_body(const Item& item, std::string_view version_id, const BlobStore& blobs,
                                  std::string boundary);

}  // namespace airlock
