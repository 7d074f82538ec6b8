#include "import/image_import_submission.hpp"

#include <algorithm>

#include "import/anchore_error.hpp"

namespace airlock {

Result<SubmitTarget> ImageImportSubmission::resolve(const Item& item, bool dry_run) {
  SubmitTarget target;  // 5.x has no apps: nothing to look up
  if (dry_run) target.note = "would import image " + item.image_digest + " (Enterprise 5.x imports API)";
  return target;
}

Result<std::optional<FoundOnServer>> ImageImportSubmission::find_existing(const Item& item, const LedgerEntry&) {
  AIRLOCK_TRY_ASSIGN(const auto image, m_images.find_image(item.account, item.image_digest));
  if (!image) return std::optional<FoundOnServer>();
  // A failed analysis is not adopted: importing again analyses again, and
  // 5.x keeps one record per digest, so nothing is duplicated.
  if (image->failed()) return std::optional<FoundOnServer>();
  // The same image imported for another item (another asset, other tags)
  // is not this item's import: only a record with every one of its tags is.
  if (image->has_tag_details) {
    for (const auto& tag : import_tags(item)) {
      if (std::find(image->tags.begin(), image->tags.end(), tag) == image->tags.end()) {
        return std::optional<FoundOnServer>();
      }
    }
  }
  FoundOnServer found;
  found.job_id = std::string(k_image_job_prefix) + item.image_digest;
  found.state = image->analyzed() ? "complete" : "submitted";
  found.message = "image " + item.image_digest + " already in Anchore (" + image->analysis_status +
                  ") from an unacknowledged import; not sent again";
  return std::optional<FoundOnServer>(std::move(found));
}

Result<std::map<std::string, std::string>> ImageImportSubmission::upload_contents(const Item& item,
                                                                                 std::string& operation) {
  AIRLOCK_TRY_ASSIGN(operation, m_images.create_operation(item.account));
  std::map<std::string, std::string> digests;
  for (const auto& [content, part] : import_contents_of(item)) {
    AIRLOCK_TRY_ASSIGN(digests[std::string(content->key)],
                       m_images.upload(item.account, operation, *content, *part, m_blobs));
  }
  return digests;
}

Result<SendOutcome> ImageImportSubmission::send(const Item& item, const SubmitTarget&) {
  SendOutcome outcome;
  std::string operation;
  auto digests = upload_contents(item, operation);
  if (!digests) {
    // Uploads create nothing an import can see until the finalize names
    // them: whatever went wrong here, no image was made, and the item may
    // simply be sent again.
    outcome.kind = SendOutcome::Kind::refused;
    outcome.error = Error(digests.error().code(), item.asset + ": " + digests.error().message());
    return outcome;
  }
  const nlohmann::json manifest = image_import_manifest(item, operation, *digests);
  auto reply = m_images.finalize(item.account, manifest, item.annotations);
  if (!reply) {
    if (reply.error().code() != ErrorCode::unavailable) return reply.error();
    outcome.kind = SendOutcome::Kind::no_answer;
    outcome.error = reply.error();
    return outcome;
  }
  const std::string what = "importing " + item.asset + " (POST /v2/images, operation " + operation + ")";
  if (!reply->ok()) {
    // 409: the operation was finalized already (the request arrived twice).
    outcome.kind = reply->status == 409 ? SendOutcome::Kind::conflict : SendOutcome::Kind::refused;
    outcome.error = anchore_http_error(reply->status, reply->body, what);
    return outcome;
  }
  AIRLOCK_TRY(reply->json(what));  // a 2xx that is not JSON is a proxy's page, not Anchore's answer
  outcome.kind = SendOutcome::Kind::accepted;
  outcome.job_id = std::string(k_image_job_prefix) + item.image_digest;
  return outcome;
}

Result<RemoteState> ImageImportSubmission::state_of(const Item& item, const LedgerEntry& entry) {
  if (!entry.job_id.starts_with(k_image_job_prefix)) {
    return Error(ErrorCode::invalid_input, "job " + entry.job_id + " was recorded by an import into Enterprise 6.x " +
                                               "(an app job); follow it with --api v6");
  }
  const std::string digest = entry.job_id.substr(k_image_job_prefix.size());
  AIRLOCK_TRY_ASSIGN(const auto image, m_images.find_image(item.account, digest));
  if (!image) {
    return Error(ErrorCode::not_found, "image " + digest + " is no longer in account '" + item.account +
                                           "' (deleted in Anchore?)");
  }
  RemoteState state;
  state.server_status = image->analysis_status;
  if (image->analyzed()) {
    state.state = "complete";
  } else if (image->failed()) {
    state.state = "failed";
    state.message = "Anchore's analysis of image " + digest + " failed (analysis_status analysis_failed)";
  } else {
    state.state = "submitted";
  }
  return state;
}

std::string ImageImportSubmission::describe(const LedgerEntry& entry) const {
  if (entry.job_id.starts_with(k_image_job_prefix)) return "image " + entry.job_id.substr(k_image_job_prefix.size());
  return "job " + entry.job_id;
}

}  // namespace airlock
