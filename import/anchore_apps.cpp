#include "import/anchore_apps.hpp"

#include "base/text.hpp"
#include "import/anchore_error.hpp"

namespace airlock {

namespace {

std::string enc(std::string_view s) { return percent_encode(s, "-._~"); }

std::string string_at(const nlohmann::json& json, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &json;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return {};
    at = &(*at)[key];
  }
  return at->is_string() ? at->get<std::string>() : std::string();
}

// The id of a created or listed object.
Result<std::string> id_of(const nlohmann::json& json, std::string_view what) {
  std::string id = string_at(json, {"system_metadata", "id"});
  if (id.empty()) id = string_at(json, {"id"});
  if (id.empty()) return Error(ErrorCode::invalid_input, std::string(what) + ": the answer carries no id");
  return id;
}

}  // namespace

Result<AnchoreJob> parse_anchore_job(const nlohmann::json& json, std::string_view what) {
  if (!json.is_object()) return Error(ErrorCode::invalid_input, std::string(what) + ": the answer is not a job object");
  AnchoreJob job;
  const std::string job_id = string_at(json, {"job_id"});
  const std::string meta_id = string_at(json, {"system_metadata", "id"});
  job.id = !job_id.empty() ? job_id : meta_id;
  if (!job_id.empty() && !meta_id.empty() && job_id != meta_id) {
    job.warning = "the server named the job both " + job_id + " (job_id) and " + meta_id +
                  " (system_metadata.id); using job_id";
  }
  if (job.id.empty()) return Error(ErrorCode::invalid_input, std::string(what) + ": the answer carries no job id");
  job.status = string_at(json, {"status"});
  job.failure_reason = string_at(json, {"failure_reason"});
  return job;
}

Result<bool> AnchoreApps::available(std::string_view account) {
  AIRLOCK_TRY_ASSIGN(const HttpReply reply, m_client.get("/apps?limit=1", account));
  if (reply.status == 404) return false;
  if (!reply.ok()) return anchore_http_error(reply.status, reply.body, "GET " + m_client.url_for("/apps"));
  return true;
}

Result<std::optional<std::string>> AnchoreApps::find_by_name(std::string_view path, std::string_view account,
                                                             std::string_view name) {
  // The server's name filter is not promised to be exact: compare here.
  AIRLOCK_TRY_ASSIGN(const auto items, m_client.list_all(std::string(path) + "?name=" + enc(name), account));
  for (const auto& item : items) {
    if (string_at(item, {"name"}) == name) {
      AIRLOCK_TRY_ASSIGN(std::string id, id_of(item, "GET " + std::string(path)));
      return std::optional<std::string>(std::move(id));
    }
  }
  return std::optional<std::string>();
}

Result<std::optional<std::string>> AnchoreApps::find_app(std::string_view account, std::string_view name) {
  return find_by_name("/apps", account, name);
}

Result<std::string> AnchoreApps::create_app(std::string_view account, std::string_view name, std::string_view contact) {
  const nlohmann::json body = {{"name", name}, {"description", "created by airlock"}, {"contact", {{"name", contact}}}};
  AIRLOCK_TRY_ASSIGN(const HttpReply reply, m_client.post_json("/apps", account, body));
  if (reply.status == 409) {
    AIRLOCK_TRY_ASSIGN(const auto found, find_app(account, name));
    if (found) return *found;
  }
  if (!reply.ok()) return anchore_http_error(reply.status, reply.body, "creating app '" + std::string(name) + "'");
  AIRLOCK_TRY_ASSIGN(const nlohmann::json json, reply.json("POST /apps"));
  return id_of(json, "POST /apps");
}

Result<std::optional<std::string>> AnchoreApps::find_version(std::string_view account, std::string_view app_id,
                                                             std::string_view name) {
  return find_by_name("/apps/" + enc(app_id) + "/versions", account, name);
}

Result<std::string> AnchoreApps::create_version(std::string_view account, std::string_view app_id,
                                                std::string_view name) {
  const std::string path = "/apps/" + enc(app_id) + "/versions";
  AIRLOCK_TRY_ASSIGN(const HttpReply reply, m_client.post_json(path, account, nlohmann::json{{"name", name}}));
  if (reply.status == 409) {
    AIRLOCK_TRY_ASSIGN(const auto found, find_version(account, app_id, name));
    if (found) return *found;
  }
  if (!reply.ok()) return anchore_http_error(reply.status, reply.body, "creating version '" + std::string(name) + "'");
  AIRLOCK_TRY_ASSIGN(const nlohmann::json json, reply.json("POST " + path));
  return id_of(json, "POST " + path);
}

Result<std::optional<std::string>> AnchoreApps::find_asset(std::string_view account, std::string_view app_id,
                                                           std::string_view version_id, std::string_view name) {
  const std::string path = "/apps/" + enc(app_id) + "/versions/" + enc(version_id) + "/assets";
  AIRLOCK_TRY_ASSIGN(const auto items, m_client.list_all(path, account));
  for (const auto& item : items) {
    if (string_at(item, {"name"}) == name) {
      AIRLOCK_TRY_ASSIGN(std::string id, id_of(item, "GET " + path));
      return std::optional<std::string>(std::move(id));
    }
  }
  return std::optional<std::string>();
}

Result<std::optional<AnchoreJob>> AnchoreApps::find_live_job(std::string_view account, std::string_view app_id,
                                                             std::string_view version_id, std::string_view name) {
  const std::string path = "/apps/" + enc(app_id) + "/jobs?version_id=" + enc(version_id);
  AIRLOCK_TRY_ASSIGN(const auto items, m_client.list_all(path, account));
  std::optional<AnchoreJob> newest;
  std::string newest_created;
  for (const auto& item : items) {
    if (string_at(item, {"job_spec", "asset", "name"}) != name) continue;
    const std::string version = string_at(item, {"job_spec", "app_version_id"});
    if (!version.empty() && version != version_id) continue;
    auto job = parse_anchore_job(item, "GET " + path);
    if (!job || job->status == "failed" || job->status == "cancelled") continue;
    const std::string created = string_at(item, {"system_metadata", "created_at"});
    if (!newest || created > newest_created) {
      newest = *job;
      newest_created = created;
    }
  }
  return newest;
}

Result<HttpReply> AnchoreApps::submit(std::string_view account, std::string_view app_id, std::string_view job_type,
                                      const MultipartBody& body) {
  return m_client.post_multipart("/apps/" + enc(app_id) + "/jobs/" + std::string(job_type), account, body);
}

Result<AnchoreJob> AnchoreApps::get_job(std::string_view account, std::string_view app_id, std::string_view job_id) {
  const std::string path = "/apps/" + enc(app_id) + "/jobs/" + enc(job_id);
  AIRLOCK_TRY_ASSIGN(const HttpReply reply, m_client.get(path, account));
  if (!reply.ok()) return anchore_http_error(reply.status, reply.body, "GET " + m_client.url_for(path));
  AIRLOCK_TRY_ASSIGN(const nlohmann::json json, reply.json("GET " + path));
  return parse_anchore_job(json, "GET " + path);
}

}  // namespace airlock
