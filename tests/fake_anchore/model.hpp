#pragma once
// The 6.x SBOM-management store of fake-anchore: per account, apps → versions
// → assets, and the jobs that add assets. In memory, behind one mutex; every
// operation answers with a status and a JSON body (shape-1 errors included),
// so the routes only translate HTTP.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/fake_anchore/errors.hpp"
#include "tests/fake_anchore/options.hpp"

namespace airlock::fake_anchore {

// What the fake saw of one multipart part, for /_fake/state.
struct ReceivedPart {
  std::string name;
  std::string filename;
  std::string content_type;
  std::size_t size = 0;
  std::string sha256;  // hex, no prefix
};

// A validated job submission.
struct JobRequest {
  std::string job_type;
  std::string app_version_id;
  std::string asset_name;
  std::string asset_type;
  std::string image_reference;
  nlohmann::json annotations = nlohmann::json::object();
  std::vector<ReceivedPart> parts;
  std::map<std::string, std::string> fields;  // the text parts' values
};

struct JobFilter {
  std::string job_type;  // empty: any
  std::string status;
  std::string version_id;
};

class Model {
 public:
  explicit Model(const Options& options);

  // Makes ACCOUNT exist (shown in the state even while empty).
  void add_account(const std::string& account);

  // Apps of ACCOUNT whose name contains NAME_FILTER (case-insensitive), as a JSON array.
  nlohmann::json list_apps(const std::string& account, const std::string& name_filter);
  Answer create_app(const std::string& account, const std::string& name, const nlohmann::json& body);
  // 200 with a JSON array, or 404.
  Answer list_versions(const std::string& account, const std::string& app_id, const std::string& name_filter);
  Answer create_version(const std::string& account, const std::string& app_id, const std::string& name,
                        const nlohmann::json& body);
  Answer list_assets(const std::string& account, const std::string& app_id, const std::string& version_id);

  // 201 with the new job; 404 for an unknown app or version; 409 when the
  // version has the asset or an in-flight job for it.
  Answer submit_job(const std::string& account, const std::string& app_id, const JobRequest& request);
  // Reads a job, advancing it one step (a poll).
  Answer poll_job(const std::string& account, const std::string& app_id, const std::string& job_id);
  Answer list_jobs(const std::string& account, const std::string& app_id, const JobFilter& filter);

  // Everything, for /_fake/state: {"accounts": {...}, "jobs": [...]}.
  nlohmann::json state();

 private:
  struct Metadata {
    std::string id;
    std::string created_at;
    std::string updated_at;
  };
  struct Asset {
    Metadata meta;
    std::string name;
    std::string type;
    std::string image_reference;
    nlohmann::json annotations;
    std::string job_id;
  };
  struct Version {
    Metadata meta;
    std::string name;
    nlohmann::json body;  // the fields it was created with
    std::vector<Asset> assets;
  };
  struct App {
    Metadata meta;
    std::string account;
    std::string name;
    nlohmann::json body;
    std::vector<Version> versions;
  };
  struct Job {
    Metadata meta;
    std::string account;
    std::string app_id;
    JobRequest request;
    std::string status = "pending";
    std::optional<std::string> failure_reason;
    std::optional<std::string> asset_id;
    int polls = 0;
    std::chrono::steady_clock::time_point started;
  };

  static Metadata new_metadata();
  static nlohmann::json metadata_json(const Metadata& meta);
  static nlohmann::json app_json(const App& app);
  static nlohmann::json version_json(const Version& version);
  static nlohmann::json asset_json(const Asset& asset);
  static nlohmann::json job_json(const Job& job);
  static nlohmann::json job_state_json(const Job& job);

  App* find_app(const std::string& account, const std::string& app_id);
  static Version* find_version(App& app, const std::string& version_id);
  // Moves jobs on by elapsed time (and by one poll when POLLED), finishing them.
  void settle(Job& job, bool polled);
  void settle_all();
  void finish(Job& job);

  const Options& m_options;
  std::mutex m_mutex;
  std::set<std::string> m_accounts;
  std::vector<App> m_apps;  // all accounts, in creation order
  std::vector<Job> m_jobs;
};

}  // namespace airlock::fake_anchore
