#pragma once
// ImportState: the connected side's state folder (--state DIR): the trusted
// producer keys, the bundles seen, and the ledger that makes every item's
// replay happen exactly once (state.db, SQLite), plus the verified content of
// the bundles (blobs/, the same content-addressed zstd files as a store).

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/file.hpp"
#include "crypto/keys.hpp"
#include "store/blob_store.hpp"
#include "store/sqlite.hpp"

namespace airlock {

// A producer key the connected side trusts, and the accounts it may write to.
struct TrustedKey {
  std::string name;
  PublicKey key;
  std::vector<std::string> accounts;  // "*" allows every account
  std::string added;
  std::optional<std::string> revoked;  // when it was revoked
  bool allows(std::string_view account) const;
};

// What the ledger knows of one item (by producer key id + item id). The
// states, in order: intent (about to submit; the job may or may not exist),
// submitted (job id known), then a job's terminal state complete | failed |
// cancelled; `error` is a failure before any job existed (safe to retry).
struct LedgerEntry {
  std::string producer, item_id, bundle_id;
  std::string account, app, version, asset;
  std::string state;
  std::string app_id, version_id, job_id, message, updated;
};

struct SeenBundle {
  std::string bundle_id, producer, destination, manifest_sha256, path, imported;
  std::int64_t sequence = 0;
};

class ImportState {
 public:
  // Creates DIR when missing. Trust commands share the state; an import run
  // holds it alone (EXCLUSIVE) so two importers never race on one ledger.
  enum class Access { shared, exclusive };
  static Result<std::unique_ptr<ImportState>> open(const std::filesystem::path& dir, Access access);

  const std::filesystem::path& dir() const { return m_dir; }
  BlobStore& blobs() { return m_blobs; }

  Status add_trusted_key(const TrustedKey& key);
  Result<std::vector<TrustedKey>> trusted_keys();
  Status revoke_key(std::string_view name, std::string_view when);
  // The unrevoked key with this id, if trusted.
  Result<std::optional<TrustedKey>> trusted_key(std::string_view key_id);

  Result<std::optional<SeenBundle>> bundle(std::string_view bundle_id);
  Status record_bundle(const SeenBundle& bundle);
  // Sequences of PRODUCER's bundles to DESTINATION seen so far, ascending.
  Result<std::vector<std::int64_t>> sequences(std::string_view producer, std::string_view destination);

  Result<std::optional<LedgerEntry>> entry(std::string_view producer, std::string_view item_id);
  // Inserts or replaces the entry, durably (synchronous=FULL) before it returns.
  Status put_entry(const LedgerEntry& entry);
  Result<std::vector<LedgerEntry>> entries();

 private:
  ImportState(std::filesystem::path dir, std::unique_ptr<Database> db, FileDescriptor lock)
      : m_dir(std::move(dir)), m_db(std::move(db)), m_blobs(m_dir), m_lock(std::move(lock)) {}
  Status migrate();

  std::filesystem::path m_dir;
  std::unique_ptr<Database> m_db;
  std::mutex m_mutex;  // import workers share the one connection
  BlobStore m_blobs;
  FileDescriptor m_lock;
};

}  // namespace airlock
