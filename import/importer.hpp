#pragma once
// Importer: replays the items of verified bundles into Anchore Enterprise
// (DESIGN §6) — as add-imported-image-asset jobs (6.x) or image imports (5.x,
// no apps) — each exactly once: the ledger records the intent before an item
// is submitted and the job id after, and an item whose outcome is unknown (a
// crash, a lost answer, a 409) is looked up on the server before anything is
// sent again. What differs between the two APIs is behind ItemSubmission.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "base/progress.hpp"
#include "base/random.hpp"
#include "import/anchore_apps.hpp"
#include "import/anchore_images_v5.hpp"
#include "import/asset_job_submission.hpp"
#include "import/bundle_intake.hpp"
#include "import/image_import_submission.hpp"
#include "import/import_state.hpp"
#include "store/receipt.hpp"
#include "store/store.hpp"

namespace airlock {

// The Anchore API generation items go in through (--api).
enum class AnchoreApi {
  detect,  // ask the server once (GET /v2/apps): 404 means 5.x
  v6,      // apps, versions, add-imported-image-asset jobs
  v5,      // the image imports API
};

struct ImportOptions {
  bool dry_run = false;       // verify and resolve; submit nothing, record nothing
  bool wait = false;          // poll each job until it ends
  bool create_missing = false;  // create apps and versions that do not exist
  bool require_contiguous = false;  // refuse a bundle when an earlier sequence is missing
  int concurrency = 4;
  int resubmits = 8;  // submissions after an answer was lost and nothing was found
  std::chrono::milliseconds wait_timeout{30 * 60 * 1000};
  std::chrono::milliseconds poll_interval{2000};
  std::chrono::milliseconds poll_max{30000};
  std::optional<SecretKey> decryption_key;
  std::string app_contact = "airlock";
  // With detect, the server is asked before the first item, and only once
  // some item has passed verification and trust, so a bad bundle never
  // causes a request.
  AnchoreApi api = AnchoreApi::detect;
};

struct BundleOutcome {
  std::string path, bundle_id, producer, signer, destination;
  std::int64_t sequence = 0;
  bool verified = false;
  bool already_seen = false;
  std::vector<std::int64_t> missing;  // earlier sequences not seen (a gap)
  std::string error;
  ErrorCode error_code = ErrorCode::internal;
};

struct ItemOutcome {
  std::string producer, bundle_id, item_id, account, app, version, asset, image_reference;
  // complete | failed | cancelled | submitted (job running) | refused | error
  // | would-submit (dry run)
  std::string state;
  std::string job_id, message;  // 5.x: job_id is "image:<image digest>"
  bool sent = false;     // this run submitted its job
  bool earlier = false;  // an earlier run did the work
  bool ok() const { return state == "complete" || state == "submitted" || state == "would-submit"; }
};

struct ImportReport {
  std::vector<BundleOutcome> bundles;
  std::vector<ItemOutcome> items;
  std::string api;  // "v6" or "v5" once chosen; empty when nothing was to be sent
  std::vector<std::string> notices;  // for the user, e.g. that 5.x was detected
  bool unauthorized = false;  // the server refused the credentials: the rest was not attempted
  // DESIGN §3: 0 all done (or nothing new), 3 nothing passed verification or
  // trust, 4 some items failed or were refused, 1 none succeeded.
  ExitCode exit_code() const;
};

// The signed receipt's content for REPORT: every item of the verified
// bundles and what became of it.
Receipt receipt_for(const ImportReport& report, std::string receipt_id);

class Importer {
 public:
  Importer(ImportState& state, AnchoreClient& client, Clock& clock, ImportOptions options, Progress& progress);

  ImportReport run(const std::vector<std::filesystem::path>& bundles);

 private:
  struct Work;
  std::vector<Work> take_bundles(const std::vector<std::filesystem::path>& paths, ImportReport& report,
                                 std::vector<TakenBundle>& taken);
  void choose_api(const std::vector<Work>& work, ImportReport& report);
  void process(Work& work, ItemOutcome& outcome);
  Status submit(const Item& item, const SubmitTarget& target, ItemOutcome& outcome, LedgerEntry& entry);
  Result<bool> adopt_existing(const Item& item, ItemOutcome& outcome, LedgerEntry& entry);
  void poll(const Item& item, ItemOutcome& outcome, LedgerEntry& entry);
  Status record(LedgerEntry& entry, std::string_view state);
  void note_unauthorized(const Error& error);

  ImportState& m_state;
  Clock& m_clock;
  ImportOptions m_options;
  Progress& m_progress;
  AnchoreApps m_apps;
  AnchoreImagesV5 m_images;
  AssetJobSubmission m_asset_jobs;       // 6.x
  ImageImportSubmission m_image_imports;  // 5.x
  ItemSubmission* m_submission = &m_asset_jobs;  // the one this run uses (choose_api)
  std::chrono::steady_clock::time_point m_deadline;
  std::atomic<bool> m_unauthorized{false};
  std::optional<Error> m_fatal;  // set before the items run: every item fails with it
};

}  // namespace airlock
