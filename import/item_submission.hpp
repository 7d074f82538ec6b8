#pragma once
// ItemSubmission: how one item reaches Anchore, for one API generation — an
// add-imported-image-asset job in an app version (Enterprise 6.x,
// AssetJobSubmission) or an image import operation (5.x,
// ImageImportSubmission). The Importer's exactly-once protocol (intent in the
// ledger → send → record; look on the server before sending again) is written
// once, over this interface; each implementation only talks to its API.

#include <optional>
#include <string>

#include "import/import_state.hpp"
#include "store/store.hpp"

namespace airlock {

// Where an item goes, resolved before it is sent.
struct SubmitTarget {
  std::string app_id, version_id;  // 6.x only
  std::string note;                // e.g. what a dry run would create
};

// What sending an item came to.
struct SendOutcome {
  enum class Kind {
    accepted,   // created: JOB_ID names it
    no_answer,  // the request may or may not have been processed
    conflict,   // the server says it exists or is in flight (409)
    refused,    // it was not created (a 4xx, or retries ran out before the point of no return)
  };
  Kind kind = Kind::refused;
  std::string job_id;   // accepted: as the ledger records it
  std::string message;  // accepted: a warning, if any; otherwise what failed
  std::optional<Error> error;  // every kind but accepted
};

// What an earlier, unacknowledged submission left on the server.
struct FoundOnServer {
  std::string job_id;  // may be empty (nothing to follow)
  std::string state;   // the ledger state to record: submitted | complete | failed
  std::string message;
};

// Where a submitted item stands.
struct RemoteState {
  std::string state;          // complete | failed | cancelled when it ended, else submitted
  std::string server_status;  // the server's word for it ("processing", "analyzing", …)
  std::string message;        // why it failed
  bool ended() const { return state != "submitted"; }
};

class ItemSubmission {
 public:
  virtual ~ItemSubmission() = default;

  // The app and version the item goes into (creating them if allowed), or
  // nothing to resolve. DRY_RUN creates nothing and says what it would do.
  virtual Result<SubmitTarget> resolve(const Item& item, bool dry_run) = 0;
  // What an earlier submission of ITEM (ENTRY's intent) created, if anything.
  virtual Result<std::optional<FoundOnServer>> find_existing(const Item& item, const LedgerEntry& entry) = 0;
  // Sends ITEM once; the ledger already holds its intent. An error is a local
  // failure (an unreadable part) with an unknown outcome.
  virtual Result<SendOutcome> send(const Item& item, const SubmitTarget& target) = 0;
  // Where the submission ENTRY records (its job_id) stands now.
  virtual Result<RemoteState> state_of(const Item& item, const LedgerEntry& entry) = 0;
  // How messages name what ENTRY's job_id records ("job 42", "image sha256:…").
  virtual std::string describe(const LedgerEntry& entry) const = 0;
};

}  // namespace airlock
