#pragma once
// The direct paths of a connected machine, as AnchoreCTL's `app version asset
// add container-image` (analyze here, submit an add-imported-image-asset job)
// and `container-image-remote` (an add-container-image-asset job: Anchore
// pulls and analyzes the image itself). One job, no bundle and no ledger.

#include <chrono>
#include <map>
#include <string>

#include "base/clock.hpp"
#include "import/anchore_apps.hpp"

namespace airlock {

inline constexpr std::string_view k_container_image_job = "add-container-image-asset";

struct AppVersionIds {
  std::string app_id, version_id;
};

// The ids of APP and VERSION in ACCOUNT; a clear not_found error when either
// is missing (AnchoreCTL's asset commands do not create them either).
Result<AppVersionIds> resolve_app_version(AnchoreApps& apps, std::string_view account, std::string_view app,
                                          std::string_view version);

// Submits BODY as a JOB_TYPE job for ASSET. A 409 (the asset or a running
// job for it exists) and a lost answer are errors that say what to check.
Result<AnchoreJob> submit_asset_job(AnchoreApps& apps, std::string_view account, std::string_view app_id,
                                    std::string_view job_type, const MultipartBody& body, std::string_view asset);

struct JobWait {
  std::chrono::milliseconds interval{2000};
  std::chrono::milliseconds max_interval{30000};
  std::chrono::milliseconds timeout{30 * 60 * 1000};
};

// Polls the job until it is complete, failed or cancelled (returned as it
// ended), or an unavailable error at the timeout.
Result<AnchoreJob> wait_for_job(AnchoreApps& apps, Clock& clock, std::string_view account, std::string_view app_id,
                                std::string_view job_id, const JobWait& wait);

// The add-container-image-asset form (anchore-api.md §4.2): text fields only.
MultipartBody container_image_remote_body(std::string_view version_id, std::string_view asset,
                                          std::string_view asset_type, std::string_view image_reference,
                                          const std::map<std::string, std::string>& annotations, std::string boundary);

}  // namespace airlock
