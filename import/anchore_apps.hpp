#pragma once
// AnchoreApps: Enterprise 6.x's SBOM-management API (apps → versions →
// assets, and the jobs that add assets; anchore-api.md §1–§2, §4.1–§4.3),
// over an AnchoreClient. Names resolve to ids by exact match across pages.

#include <optional>
#include <string>

#include "import/anchore_client.hpp"

namespace airlock {

struct AnchoreJob {
  std::string id;
  std::string status;  // pending | processing | complete | failed | cancelled
  std::string failure_reason;
  std::string warning;  // e.g. job_id and system_metadata.id disagree
  bool terminal() const { return status == "complete" || status == "failed" || status == "cancelled"; }
};

// The job in a submission or job answer: id from `job_id`, else
// `system_metadata.id` (DESIGN §6.1).
Result<AnchoreJob> parse_anchore_job(const nlohmann::json& json, std::string_view what);

class AnchoreApps {
 public:
  explicit AnchoreApps(AnchoreClient& client) : m_client(client) {}

  // False when the server has no /v2/apps (Enterprise 5.x answers 404).
  Result<bool> available(std::string_view account);

  Result<std::optional<std::string>> find_app(std::string_view account, std::string_view name);
  // Creates the app; when another importer created it first (409), reads it back.
  Result<std::string> create_app(std::string_view account, std::string_view name, std::string_view contact);
  Result<std::optional<std::string>> find_version(std::string_view account, std::string_view app_id,
                                                  std::string_view name);
  Result<std::string> create_version(std::string_view account, std::string_view app_id, std::string_view name);

  // The id of the version's asset named NAME, if it exists.
  Result<std::optional<std::string>> find_asset(std::string_view account, std::string_view app_id,
                                                std::string_view version_id, std::string_view name);
  // A job for asset NAME in the version that is not failed or cancelled (the
  // newest one), if any: what an earlier, unacknowledged submission made.
  Result<std::optional<AnchoreJob>> find_live_job(std::string_view account, std::string_view app_id,
                                                  std::string_view version_id, std::string_view name);

  // POST /apps/{app_id}/jobs/{job_type}; the answer as it came (201, 409, …).
  Result<HttpReply> submit(std::string_view account, std::string_view app_id, std::string_view job_type,
                           const MultipartBody& body);
  Result<AnchoreJob> get_job(std::string_view account, std::string_view app_id, std::string_view job_id);

 private:
  Result<std::optional<std::string>> find_by_name(std::string_view path, std::string_view account,
                                                  std::string_view name);
  AnchoreClient& m_client;
};

}  // namespace airlock
