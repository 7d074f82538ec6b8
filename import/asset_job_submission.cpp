#include "import/asset_job_submission.hpp"

#include "import/anchore_error.hpp"
#include "import/imported_asset.hpp"

namespace airlock {

Result<SubmitTarget> AssetJobSubmission::resolve(const Item& item, bool dry_run) {
  // One lookup (or creation) per app and version per run, however many items share them.
  std::lock_guard lock(m_resolve_mutex);
  SubmitTarget where;
  const std::string app_key = item.account + '\n' + item.app;
  if (!m_ids.contains(app_key)) {
    AIRLOCK_TRY_ASSIGN(m_ids[app_key], m_apps.find_app(item.account, item.app));
  }
  if (!m_ids[app_key]) {
    if (!m_options.create_missing) {
      return Error(ErrorCode::not_found, "app '" + item.app + "' does not exist in account '" + item.account +
                                             "'; create it in Anchore, or pass --create-missing");
    }
    if (dry_run) {
      where.note = "would create app '" + item.app + "' and version '" + item.version + "'";
      return where;
    }
    AIRLOCK_TRY_ASSIGN(m_ids[app_key], m_apps.create_app(item.account, item.app, m_options.app_contact));
  }
  where.app_id = *m_ids[app_key];
  const std::string version_key = app_key + '\n' + item.version;
  if (!m_ids.contains(version_key)) {
    AIRLOCK_TRY_ASSIGN(m_ids[version_key], m_apps.find_version(item.account, where.app_id, item.version));
  }
  if (!m_ids[version_key]) {
    if (!m_options.create_missing) {
      return Error(ErrorCode::not_found, "version '" + item.version + "' of app '" + item.app +
                                             "' does not exist in account '" + item.account +
                                             "'; create it in Anchore, or pass --create-missing");
    }
    if (dry_run) {
      where.note = "would create version '" + item.version + "'";
      return where;
    }
    AIRLOCK_TRY_ASSIGN(m_ids[version_key], m_apps.create_version(item.account, where.app_id, item.version));
  }
  where.version_id = *m_ids[version_key];
  return where;
}

Result<std::optional<FoundOnServer>> AssetJobSubmission::find_existing(const Item& item, const LedgerEntry& entry) {
  AIRLOCK_TRY_ASSIGN(const auto asset, m_apps.find_asset(item.account, entry.app_id, entry.version_id, item.asset));
  if (asset) {
    return std::optional<FoundOnServer>(
        FoundOnServer{entry.job_id, "complete", "already in Anchore as asset " + *asset + "; not sent again"});
  }
  AIRLOCK_TRY_ASSIGN(const auto job, m_apps.find_live_job(item.account, entry.app_id, entry.version_id, item.asset));
  if (!job) return std::optional<FoundOnServer>();
  return std::optional<FoundOnServer>(
      FoundOnServer{job->id, "submitted", "job " + job->id + " from an unacknowledged submission adopted; not sent again"});
}

Result<SendOutcome> AssetJobSubmission::send(const Item& item, const SubmitTarget& target) {
  const MultipartBody body = imported_asset_body(item, target.version_id, m_blobs, random_multipart_boundary());
  auto reply = m_apps.submit(item.account, target.app_id, k_imported_asset_job, body);
  SendOutcome outcome;
  if (!reply) {
    if (reply.error().code() != ErrorCode::unavailable) return reply.error();
    outcome.kind = SendOutcome::Kind::no_answer;
    outcome.error = reply.error();
    return outcome;
  }
  const std::string what = "submitting " + item.asset;
  if (!reply->ok()) {
    // 409: the asset or a job for it exists. Otherwise a refusal (4xx) or
    // retries that ran out: the job was not created.
    outcome.kind = reply->status == 409 ? SendOutcome::Kind::conflict : SendOutcome::Kind::refused;
    outcome.error = anchore_http_error(reply->status, reply->body, what);
    return outcome;
  }
  AIRLOCK_TRY_ASSIGN(const nlohmann::json json, reply->json(what));
  AIRLOCK_TRY_ASSIGN(const AnchoreJob job, parse_anchore_job(json, what));
  outcome.kind = SendOutcome::Kind::accepted;
  outcome.job_id = job.id;
  outcome.message = job.warning;
  return outcome;
}

Result<RemoteState> AssetJobSubmission::state_of(const Item& item, const LedgerEntry& entry) {
  if (entry.app_id.empty()) {
    return Error(ErrorCode::invalid_input, describe(entry) + " was recorded by an import into Enterprise 5.x (" +
                                               "no app); follow it with --api v5");
  }
  AIRLOCK_TRY_ASSIGN(const AnchoreJob job, m_apps.get_job(item.account, entry.app_id, entry.job_id));
  RemoteState state;
  state.server_status = job.status;
  state.state = job.terminal() ? job.status : "submitted";
  state.message = job.failure_reason;
  return state;
}

}  // namespace airlock
