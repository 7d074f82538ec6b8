#include "export/exporter.hpp"

#include <sys/statvfs.h>

#include <chrono>
#include <ctime>
#include <map>

#include "base/file.hpp"
#include "base/hex.hpp"
#include "base/text.hpp"
#include "crypto/sealed_stream.hpp"
#include "export/split.hpp"
#include "store/bundle_tar.hpp"

namespace airlock {

namespace {

// What encrypt_stream makes of N plain bytes (docs/keys.md): the header with
// one sealed key per recipient, then 17 bytes of tag per chunk, at least one.
std::uint64_t sealed_size(std::uint64_t n, std::size_t recipients) {
  const std::uint64_t chunks = std::max<std::uint64_t>(1, (n + k_default_seal_chunk - 1) / k_default_seal_chunk);
  return n + 8 + 4 + 2 + 96 * recipients + 24 + 17 * chunks;
}

Status check_free_space(const std::filesystem::path& output, std::uint64_t bytes) {
  struct statvfs fs {};
  auto dir = output.parent_path();
  if (dir.empty()) dir = ".";
  if (::statvfs(dir.c_str(), &fs) == 0 && static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < bytes) {
    return Error(ErrorCode::io, "not enough free space in " + dir.string() + " for a bundle of about " +
                                    std::to_string(bytes) + " bytes");
  }
  return {};
}

// The bundle's items now count as exported to its destination, and the next
// bundle there chains to it.
Result<ExportResult> record(Store& store, ExportResult& result, const std::filesystem::path& path) {
  const BundleManifest& m = result.manifest;
  RecordedBundle record;
  record.bundle_id = m.bundle_id;
  record.destination = m.destination;
  record.producer = m.producer_key_id;
  record.sequence = m.sequence;
  record.manifest_sha256 = result.manifest_hash;
  record.path = path.string();
  for (const auto& item : m.items) record.item_ids.push_back(item.id);
  const std::string what = result.volumes.empty() ? "the bundle " + path.string() + " was"
                                                   : "the volumes " + path.string() + " … were";
  AIRLOCK_TRY(store.record_bundle(record).context(what + " written but not recorded in the store; delete and export again"));
  return std::move(result);
}

}  // namespace

Result<ExportResult> export_bundle(Store& store, const SecretKey& key, const ExportOptions& options,
                                   RandomSource& random) {
  ExportResult result;
  AIRLOCK_TRY_ASSIGN(const auto items, store.items_to_export(options.destination, options.all, options.resend_unacknowledged));
  if (items.empty()) return result;

  const PublicKey producer = key.public_key();
  AIRLOCK_TRY_ASSIGN(const BundleSlot slot, store.next_bundle(options.destination, producer.key_id()));
  BundleManifest& m = result.manifest;
  std::array<std::uint8_t, 16> id{};
  random.fill(id);
  m.bundle_id = to_hex(id);
  m.created = utc_now_rfc3339();
  m.producer_key = producer;
  m.producer_key_id = producer.key_id();
  m.destination = options.destination;
  m.sequence = slot.sequence;
  m.previous = slot.previous;
  m.items = items;
  for (const auto& r : options.recipients) m.recipients.push_back(r.key_id());

  // Each distinct part once: the member is the store's own zstd file, hashed
  // here for the manifest and streamed into the tar below.
  std::map<std::string, Sha256Digest> contents;
  for (const auto& item : items) {
    for (const auto& part : item.parts) contents.emplace(member_name(part.blob, m.encrypted()), part.blob);
  }
  // An encrypted member is sealed once, into a temporary file beside the
  // bundle (its bytes are random, so it cannot be made twice alike), then
  // hashed for the manifest and copied into the tar.
  const std::filesystem::path sealed_dir = options.output.string() + ".sealing";
  struct RemoveDir {
    std::filesystem::path dir;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove_sealed{m.encrypted() && !options.dry_run ? sealed_dir : std::filesystem::path()};
  MemberFiles member_files;
  for (const auto& [name, content] : contents) {
    std::filesystem::path source = store.blobs().path_of(content);
    if (m.encrypted() && !options.dry_run) {
      std::error_code ec;
      std::filesystem::create_directories(sealed_dir, ec);
      if (ec) return Error(ErrorCode::io, "cannot create " + sealed_dir.string() + ": " + ec.message());
      AIRLOCK_TRY_ASSIGN(auto plain, FileSource::open(source));
      AIRLOCK_TRY_ASSIGN(auto sealed, AtomicFile::create(sealed_dir / content.hex(), 0600));
      AIRLOCK_TRY(encrypt_stream(*plain, *sealed, options.recipients, random));
      AIRLOCK_TRY(sealed->commit(Durability::none));
      source = sealed_dir / content.hex();
    }
    AIRLOCK_TRY_ASSIGN(auto file, FileSource::open(source));
    HashingSink hashed;
    AIRLOCK_TRY(copy_stream(*file, hashed));
    // A dry run seals nothing, but the sealed size is known exactly.
    const std::uint64_t size = m.encrypted() && options.dry_run ? sealed_size(hashed.size(), m.recipients.size()) : hashed.size();
    m.members.push_back({name, size, hashed.finish()});
    member_files[name] = source;
  }
  if (options.split_size > 0) {
    AIRLOCK_TRY(write_split_bundle(member_files, key, options, result));
    if (options.dry_run) {
      AIRLOCK_TRY(check_free_space(options.output, result.bundle_size));
      return result;
    }
    return record(store, result, result.volumes.front().path);
  }
  const std::string manifest = serialize_bundle_manifest(m);
  result.manifest_hash = sha256(manifest);
  const std::string signature = serialize_signature(producer, sign(key, as_bytes(manifest)));
  result.bundle_size = manifest.size() + signature.size() + 10240;
  for (const auto& member : m.members) result.bundle_size += member.size + 1024;
  if (options.dry_run) {
    AIRLOCK_TRY(check_free_space(options.output, result.bundle_size));
    return result;
  }

  AIRLOCK_TRY_ASSIGN(auto file, AtomicFile::create(options.output, 0644));
  AIRLOCK_TRY(write_bundle_tar(*file, manifest, signature, m.members, member_files));
  AIRLOCK_TRY(file->commit());
  std::error_code ec;
  result.bundle_size = std::filesystem::file_size(options.output, ec);
  result.written = true;
  return record(store, result, options.output);
}

}  // namespace airlock
