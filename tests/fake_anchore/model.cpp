#include "tests/fake_anchore/model.hpp"

#include <algorithm>
#include <cctype>

#include "tests/fake_anchore/ids.hpp"

namespace airlock::fake_anchore {
namespace {

// A job advances one step per this much time even when nobody polls it, so a
// client that only looks at assets (reconciliation) still sees it finish.
constexpr auto step_time = std::chrono::milliseconds(300);

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The real filter's exact semantics are not public; a case-insensitive
// substring match returns a superset, so clients must compare names exactly.
bool name_matches(const std::string& name, const std::string& filter) {
  return filter.empty() || lower(name).find(lower(filter)) != std::string::npos;
}

bool in_flight(const std::string& status) { return status == "pending" || status == "processing"; }

// BODY[KEY] if it is a string, else FALLBACK (absent and null alike).
std::string string_or(const nlohmann::json& body, const char* key, const std::string& fallback) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : fallback;
}

}  // namespace

Model::Model(const Options& options) : m_options(options) {
  for (const auto& user : options.users) m_accounts.insert(user.account);
  for (const auto& account : options.accounts) m_accounts.insert(account);
}

void Model::add_account(const std::string& account) {
  std::lock_guard lock(m_mutex);
  m_accounts.insert(account);
}

Model::Metadata Model::new_metadata() {
  const auto now = now_rfc3339();
  return Metadata{new_uuid(), now, now};
}

nlohmann::json Model::metadata_json(const Metadata& meta) {
  return {{"id", meta.id}, {"created_at", meta.created_at}, {"updated_at", meta.updated_at}};
}

nlohmann::json Model::app_json(const App& app) {
  nlohmann::json out = app.body;
  out["name"] = app.name;
  out["version_count"] = app.versions.size();
  out["system_metadata"] = metadata_json(app.meta);
  return out;
}

nlohmann::json Model::version_json(const Version& version) {
  nlohmann::json out = version.body;
  out["name"] = version.name;
  out["system_metadata"] = metadata_json(version.meta);
  return out;
}

nlohmann::json Model::asset_json(const Asset& asset) {
  return {{"name", asset.name},
          {"type", asset.type},
          {"annotations", asset.annotations},
          {"image_reference", asset.image_reference},
          {"system_metadata", metadata_json(asset.meta)}};
}

nlohmann::json Model::job_json(const Job& job) {
  const auto& r = job.request;
  nlohmann::json out = {
      {"status", job.status},
      {"job_type", r.job_type},
      {"job_spec",
       {{"asset", {{"name", r.asset_name}, {"type", r.asset_type}}},
        {"image_reference", r.image_reference},
        {"app_version_id", r.app_version_id},
        {"annotations", r.annotations}}},
      {"failure_reason", job.failure_reason ? nlohmann::json(*job.failure_reason) : nlohmann::json(nullptr)},
      {"system_metadata", metadata_json(job.meta)}};
  if (job.asset_id) out["result"] = {{"asset_id", *job.asset_id}};
  return out;
}

nlohmann::json Model::job_state_json(const Job& job) {
  const auto& r = job.request;
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : r.parts) {
    parts.push_back({{"name", p.name},
                     {"filename", p.filename},
                     {"content_type", p.content_type},
                     {"size", p.size},
                     {"sha256", p.sha256}});
  }
  return {{"id", job.meta.id},
          {"account", job.account},
          {"app_id", job.app_id},
          {"version_id", r.app_version_id},
          {"asset_name", r.asset_name},
          {"asset_type", r.asset_type},
          {"image_reference", r.image_reference},
          {"annotations", r.annotations},
          {"status", job.status},
          {"job_type", r.job_type},
          {"failure_reason", job.failure_reason ? nlohmann::json(*job.failure_reason) : nlohmann::json(nullptr)},
          {"polls", job.polls},
          {"created_at", job.meta.created_at},
          {"updated_at", job.meta.updated_at},
          {"parts", parts},
          {"fields", r.fields}};
}

Model::App* Model::find_app(const std::string& account, const std::string& app_id) {
  for (auto& app : m_apps) {
    if (app.account == account && app.meta.id == app_id) return &app;
  }
  return nullptr;
}

Model::Version* Model::find_version(App& app, const std::string& version_id) {
  for (auto& version : app.versions) {
    if (version.meta.id == version_id) return &version;
  }
  return nullptr;
}

void Model::settle(Job& job, bool polled) {
  if (!in_flight(job.status)) return;
  if (polled) ++job.polls;
  const auto elapsed = std::chrono::steady_clock::now() - job.started;
  const int by_time = static_cast<int>(elapsed / step_time);
  const int steps = std::max(job.polls, by_time);
  if (steps >= m_options.job_steps) {
    finish(job);
  } else if (steps >= 1 && job.status == "pending") {
    job.status = "processing";
    job.meta.updated_at = now_rfc3339();
  }
}

void Model::settle_all() {
  for (auto& job : m_jobs) settle(job, false);
}

void Model::finish(Job& job) {
  job.meta.updated_at = now_rfc3339();
  const auto& r = job.request;
  if (m_options.job_fail_assets.contains(r.asset_name)) {
    job.status = "failed";
    job.failure_reason = "simulated analysis failure for asset '" + r.asset_name + "' (--job-fail-asset)";
    return;
  }
  App* app = find_app(job.account, job.app_id);
  Version* version = app != nullptr ? find_version(*app, r.app_version_id) : nullptr;
  if (version == nullptr) {
    job.status = "failed";
    job.failure_reason = "Resource " + r.app_version_id + " not found";
    return;
  }
  // The unique constraint of the real store fails a duplicate late (§2.1);
  // the 409 at submission makes this rare, but keep the same outcome.
  for (const auto& asset : version->assets) {
    if (asset.name == r.asset_name) {
      job.status = "failed";
      job.failure_reason = "Asset with name " + r.asset_name + " already exists in this version";
      return;
    }
  }
  Asset asset{new_metadata(), r.asset_name, r.asset_type, r.image_reference, r.annotations, job.meta.id};
  job.asset_id = asset.meta.id;
  version->assets.push_back(std::move(asset));
  version->meta.updated_at = job.meta.updated_at;
  job.status = "complete";
}

nlohmann::json Model::list_apps(const std::string& account, const std::string& name_filter) {
  std::lock_guard lock(m_mutex);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& app : m_apps) {
    if (app.account == account && name_matches(app.name, name_filter)) items.push_back(app_json(app));
  }
  return items;
}

Answer Model::create_app(const std::string& account, const std::string& name, const nlohmann::json& body) {
  std::lock_guard lock(m_mutex);
  for (const auto& app : m_apps) {
    if (app.account == account && app.name == name) {
      return error_answer(409, "App with name '" + name + "' already exists in account " + account);
    }
  }
  m_accounts.insert(account);
  nlohmann::json stored = {{"description", string_or(body, "description", "")},
                           {"contact", body.at("contact")},
                           {"policy_id", body.value("policy_id", nlohmann::json(nullptr))}};
  m_apps.push_back(App{new_metadata(), account, name, std::move(stored), {}});
  return {201, app_json(m_apps.back())};
}

Answer Model::list_versions(const std::string& account, const std::string& app_id, const std::string& name_filter) {
  std::lock_guard lock(m_mutex);
  App* app = find_app(account, app_id);
  if (app == nullptr) return not_found(app_id);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& version : app->versions) {
    if (name_matches(version.name, name_filter)) items.push_back(version_json(version));
  }
  return {200, items};
}

Answer Model::create_version(const std::string& account, const std::string& app_id, const std::string& name,
                             const nlohmann::json& body) {
  std::lock_guard lock(m_mutex);
  App* app = find_app(account, app_id);
  if (app == nullptr) return not_found(app_id);
  for (const auto& version : app->versions) {
    if (version.name == name) {
      return error_answer(409, "Version with name '" + name + "' already exists in app " + app_id);
    }
  }
  nlohmann::json stored = {{"description", string_or(body, "description", "")},
                           {"status", string_or(body, "status", "in_progress")},
                           {"previous_version_id", body.value("previous_version_id", nlohmann::json(nullptr))},
                           {"release_date", body.value("release_date", nlohmann::json(nullptr))}};
  app->versions.push_back(Version{new_metadata(), name, std::move(stored), {}});
  app->meta.updated_at = app->versions.back().meta.created_at;
  return {201, version_json(app->versions.back())};
}

Answer Model::list_assets(const std::string& account, const std::string& app_id, const std::string& version_id) {
  std::lock_guard lock(m_mutex);
  settle_all();
  App* app = find_app(account, app_id);
  if (app == nullptr) return not_found(app_id);
  Version* version = find_version(*app, version_id);
  if (version == nullptr) return not_found(version_id);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& asset : version->assets) items.push_back(asset_json(asset));
  return {200, items};
}

Answer Model::submit_job(const std::string& account, const std::string& app_id, const JobRequest& request) {
  std::lock_guard lock(m_mutex);
  settle_all();
  App* app = find_app(account, app_id);
  if (app == nullptr) return not_found(app_id);
  Version* version = find_version(*app, request.app_version_id);
  if (version == nullptr) return not_found(request.app_version_id);
  for (const auto& asset : version->assets) {
    if (asset.name == request.asset_name) {
      return error_answer(409, "Asset with name '" + request.asset_name + "' already exists in version " +
                                   request.app_version_id);
    }
  }
  for (const auto& job : m_jobs) {
    if (job.account == account && job.request.app_version_id == request.app_version_id &&
        job.request.asset_name == request.asset_name && in_flight(job.status)) {
      return error_answer(409, "A job to add asset '" + request.asset_name + "' is already in progress (job " +
                                   job.meta.id + ")");
    }
  }
  m_accounts.insert(account);
  Job job;
  job.meta = new_metadata();
  job.account = account;
  job.app_id = app_id;
  job.request = request;
  job.started = std::chrono::steady_clock::now();
  m_jobs.push_back(std::move(job));
  return {201, job_json(m_jobs.back())};
}

Answer Model::poll_job(const std::string& account, const std::string& app_id, const std::string& job_id) {
  std::lock_guard lock(m_mutex);
  if (find_app(account, app_id) == nullptr) return not_found(app_id);
  for (auto& job : m_jobs) {
    if (job.account == account && job.app_id == app_id && job.meta.id == job_id) {
      settle(job, true);
      return {200, job_json(job)};
    }
  }
  return not_found(job_id);
}

Answer Model::list_jobs(const std::string& account, const std::string& app_id, const JobFilter& filter) {
  std::lock_guard lock(m_mutex);
  settle_all();
  if (find_app(account, app_id) == nullptr) return not_found(app_id);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& job : m_jobs) {
    if (job.account != account || job.app_id != app_id) continue;
    if (!filter.job_type.empty() && job.request.job_type != filter.job_type) continue;
    if (!filter.status.empty() && job.status != filter.status) continue;
    if (!filter.version_id.empty() && job.request.app_version_id != filter.version_id) continue;
    items.push_back(job_json(job));
  }
  return {200, items};
}

nlohmann::json Model::state() {
  std::lock_guard lock(m_mutex);
  settle_all();
  nlohmann::json accounts = nlohmann::json::object();
  for (const auto& account : m_accounts) accounts[account] = {{"apps", nlohmann::json::array()}};
  for (const auto& app : m_apps) {
    nlohmann::json a = app_json(app);
    a["id"] = app.meta.id;
    a["versions"] = nlohmann::json::array();
    for (const auto& version : app.versions) {
      nlohmann::json v = version_json(version);
      v["id"] = version.meta.id;
      v["assets"] = nlohmann::json::array();
      for (const auto& asset : version.assets) {
        nlohmann::json s = asset_json(asset);
        s["id"] = asset.meta.id;
        s["job_id"] = asset.job_id;
        v["assets"].push_back(std::move(s));
      }
      a["versions"].push_back(std::move(v));
    }
    accounts[app.account]["apps"].push_back(std::move(a));
  }
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& job : m_jobs) jobs.push_back(job_state_json(job));
  return {{"accounts", accounts}, {"jobs", jobs}};
}

}  // namespace airlock::fake_anchore
