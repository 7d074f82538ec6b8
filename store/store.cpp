#include "store/store.hpp"

#include <sys/file.h>

#include <nlohmann/json.hpp>
#include <set>

namespace airlock {

namespace {

// Each entry moves the schema one version up; never edit a published one.
constexpr const char* k_migrations[] = {
    R"sql(
    CREATE TABLE items (
      id TEXT PRIMARY KEY,
      account TEXT NOT NULL, app TEXT NOT NULL, version TEXT NOT NULL, asset TEXT NOT NULL,
      asset_type TEXT NOT NULL, annotations TEXT NOT NULL,
      image_reference TEXT NOT NULL, image_digest TEXT NOT NULL, tags TEXT NOT NULL,
      parent_digest TEXT NOT NULL, local_image_id TEXT NOT NULL, platform TEXT NOT NULL,
      source TEXT NOT NULL, package_count INTEGER NOT NULL, created TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'exported', 'acknowledged')));
    CREATE UNIQUE INDEX items_one_pending ON items(account, app, version, asset) WHERE state = 'pending';
    CREATE TABLE item_parts (
      item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
      name TEXT NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL, media_type TEXT NOT NULL,
      PRIMARY KEY (item_id, name));
    CREATE INDEX item_parts_blob ON item_parts(blob);
    )sql",
    R"sql(
    CREATE TABLE layer_cache (
      key TEXT PRIMARY KEY,           -- diff_id + analyzer version
      blob TEXT NOT NULL, created TEXT NOT NULL);
    )sql",
    R"sql(
    CREATE TABLE bundles (
      bundle_id TEXT PRIMARY KEY, destination TEXT NOT NULL, producer TEXT NOT NULL,
      sequence INTEGER NOT NULL, manifest_sha256 TEXT NOT NULL, path TEXT NOT NULL, created TEXT NOT NULL,
      UNIQUE (destination, producer, sequence));
    CREATE TABLE bundle_items (
      bundle_id TEXT NOT NULL REFERENCES bundles(bundle_id) ON DELETE CASCADE,
      item_id TEXT NOT NULL, PRIMARY KEY (bundle_id, item_id));
    )sql",
};

}  // namespace

std::uint64_t Item::total_size() const {
  std::uint64_t total = 0;
  for (const auto& p : parts) total += p.size;
  return total;
}

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& dir, Open mode) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(dir / "index.db", ec);
  if (!exists && mode == Open::existing) {
    return Error(ErrorCode::not_found, dir.string() + " is not an airlock store (no index.db); analyze an image into it first");
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::io, "cannot create the store " + dir.string() + ": " + ec.message());
  AIRLOCK_TRY_ASSIGN(FileDescriptor lock, lock_file(dir / "lock", LockKind::shared, 0644));
  // Opening (creating, switching to WAL, migrating) is one process at a time.
  AIRLOCK_TRY_ASSIGN(FileDescriptor opening, lock_file(dir / "open.lock", LockKind::exclusive, 0644));
  AIRLOCK_TRY_ASSIGN(auto db, open_wal_database(dir / "index.db"));
  std::unique_ptr<Store> store(new Store(dir, std::move(db), std::move(lock)));
  AIRLOCK_TRY(store->migrate());
  return store;
}

Status Store::migrate() {
  return migrate_schema(*m_db, k_migrations, "the store " + m_dir.string());
}

Result<AddResult> Store::add_item(Item item) {
  AddResult result;
  result.id = item.id;
  for (const auto& part : item.parts) {
    if (!m_blobs.contains(part.blob)) {
      return Error(ErrorCode::internal, "item part " + part.name + " refers to a blob that is not stored");
    }
  }
  AIRLOCK_TRY(with_transaction(*m_db, [&]() -> Status {
    AIRLOCK_TRY_ASSIGN(Statement find, m_db->prepare(
        "SELECT id FROM items WHERE account=?1 AND app=?2 AND version=?3 AND asset=?4 AND state='pending'"));
    find.bind(1, item.account).bind(2, item.app).bind(3, item.version).bind(4, item.asset);
    AIRLOCK_TRY_ASSIGN(const bool found, find.step());
    if (found) {
      result.replaced = find.text(0);
      AIRLOCK_TRY_ASSIGN(Statement del, m_db->prepare("DELETE FROM items WHERE id=?1"));
      AIRLOCK_TRY(del.bind(1, *result.replaced).run());
    }
    AIRLOCK_TRY_ASSIGN(Statement insert, m_db->prepare(
        "INSERT INTO items (id, account, app, version, asset, asset_type, annotations, image_reference,"
        " image_digest, tags, parent_digest, local_image_id, platform, source, package_count, created, state)"
        " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)"));
    insert.bind(1, item.id).bind(2, item.account).bind(3, item.app).bind(4, item.version).bind(5, item.asset)
        .bind(6, item.asset_type).bind(7, nlohmann::json(item.annotations).dump())
        .bind(8, item.image_reference).bind(9, item.image_digest).bind(10, nlohmann::json(item.tags).dump())
        .bind(11, item.parent_digest).bind(12, item.local_image_id).bind(13, item.platform).bind(14, item.source)
        .bind(15, item.package_count).bind(16, item.created).bind(17, item.state);
    AIRLOCK_TRY(insert.run());
    for (const auto& part : item.parts) {
      AIRLOCK_TRY_ASSIGN(Statement p, m_db->prepare(
          "INSERT INTO item_parts (item_id, name, blob, size, media_type) VALUES (?1,?2,?3,?4,?5)"));
      p.bind(1, item.id).bind(2, part.name).bind(3, part.blob.oci()).bind(4, static_cast<std::int64_t>(part.size))
          .bind(5, part.media_type);
      AIRLOCK_TRY(p.run());
    }
    return {};
  }));
  return result;
}

Result<std::vector<Item>> Store::query_items(std::string_view where, std::string_view arg) {
  std::vector<Item> items;
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(
      "SELECT id, account, app, version, asset, asset_type, annotations, image_reference, image_digest, tags,"
      " parent_digest, local_image_id, platform, source, package_count, created, state FROM items " +
      std::string(where) + " ORDER BY created, id"));
  if (!arg.empty()) q.bind(1, arg);
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const bool row, q.step());
    if (!row) break;
    Item item;
    item.id = q.text(0);
    item.account = q.text(1);
    item.app = q.text(2);
    item.version = q.text(3);
    item.asset = q.text(4);
    item.asset_type = q.text(5);
    const auto annotations = nlohmann::json::parse(q.text(6), nullptr, false);
    if (annotations.is_object()) {
      for (const auto& [k, v] : annotations.items()) {
        if (v.is_string()) item.annotations[k] = v.get<std::string>();
      }
    }
    item.image_reference = q.text(7);
    item.image_digest = q.text(8);
    const auto tags = nlohmann::json::parse(q.text(9), nullptr, false);
    if (tags.is_array()) {
      for (const auto& t : tags) {
        if (t.is_string()) item.tags.push_back(t.get<std::string>());
      }
    }
    item.parent_digest = q.text(10);
    item.local_image_id = q.text(11);
    item.platform = q.text(12);
    item.source = q.text(13);
    item.package_count = q.integer(14);
    item.created = q.text(15);
    item.state = q.text(16);
    items.push_back(std::move(item));
  }
  for (auto& item : items) {
    AIRLOCK_TRY_ASSIGN(Statement p, m_db->prepare(
        "SELECT name, blob, size, media_type FROM item_parts WHERE item_id=?1 ORDER BY name"));
    p.bind(1, item.id);
    for (;;) {
      AIRLOCK_TRY_ASSIGN(const bool row, p.step());
      if (!row) break;
      AIRLOCK_TRY_ASSIGN(const Sha256Digest blob, Sha256Digest::parse(p.text(1)).context("store index"));
      item.parts.push_back({p.text(0), blob, static_cast<std::uint64_t>(p.integer(2)), p.text(3)});
    }
  }
  return items;
}

Result<std::vector<Item>> Store::list_items() { return query_items("", ""); }

Result<std::vector<Item>> Store::items_to_export(std::string_view destination, bool all, bool resend_unacknowledged) {
  if (all) return list_items();
  if (resend_unacknowledged) {
    // Acknowledged items stay home; exported ones go again.
    return query_items("WHERE state != 'acknowledged' OR id NOT IN (SELECT item_id FROM bundle_items JOIN bundles"
                       " USING (bundle_id) WHERE destination = ?1)", destination);
  }
  return query_items("WHERE id NOT IN (SELECT item_id FROM bundle_items JOIN bundles USING (bundle_id)"
                     " WHERE destination = ?1)", destination);
}

Result<std::vector<std::string>> Store::acknowledge(const std::vector<std::string>& ids) {
  std::vector<std::string> changed;
  AIRLOCK_TRY(with_transaction(*m_db, [&]() -> Status {
    for (const auto& id : ids) {
      AIRLOCK_TRY_ASSIGN(Statement u, m_db->prepare("UPDATE items SET state='acknowledged' WHERE id=?1 AND state='exported'"));
      AIRLOCK_TRY(u.bind(1, id).run());
      if (sqlite3_changes(m_db->handle()) > 0) changed.push_back(id);
    }
    return {};
  }));
  return changed;
}

Result<BundleSlot> Store::next_bundle(std::string_view destination, std::string_view producer) {
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(
      "SELECT sequence, manifest_sha256 FROM bundles WHERE destination=?1 AND producer=?2 ORDER BY sequence DESC LIMIT 1"));
  q.bind(1, destination).bind(2, producer);
  AIRLOCK_TRY_ASSIGN(const bool found, q.step());
  BundleSlot slot;
  if (!found) return slot;
  slot.sequence = q.integer(0) + 1;
  AIRLOCK_TRY_ASSIGN(const Sha256Digest previous, Sha256Digest::parse(q.text(1)).context("store index"));
  slot.previous = previous;
  return slot;
}

Status Store::record_bundle(const RecordedBundle& bundle) {
  return with_transaction(*m_db, [&]() -> Status {
    AIRLOCK_TRY_ASSIGN(Statement b, m_db->prepare(
        "INSERT INTO bundles (bundle_id, destination, producer, sequence, manifest_sha256, path, created)"
        " VALUES (?1,?2,?3,?4,?5,?6,datetime('now'))"));
    AIRLOCK_TRY(b.bind(1, bundle.bundle_id).bind(2, bundle.destination).bind(3, bundle.producer)
                    .bind(4, bundle.sequence).bind(5, bundle.manifest_sha256.oci()).bind(6, bundle.path).run());
    for (const auto& id : bundle.item_ids) {
      AIRLOCK_TRY_ASSIGN(Statement i, m_db->prepare("INSERT INTO bundle_items (bundle_id, item_id) VALUES (?1, ?2)"));
      AIRLOCK_TRY(i.bind(1, bundle.bundle_id).bind(2, id).run());
      AIRLOCK_TRY_ASSIGN(Statement u, m_db->prepare("UPDATE items SET state='exported' WHERE id=?1 AND state='pending'"));
      AIRLOCK_TRY(u.bind(1, id).run());
    }
    return {};
  });
}

Result<std::optional<Sha256Digest>> Store::cached_layer(std::string_view key) {
  AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare("SELECT blob FROM layer_cache WHERE key=?1"));
  q.bind(1, key);
  AIRLOCK_TRY_ASSIGN(const bool found, q.step());
  if (!found) return std::optional<Sha256Digest>();
  AIRLOCK_TRY_ASSIGN(const Sha256Digest blob, Sha256Digest::parse(q.text(0)).context("store index"));
  if (!m_blobs.contains(blob)) return std::optional<Sha256Digest>();  // removed by hand: analyze afresh
  return std::optional<Sha256Digest>(blob);
}

Status Store::cache_layer(std::string_view key, const Sha256Digest& blob) {
  return with_transaction(*m_db, [&]() -> Status {
    AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(
        "INSERT OR REPLACE INTO layer_cache (key, blob, created) VALUES (?1, ?2, datetime('now'))"));
    return q.bind(1, key).bind(2, blob.oci()).run();
  });
}

Result<Item> Store::get_item(std::string_view id_or_prefix) {
  if (id_or_prefix.size() < 4) {
    return Error(ErrorCode::usage, "give at least 4 characters of an item id ('airlock ls' lists them)");
  }
  AIRLOCK_TRY_ASSIGN(auto items, query_items("WHERE substr(id, 1, length(?1)) = ?1", id_or_prefix));
  if (items.empty()) return Error(ErrorCode::not_found, "no item " + std::string(id_or_prefix) + " in the store " + m_dir.string());
  if (items.size() > 1) return Error(ErrorCode::usage, "'" + std::string(id_or_prefix) + "' matches several items; give more of the id");
  return items[0];
}

Status Store::remove_item(std::string_view id) {
  AIRLOCK_TRY_ASSIGN(const Item item, get_item(id));
  return with_transaction(*m_db, [&]() -> Status {
    AIRLOCK_TRY_ASSIGN(Statement del, m_db->prepare("DELETE FROM items WHERE id=?1"));
    return del.bind(1, item.id).run();
  });
}

Result<GcReport> Store::gc() {
  // Exclusive: no analysis may be between writing its blobs and recording
  // its item while unreferenced blobs are removed.
  if (::flock(m_lock.get(), LOCK_EX) != 0) return Error::from_errno("cannot lock", (m_dir / "lock").string());
  GcReport report;
  std::set<std::string> referenced;
  {
    AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare(
        "SELECT DISTINCT blob FROM item_parts UNION SELECT blob FROM layer_cache"));
    for (;;) {
      AIRLOCK_TRY_ASSIGN(const bool row, q.step());
      if (!row) break;
      referenced.insert(q.text(0));
    }
  }
  std::vector<std::filesystem::path> unreferenced;
  AIRLOCK_TRY(m_blobs.for_each([&](const std::string& name, const std::filesystem::path& path) {
    if (referenced.count("sha256:" + name) == 0) unreferenced.push_back(path);
  }));
  for (const auto& path : unreferenced) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (std::filesystem::remove(path, ec)) {
      ++report.removed;
      report.freed_bytes += ec ? 0 : size;
    }
  }
  // Temporaries of writers that died before committing.
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(m_dir / "blobs/tmp", ec); !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::filesystem::remove(it->path(), ec);
  }
  ::flock(m_lock.get(), LOCK_SH);
  return report;
}

Result<CheckReport> Store::check() {
  CheckReport report;
  {
    AIRLOCK_TRY_ASSIGN(Statement q, m_db->prepare("PRAGMA integrity_check"));
    for (;;) {
      AIRLOCK_TRY_ASSIGN(const bool row, q.step());
      if (!row) break;
      if (q.text(0) != "ok") report.problems.push_back("index.db: " + q.text(0));
    }
    AIRLOCK_TRY_ASSIGN(Statement fk, m_db->prepare("PRAGMA foreign_key_check"));
    AIRLOCK_TRY_ASSIGN(const bool orphan, fk.step());
    if (orphan) report.problems.push_back("index.db: item parts without their item");
  }
  AIRLOCK_TRY_ASSIGN(const auto items, list_items());
  report.items = items.size();
  std::set<std::string> checked;
  for (const auto& item : items) {
    for (const auto& part : item.parts) {
      if (!checked.insert(part.blob.oci()).second) continue;
      ++report.blobs;
      Status ok = m_blobs.verify(part.blob);
      if (!ok) report.problems.push_back("item " + item.id + " part " + part.name + ": " + ok.error().message());
    }
  }
  return report;
}

}  // namespace airlock
