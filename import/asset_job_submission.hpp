#pragma once
// AssetJobSubmission: an item as an add-imported-image-asset job in its app
// version (Enterprise 6.x; DESIGN §6, §6.1). App and version names resolve to
// ids once per run (created with --create-missing); an earlier submission is
// found as the version's asset by name, else as a live job for that asset.

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "import/anchore_apps.hpp"
#include "import/item_submission.hpp"
#include "store/blob_store.hpp"

namespace airlock {

class AssetJobSubmission final : public ItemSubmission {
 public:
  struct Options {
    bool create_missing = false;
    std::string app_contact = "airlock";
  };
  AssetJobSubmission(AnchoreApps& apps, const BlobStore& blobs, Options options)
      : m_apps(apps), m_blobs(blobs), m_options(std::move(options)) {}

  Result<SubmitTarget> resolve(const Item& item, bool dry_run) override;
  Result<std::optional<FoundOnServer>> find_existing(const Item& item, const LedgerEntry& entry) override;
  Result<SendOutcome> send(const Item& item, const SubmitTarget& target) override;
  Result<RemoteState> state_of(const Item& item, const LedgerEntry& entry) override;
  std::string describe(const LedgerEntry& entry) const override { return "job " + entry.job_id; }

 private:
  AnchoreApps& m_apps;
  const BlobStore& m_blobs;
  Options m_options;
  std::mutex m_resolve_mutex;
  std::map<std::string, std::optional<std::string>> m_ids;  // "account\napp[\nversion]" → id
};

}  // namespace airlock
