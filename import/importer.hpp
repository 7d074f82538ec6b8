#pragma once
// Importer: replays the items of verified bundles into Anchore Enterprise as
// add-imported-image-asset jobs (DESIGN §6), each exactly once: the ledger
// records the intent before a job is submitted and the job id after, and an
// item whose outcome is unknown (a crash, a lost answer, a 409) is looked up
// on the server before anything is sent again.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "base/progress.hpp"
#include "base/random.hpp"
#include "import/anchore_apps.hpp"
#include "import/import_state.hpp"
#include "store/receipt.hpp"
#include "store/store.hpp"

namespace airlock {

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
  // Ask the server whether it has the apps API (Enterprise 6.x) before the
  // first item; only once some bundle has passed verification, so a bad
  // bundle never causes a request.
  bool detect_api = true;
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
  std::string job_id, message;
  bool sent = false;     // this run submitted its job
  bool earlier = false;  // an earlier run did the work
  bool ok() const { return state == "complete" || state == "submitted" || state == "would-submit"; }
};

struct ImportReport {
  std::vector<BundleOutcome> bundles;
  std::vector<ItemOutcome> items;
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
  Importer(ImportState& state, AnchoreApps& apps, Clock& clock, ImportOptions options, Progress& progress)
      : m_state(state), m_apps(apps), m_clock(clock), m_options(std::move(options)), m_progress(progress) {}

  ImportReport run(const std::vector<std::filesystem::path>& bundles);

 private:
  struct Work;
  struct Resolution;
  void process(Work& work, ItemOutcome& outcome);
  Result<Resolution> resolve(const Item& item);
  Status submit(Work& work, const Resolution& where, ItemOutcome& outcome, LedgerEntry& entry);
  Result<std::optional<AnchoreJob>> reconcile(const Item& item, const Resolution& where, ItemOutcome& outcome,
                                              LedgerEntry& entry);
  void poll(const Item& item, ItemOutcome& outcome, LedgerEntry& entry);
  Status record(LedgerEntry& entry, std::string_view state);

  ImportState& m_state;
  AnchoreApps& m_apps;
  Clock& m_clock;
  ImportOptions m_options;
  Progress& m_progress;
  std::chrono::steady_clock::time_point m_deadline;
  std::mutex m_resolve_mutex;
  std::map<std::string, std::optional<std::string>> m_ids;  // "account\napp[\nversion]" → id
  std::atomic<bool> m_unauthorized{false};
  std::optional<Error> m_fatal;  // set before the items run: every item fails with it
};

}  // namespace airlock
