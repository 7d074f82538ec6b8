#pragma once
// Store: the isolated side's analyses, kept until they cross the air gap. A
// folder with index.db (SQLite, WAL) and content-addressed blobs. Writes go
// blobs first, then one index transaction, so a crash leaves either the whole
// item or none of it; blobs no item references are removed by gc().

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/file.hpp"
#include "store/blob_store.hpp"
#include "store/sqlite.hpp"

namespace airlock {

// The parts of an item, as the import job names them (DESIGN §6.1).
inline constexpr std::string_view k_part_names[] = {"sbom", "manifest", "image_config", "parent_manifest",
                                                    "dockerfile", "secret_searches", "content_searches",
                                                    "file_contents"};

struct ItemPart {
  std::string name;
  Sha256Digest blob;
  std::uint64_t size = 0;
  std::string media_type;
};

struct Item {
  std::string id;
  std::string account, app, version, asset, asset_type;
  std::map<std::string, std::string> annotations;
  std::string image_reference;  // digest-pinned
  std::string image_digest;
  std::vector<std::string> tags;
  std::string parent_digest, local_image_id, platform, source;
  std::int64_t package_count = 0;
  std::string created;  // RFC 3339, UTC
  std::string state = "pending";  // pending | exported | acknowledged
  std::vector<ItemPart> parts;
  std::uint64_t total_size() const;
};

struct AddResult {
  std::string id;
  std::optional<std::string> replaced;  // the pending item this one replaced
};

struct BundleSlot {
  std::int64_t sequence = 1;
  std::optional<Sha256Digest> previous;  // the manifest hash of sequence - 1
};

struct RecordedBundle {
  std::string bundle_id, destination, producer, path;
  std::int64_t sequence = 0;
  Sha256Digest manifest_sha256;
  std::vector<std::string> item_ids;
};

struct GcReport {
  std::size_t removed = 0;
  std::uint64_t freed_bytes = 0;
};

struct CheckReport {
  std::size_t items = 0;
  std::size_t blobs = 0;
  std::vector<std::string> problems;  // empty when the store is sound
};

class Store {
 public:
  enum class Open { existing, create };
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir, Open mode);

  BlobStore& blobs() { return m_blobs; }
  const std::filesystem::path& dir() const { return m_dir; }

  // Records ITEM, whose parts' blobs must already be stored. A pending item
  // for the same (account, app, version, asset) is replaced.
  Result<AddResult> add_item(Item item);
  Result<std::vector<Item>> list_items();
  // By full id or a unique prefix of at least 4 characters.
  Result<Item> get_item(std::string_view id_or_prefix);
  Status remove_item(std::string_view id);
  // Items not yet in a bundle for DESTINATION (or every item, with ALL);
  // with RESEND_UNACKNOWLEDGED also those sent there that no receipt acknowledged.
  Result<std::vector<Item>> items_to_export(std::string_view destination, bool all, bool resend_unacknowledged = false);
  // Marks the exported items among IDS acknowledged (a receipt says the
  // connected side has them); returns the ids it changed.
  Result<std::vector<std::string>> acknowledge(const std::vector<std::string>& ids);
  // The sequence number and previous manifest hash of PRODUCER's next bundle to DESTINATION.
  Result<BundleSlot> next_bundle(std::string_view destination, std::string_view producer);
  // Records a written bundle; its items become `exported`.
  Status record_bundle(const RecordedBundle& bundle);
  // Per-layer analysis results by key (diff_id + analyzer version): the blob
  // holding them, if cached. gc() keeps cached blobs.
  Result<std::optional<Sha256Digest>> cached_layer(std::string_view key);
  Status cache_layer(std::string_view key, const Sha256Digest& blob);
  Result<GcReport> gc();
  Result<CheckReport> check();

 private:
  Store(std::filesystem::path dir, std::unique_ptr<Database> db, FileDescriptor lock)
      : m_dir(std::move(dir)), m_db(std::move(db)), m_blobs(m_dir), m_lock(std::move(lock)) {}
  Status migrate();
  Result<std::vector<Item>> query_items(std::string_view where, std::string_view arg);

  std::filesystem::path m_dir;
  std::unique_ptr<Database> m_db;
  BlobStore m_blobs;
  FileDescriptor m_lock;  // shared flock; gc takes it exclusively
};

}  // namespace airlock
