#pragma once
// AnchoreImagesV5: Enterprise 5.x's image imports API (anchore-api.md §4.4,
// §4.5), over an AnchoreClient. An image goes in as one import operation: its
// contents are uploaded one by one (each answered with its SHA-256), then
// POST /v2/images with an ImageImportManifest naming those digests creates the
// image record, whose analysis_status tells when Anchore is done with it.
//
// Every content path, manifest key and content type is in one table here
// (k_import_contents), as k_wire_parts is for the 6.x job.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "import/anchore_client.hpp"
#include "store/blob_store.hpp"
#include "store/store.hpp"

namespace airlock {

struct ImportContent {
  std::string_view part;          // the item's part (store/store.hpp k_part_names)
  std::string_view path;          // POST /v2/imports/images/{operation}/{path}
  std::string_view key;           // its key in ImageImportManifest.contents
  std::string_view content_type;  // when the item does not record its own media type
  bool own_media_type;            // send the part's recorded media type (manifests)
};

// In upload order: the required three first, so a server that refuses one
// refuses before the optional ones have been sent.
inline constexpr ImportContent k_import_contents[] = {
    {"sbom", "packages", "packages", "application/json", false},
    {"manifest", "manifest", "manifest", "application/vnd.oci.image.manifest.v1+json", true},
    {"image_config", "image-config", "image_config", "application/json", false},
    {"parent_manifest", "parent-manifest", "parent_manifest", "application/vnd.oci.image.index.v1+json", true},
    {"dockerfile", "dockerfile", "dockerfile", "text/plain", false},
    {"secret_searches", "secret-searches", "secret_searches", "application/json", false},
    {"content_searches", "content-searches", "content_searches", "application/json", false},
    {"file_contents", "file-contents", "file_contents", "application/json", false},
};

// The contents of ITEM that go up in 5.x mode, with their table rows: the
// parent manifest only together with the parent digest it names (as in the
// 6.x job).
std::vector<std::pair<const ImportContent*, const ItemPart*>> import_contents_of(const Item& item);

// The tags an image is imported under: the item's reference name (as the
// analyzer normalised it), then the image's other tags that are full names
// (registry/repository:tag), else "localhost/<asset>:latest" (5.x refuses an
// import without tags). Bare tags such as an OCI layout's "latest" are left
// out: 5.x would read them as repositories.
std::vector<std::string> import_tags(const Item& item);

// The ImageImportManifest for ITEM in OPERATION, CONTENT_DIGESTS being the
// digests the server answered, by manifest key.
nlohmann::json image_import_manifest(const Item& item, std::string_view operation,
                                     const std::map<std::string, std::string>& content_digests);

// What GET /v2/images/{digest} tells about an image.
struct AnchoreImage {
  std::string digest;
  std::string analysis_status;  // not_analyzed | analyzing | analyzed | analysis_failed
  std::vector<std::string> tags;  // image_detail[].fulltag
  bool has_tag_details = false;   // the record lists its tags at all
  bool analyzed() const { return analysis_status == "analyzed"; }
  bool failed() const { return analysis_status == "analysis_failed"; }
};

class AnchoreImagesV5 {
 public:
  explicit AnchoreImagesV5(AnchoreClient& client) : m_client(client) {}

  // POST /imports/images: the new operation's uuid.
  Result<std::string> create_operation(std::string_view account);
  // Uploads PART of an item (streamed from BLOBS) as CONTENT into OPERATION;
  // the digest the server recorded, checked against the part's own SHA-256.
  // Retried like a read: the same bytes into the same operation answer with
  // the same record.
  Result<std::string> upload(std::string_view account, std::string_view operation, const ImportContent& content,
                             const ItemPart& part, const BlobStore& blobs);
  // POST /images with source.import = MANIFEST; the answer as it came (200,
  // 409, …). Not retried after a lost answer: the caller looks first.
  Result<HttpReply> finalize(std::string_view account, const nlohmann::json& manifest,
                             const std::map<std::string, std::string>& annotations);
  // The image record, or nothing when the server answers 404.
  Result<std::optional<AnchoreImage>> find_image(std::string_view account, std::string_view digest);

 private:
  AnchoreClient& m_client;
};

}  // namespace airlock
