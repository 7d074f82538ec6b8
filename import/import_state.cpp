#include "import/import_state.hpp"

#include <algorithm>

#include "base/hex.hpp"

namespace airlock {

namespace {

// Each entry moves the schema one version up; never edit a published one.
constexpr const char* k_migrations[] = {
    R"sql(
    CREATE TABLE trusted_keys (
      name TEXT PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, public_key TEXT NOT NULL,
      accounts TEXT NOT NULL,  -- comma-separated; "*" for every account
      added TEXT NOT NULL, revoked TEXT);
    CREATE TABLE bundles (
      bundle_id TEXT PRIMARY KEY, producer TEXT NOT NULL, destination TEXT NOT NULL,
      sequence INTEGER NOT NULL, manifest_sha256 TEXT NOT NULL, path TEXT NOT NULL, imported TEXT NOT NULL);
    CREATE INDEX bundles_by_producer ON bundles(producer, destination, sequence);
    CREATE TABLE ledger (
      producer TEXT NOT NULL, item_id TEXT NOT NULL, bundle_id TEXT NOT NULL,
      account TEXT NOT NULL, app TEXT NOT NULL, version TEXT NOT NULL, asset TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('intent', 'submitted', 'complete', 'failed', 'cancelled', 'error')),
      app_id TEXT NOT NULL, version_id TEXT NOT NULL, job_id TEXT NOT NULL, message TEXT NOT NULL,
      updated TEXT NOT NULL,
      PRIMARY KEY (producer, item_id));
    )sql",
};

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

std::vector<std::string> split_accounts(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Result<TrustedKey> key_from_row(const Statement& q) {
  TrustedKey key;
  key.name = q.text(0);
  const auto bytes = from_hex(q.text(2));
  if (!bytes || bytes->size() != key.key.bytes.size()) {
    return Error(ErrorCode::invalid_input, "the trust store holds a damaged key '" + key.name + "'");
  }
  std::copy(bytes->begin(), bytes->end(), key.key.bytes.begin());
  key.accounts = split_accounts(q.text(3));
  key.added = q.text(4);
  if (!q.is_null(5)) key.revoked = q.text(5);
  return key;
}

LedgerEntry entry_from_row(const Statement& q) {
  LedgerEntry e;
  e.producer = q.text(0);
  e.item_id = q.text(1);
  e.bundle_id = q.text(2);
  e.account = q.text(3);
  e.app = q.text(4);
  e.version = q.text(5);
  e.asset = q.text(6);
  e.state = q.text(7);
  e.app_id = q.text(8);
  e.version_id = q.text(9);
  e.job_id = q.text(10);
  e.message = q.text(11);
  e.updated = q.text(12);
  return e;
}

constexpr const char* k_entry_columns =
    "producer, item_id, bundle_id, account, app, version, asset, state, app_id, version_id, job_id, message, updated";

}  // namespace

bool TrustedKey::allows(std::string_view account) const {
  return std::any_of(accounts.begin(), accounts.end(), [&](const std::string& a) { return a == "*" || a == account; });
}

Result<std::unique_ptr<ImportState>> ImportState::open(const std::filesystem::path& dir, Access access) {
  std::error_code ec;
  const bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::io, "cannot create the state folder " + dir.string() + ": " + ec.message());
  // A new state folder holds the ledger and verified bundle contents: the
  // owner's alone. A folder the user already had keeps its permissions.
  if (created) std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  AIRLOCK_TRY_ASSIGN(FileDescriptor lock,
                     lock_file(dir / "lock", access == Access::exclusive ? LockKind::exclusive : LockKind::shared,
                               0600,
                               "another airlock import is using the state folder " + dir.string() +
                                   "; wait for it to finish (or point --state elsewhere)"));
  AIRLOCK_TRY_ASSIGN(FileDescriptor opening,
                     lock_file(dir / "open.lock", LockKind::exclusive, 0600,
                               "the state folder " + dir.string() + " is being opened by another process; try again"));
  AIRLOCK_TRY_ASSIGN(auto db, open_wal_database(dir / "state.db"));
  std::unique_ptr<ImportState> state(new ImportState(dir, std::move(db), std::move(lock)));
  AIRLOCK_TRY(state->migrate());
  return state;
}

Status ImportState::migrate() {
  return migrate_schema(*m_db, k_migrations, "the state folder " + m_dir.string());
}

Status ImportState::add_trusted_key(const TrustedKey& key) {
  std::lock_guard lock(m_mutex);
  return with_transaction(*m_db, [&]() -> Status {
    AIRLOCK_TRY_ASSIGN(Statement find, m_db->prepare("SELECT name, revoked FROM trusted_keys WHERE name=?1 OR key_id=?2"));
    find.bind(1, key.name).bind(2, key.key.key_id());
    AIRLOCK_TRY_ASSIGN(const bool found, find.step());
    if (found) {
      const std::string other = find.text(0);
      if (other == key.name) {
        return Error(ErrorCode::conflict, "a trusted key is already named '" + key.name + "'; choose another --name");
      }
      return Error(ErrorCode::conflict, "key " + key.key.key_id() + " is already in the trust store as '" + other +
                                            "'" + (find.is_null(1) ? "" : " (revoked; a revoked key stays revoked)"));
    }
    AIRLOCK_TRY_ASSIGN(Statement insert, m_db->prepare(
        "INSERT INTO trusted_keys (name, key_id, public_key, accounts, added) VALUES (?1,?2,?3,?4,?5)"));
    insert.bind(1, key.name).bind(2, key.key.key_id()).bind(3, to_hex(key.key.bytes)).bind(4, join(key.accounts))
        .bind(5, key.added);
    return insert.run();
  });
}

Result<std::vector<TrustedKey>> ImportState::trusted_keys() {
  std::lock_guard lock(m_mutex);
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(
      "SELECT name, key_id, public_key, accounts, added, revoked FROM trusted_keys ORDER BY name"));
  std::vector<TrustedKey> keys;
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const bool row, q.step());
    if (!row) return keys;
    AIRLOCK_TRY_ASSIGN(TrustedKey key, key_from_row(q));
    keys.push_back(std::move(key));
  }
}

Result<std::optional<TrustedKey>> ImportState::trusted_key(std::string_view key_id) {
  std::lock_guard lock(m_mutex);
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(
      "SELECT name, key_id, public_key, accounts, added, revoked FROM trusted_keys WHERE key_id=?1 AND revoked IS NULL"));
  q.bind(1, key_id);
  AIRLOCK_TRY_ASSIGN(const bool row, q.step());
  if (!row) return std::optional<TrustedKey>();
  AIRLOCK_TRY_ASSIGN(TrustedKey key, key_from_row(q));
  return std::optional<TrustedKey>(std::move(key));
}

Status ImportState::revoke_key(std::string_view name, std::string_view when) {
  std::lock_guard lock(m_mutex);
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare("UPDATE trusted_keys SET revoked=?2 WHERE name=?1 AND revoked IS NULL"));
  AIRLOCK_TRY(q.bind(1, name).bind(2, when).run());
  if (sqlite3_changes(m_db->handle()) == 0) {
    return Error(ErrorCode::not_found, "no trusted, unrevoked key is named '" + std::string(name) +
                                           "'; `airlock trust ls` lists them");
  }
  return {};
}

Result<std::optional<SeenBundle>> ImportState::bundle(std::string_view bundle_id) {
  std::lock_guard lock(m_mutex);
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(
      "SELECT bundle_id, producer, destination, sequence, manifest_sha256, path, imported FROM bundles WHERE bundle_id=?1"));
  q.bind(1, bundle_id);
  AIRLOCK_TRY_ASSIGN(const bool row, q.step());
  if (!row) return std::optional<SeenBundle>();
  SeenBundle b;
  b.bundle_id = q.text(0);
  b.producer = q.text(1);
  b.destination = q.text(2);
  b.sequence = q.integer(3);
  b.manifest_sha256 = q.text(4);
  b.path = q.text(5);
  b.imported = q.text(6);
  return std::optional<SeenBundle>(std::move(b));
}

Status ImportState::record_bundle(const SeenBundle& b) {
  std::lock_guard lock(m_mutex);
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(
      "INSERT OR IGNORE INTO bundles (bundle_id, producer, destination, sequence, manifest_sha256, path, imported)"
      " VALUES (?1,?2,?3,?4,?5,?6,?7)"));
  q.bind(1, b.bundle_id).bind(2, b.producer).bind(3, b.destination).bind(4, b.sequence).bind(5, b.manifest_sha256)
      .bind(6, b.path).bind(7, b.imported);
  return q.run();
}

Result<std::vector<std::int64_t>> ImportState::sequences(std::string_view producer, std::string_view destination) {
  std::lock_guard lock(m_mutex);
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(
      "SELECT DISTINCT sequence FROM bundles WHERE producer=?1 AND destination=?2 ORDER BY sequence"));
  q.bind(1, producer).bind(2, destination);
  std::vector<std::int64_t> out;
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const bool row, q.step());
    if (!row) return out;
    out.push_back(q.integer(0));
  }
}

Result<std::optional<LedgerEntry>> ImportState::entry(std::string_view producer, std::string_view item_id) {
  std::lock_guard lock(m_mutex);
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(std::string("SELECT ") + k_entry_columns +
                                                " FROM ledger WHERE producer=?1 AND item_id=?2"));
  q.bind(1, producer).bind(2, item_id);
  AIRLOCK_TRY_ASSIGN(const bool row, q.step());
  if (!row) return std::optional<LedgerEntry>();
  return std::optional<LedgerEntry>(entry_from_row(q));
}

Status ImportState::put_entry(const LedgerEntry& e) {
  std::lock_guard lock(m_mutex);
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(std::string("INSERT OR REPLACE INTO ledger (") + k_entry_columns +
                                                ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)"));
  q.bind(1, e.producer).bind(2, e.item_id).bind(3, e.bundle_id).bind(4, e.account).bind(5, e.app).bind(6, e.version)
      .bind(7, e.asset).bind(8, e.state).bind(9, e.app_id).bind(10, e.version_id).bind(11, e.job_id)
      .bind(12, e.message).bind(13, e.updated);
  return q.run();
}

Result<std::vector<LedgerEntry>> ImportState::entries() {
  std::lock_guard lock(m_mutex);
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(std::string("SELECT ") + k_entry_columns +
                                                " FROM ledger ORDER BY updated, item_id"));
  std::vector<LedgerEntry> out;
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const bool row, q.step());
    if (!row) return out;
    out.push_back(entry_from_row(q));
  }
}

}  // namespace airlock
