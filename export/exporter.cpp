#include "export/exporter.hpp"

#include <sys/statvfs.h>

#include <chrono>
#include <ctime>
#include <map>

#include "base/file.hpp"
#include "base/hex.hpp"
#include "base/text.hpp"
#include "crypto/sealed_stream.hpp"
#include "store/bundle_tar.hpp"

namespace airlock {

namespace {


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
  std::map<std::string, std::filesystem::path> member_files;
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
    m.members.push_back({name, hashed.size(), hashed.finish()});
    member_files[name] = source;
  }
  const std::string manifest = serialize_bundle_manifest(m);
  result.manifest_hash = sha256(manifest);
  const std::string signature = serialize_signature(producer, sign(key, as_bytes(manifest)));
  result.bundle_size = manifest.size() + signature.size() + 10240;
  for (const auto& member : m.members) result.bundle_size += member.size + 1024;
  if (options.dry_run) {
    struct statvfs fs {};
    auto dir = options.output.parent_path();
    if (dir.empty()) dir = ".";
    if (::statvfs(dir.c_str(), &fs) == 0 &&
        static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < result.bundle_size) {
      return Error(ErrorCode::io, "not enough free space in " + dir.string() + " for a bundle of about " +
                                      std::to_string(result.bundle_size) + " bytes");
    }
    return result;
  }

  AIRLOCK_TRY_ASSIGN(auto file, AtomicFile::create(options.output, 0644));
  {
    CanonicalTarWriter tar(*file);
    MemorySource manifest_source(manifest);
    AIRLOCK_TRY(tar.add("manifest.json", manifest.size(), manifest_source));
    MemorySource signature_source(signature);
    AIRLOCK_TRY(tar.add("manifest.sig", signature.size(), signature_source));
    for (const auto& member : m.members) {
      AIRLOCK_TRY_ASSIGN(auto blob, FileSource::open(member_files.at(member.name)));
      AIRLOCK_TRY(tar.add(member.name, member.size, *blob));
    }
    AIRLOCK_TRY(tar.finish());
  }
  AIRLOCK_TRY(file->commit());
  std::error_code ec;
  result.bundle_size = std::filesystem::file_size(options.output, ec);
  result.written = true;

  RecordedBundle record;
  record.bundle_id = m.bundle_id;
  record.destination = m.destination;
  record.producer = producer.key_id();
  record.sequence = m.sequence;
  record.manifest_sha256 = result.manifest_hash;
  record.path = options.output.string();
  for (const auto& item : items) record.item_ids.push_back(item.id);
  AIRLOCK_TRY(store.record_bundle(record).context("the bundle " + options.output.string() +
                                                  " was written but not recorded in the store; delete it and export again"));
  return result;
}

}  // namespace airlock
