#include "import/direct_submit.hpp"

#include "import/anchore_error.hpp"

namespace airlock {

Result<AppVersionIds> resolve_app_version(AnchoreApps& apps, std::string_view account, std::string_view app,
                                          std::string_view version) {
  const std::string where = account.empty() ? std::string("your account") : "account '" + std::string(account) + "'";
  AIRLOCK_TRY_ASSIGN(const auto app_id, apps.find_app(account, app));
  if (!app_id) {
    return Error(ErrorCode::not_found, "app '" + std::string(app) + "' does not exist in " + where +
                                           "; create it first (anchorectl app add, or the Anchore UI)");
  }
  AIRLOCK_TRY_ASSIGN(const auto version_id, apps.find_version(account, *app_id, version));
  if (!version_id) {
    return Error(ErrorCode::not_found, "version '" + std::string(version) + "' of app '" + std::string(app) +
                                           "' does not exist in " + where +
                                           "; create it first (anchorectl app version add, or the Anchore UI)");
  }
  return AppVersionIds{*app_id, *version_id};
}

Result<AnchoreJob> submit_asset_job(AnchoreApps& apps, std::string_view account, std::string_view app_id,
                                    std::string_view job_type, const MultipartBody& body, std::string_view asset) {
  auto reply = apps.submit(account, app_id, job_type, body);
  if (!reply) {
    if (reply.error().code() != ErrorCode::unavailable) return reply.error();
    return Error(ErrorCode::unavailable, reply.error().message() + "; the job may or may not have been created: check "
                                         "the app's jobs (anchorectl app job list) before adding '" + std::string(asset) +
                                         "' again");
  }
  const std::string what = "adding asset '" + std::string(asset) + "'";
  if (reply->status == 409) {
    Error conflict = anchore_http_error(reply->status, reply->body, what);
    return Error(ErrorCode::conflict, conflict.message() + " (the version already has this asset, or a job for it is running)");
  }
  if (!reply->ok()) return anchore_http_error(reply->status, reply->body, what);
  AIRLOCK_TRY_ASSIGN(const nlohmann::json json, reply->json(what));
  return parse_anchore_job(json, what);
}

Result<AnchoreJob> wait_for_job(AnchoreApps& apps, Clock& clock, std::string_view account, std::string_view app_id,
                                std::string_view job_id, const JobWait& wait) {
  const auto deadline = clock.now() + wait.timeout;
  auto delay = wait.interval;
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const AnchoreJob job, apps.get_job(account, app_id, job_id));
    if (job.terminal()) return job;
    if (clock.now() + delay > deadline) {
      return Error(ErrorCode::unavailable, "job " + std::string(job_id) + " is still " + job.status +
                                               " after the wait timeout; it goes on in Anchore");
    }
    clock.sleep_for(delay);
    delay = std::min(wait.max_interval, std::chrono::milliseconds(delay.count() * 3 / 2));
  }
}

MultipartBody container_image_remote_body(std::string_view version_id, std::string_view asset,
                                          std::string_view asset_type, std::string_view image_reference,
                                          const std::map<std::string, std::string>& annotations, std::string boundary) {
  MultipartBody body(std::move(boundary));
  body.add_text("app_version_id", version_id);
  body.add_text("asset_name", asset);
  body.add_text("asset_type", asset_type);
  body.add_text("image_reference", image_reference);
  body.add_text("annotations", nlohmann::json(annotations).dump());
  return body;
}

}  // namespace airlock
