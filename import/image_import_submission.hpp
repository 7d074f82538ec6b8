#pragma once
// ImageImportSubmission: an item as an image import (Enterprise 5.x, which
// has no apps; DESIGN §6.1 "Enterprise 5.x mode"). Each send is one import
// operation: create it, upload the item's contents, finalize with POST
// /v2/images. Only the finalize creates anything, so only its lost answer is
// ambiguous; an earlier submission is found as the image record by digest
// (carrying the item's tags). App, version and asset go to the report only.
//
// The ledger's job_id for an item imported this way is "image:<image digest>".

#include <string>
#include <string_view>

#include "import/anchore_images_v5.hpp"
#include "import/item_submission.hpp"

namespace airlock {

inline constexpr std::string_view k_image_job_prefix = "image:";

class ImageImportSubmission final : public ItemSubmission {
 public:
  ImageImportSubmission(AnchoreImagesV5& images, const BlobStore& blobs) : m_images(images), m_blobs(blobs) {}

  Result<SubmitTarget> resolve(const Item& item, bool dry_run) override;
  Result<std::optional<FoundOnServer>> find_existing(const Item& item, const LedgerEntry& entry) override;
  Result<SendOutcome> send(const Item& item, const SubmitTarget& target) override;
  Result<RemoteState> state_of(const Item& item, const LedgerEntry& entry) override;
  std::string describe(const LedgerEntry& entry) const override;

 private:
  // Creates the operation and uploads every content: the digests by
  // manifest key, and the operation in OPERATION.
  Result<std::map<std::string, std::string>> upload_contents(const Item& item, std::string& operation);

  AnchoreImagesV5& m_images;
  const BlobStore& m_blobs;
};

}  // namespace airlock
