#include "analyze/layer_walk.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "analyze/decompress.hpp"
#include "crypto/sha256.hpp"

namespace airlock {

namespace {

constexpr std::string_view k_whiteout_prefix = ".wh.";
constexpr std::string_view k_opaque_marker = ".wh..wh..opq";

// Feeds libarchive from a ByteSource and keeps the source's own error, which
// says more than libarchive's "read callback failed".
struct ArchiveFeed {
  ByteSource* source = nullptr;
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(256 * 1024);
  std::optional<Error> error;
};

la_ssize_t feed_read(struct archive* a, void* data, const void** out) {
  auto* feed = static_cast<ArchiveFeed*>(data);
  auto n = feed->source->read(feed->buffer);
  if (!n) {
    feed->error = n.error();
    archive_set_error(a, EIO, "%s", n.error().message().c_str());
    return -1;
  }
  *out = feed->buffer.data();
  return static_cast<la_ssize_t>(*n);
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

// The bytes of the current member, read through libarchive.
class MemberSource final : public ByteSource {
 public:
  explicit MemberSource(struct archive* a) : m_archive(a) {}
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override {
    const la_ssize_t n = archive_read_data(m_archive, buffer.data(), buffer.size());
    if (n < 0) {
      return Error(ErrorCode::invalid_input,
                   std::string("cannot read member data: ") + archive_error_string(m_archive));
    }
    return static_cast<std::size_t>(n);
  }

 private:
  struct archive* m_archive;
};

FileType type_of(struct archive_entry* entry) {
  if (archive_entry_hardlink(entry) != nullptr) return FileType::hardlink;
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG: return FileType::regular;
    case AE_IFDIR: return FileType::directory;
    case AE_IFLNK: return FileType::symlink;
    case AE_IFCHR: return FileType::char_device;
    case AE_IFBLK: return FileType::block_device;
    case AE_IFIFO: return FileType::fifo;
    default: return FileType::other;
  }
}

std::string_view basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dirname_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

Error mismatch(const std::string& name, std::string_view what, const Sha256Digest& want,
               const Sha256Digest& got) {
  return Error(ErrorCode::verification,
               name + ": " + std::string(what) + " mismatch: expected " + want.oci() + ", got " +
                   got.oci() + " (the blob is corrupt or was altered)");
}

}  // namespace

Result<LayerIndex> walk_layer(ByteSource& blob, const LayerExpectation& expect,
                              std::uint16_t layer_number, LayerVisitor* visitor,
                              const LayerWalkLimits& limits) {
  const std::string& name = expect.name;
  HashingSource compressed(blob);
  std::vector<std::uint8_t> head(4);
  AIRLOCK_TRY_ASSIGN(const std::size_t head_size, read_fully(compressed, head));
  head.resize(head_size);
  const Compression kind = sniff_compression(head);
  PrefixedSource rejoined(std::move(head), compressed);
  AIRLOCK_TRY_ASSIGN(auto decompressor, make_decompressor(kind, rejoined, name));
  HashingSource uncompressed(*decompressor);

  ArchiveFeed feed;
  feed.source = &uncompressed;
  std::unique_ptr<struct archive, ArchiveDeleter> archive(archive_read_new());
  archive_read_support_format_tar(archive.get());
  if (archive_read_open(archive.get(), &feed, nullptr, feed_read, nullptr) != ARCHIVE_OK) {
    if (feed.error) return *feed.error;
    return Error(ErrorCode::invalid_input,
                 name + ": not a tar archive (" + archive_error_string(archive.get()) + ")");
  }

  LayerIndex index;
  std::unordered_map<std::string, std::size_t> regular_by_path;  // for hardlink sizes
  std::vector<std::size_t> hardlinks;
  for (;;) {
    struct archive_entry* entry = nullptr;
    const int rc = archive_read_next_header(archive.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      if (feed.error) return *feed.error;
      return Error(ErrorCode::invalid_input,
                   name + ": damaged tar (" + archive_error_string(archive.get()) + ")");
    }
    const char* raw_name = archive_entry_pathname(entry);
    if (raw_name == nullptr) return Error(ErrorCode::invalid_input, name + ": a member has no name");
    if (std::strlen(raw_name) > limits.max_path) {
      return Error(ErrorCode::invalid_input, name + ": a member name is longer than " +
                                                 std::to_string(limits.max_path) + " bytes");
    }
    AIRLOCK_TRY_ASSIGN(std::string path, clean_member_path(raw_name).context(name));
    if (path.empty()) continue;  // the root directory itself

    const std::string_view base = basename_of(path);
    if (base.starts_with(k_whiteout_prefix) && base != k_whiteout_prefix) {
      const std::string dir(dirname_of(path));
      if (base == k_opaque_marker) {
        index.opaque_dirs.push_back(dir);
      } else if (!base.starts_with(".wh..wh.")) {  // other .wh..wh. names are aufs metadata
        index.whiteouts.push_back(dir + "/" + std::string(base.substr(k_whiteout_prefix.size())));
      }
      continue;
    }
    if (index.entries.size() >= limits.max_entries) {
      return Error(ErrorCode::invalid_input, name + ": more than " +
                                                 std::to_string(limits.max_entries) + " members");
    }

    LayerEntry item;
    item.path = std::move(path);
    FileRecord& r = item.record;
    r.type = type_of(entry);
    r.layer = layer_number;
    r.mode = static_cast<std::uint32_t>(archive_entry_perm(entry));
    r.uid = static_cast<std::uint32_t>(archive_entry_uid(entry));
    r.gid = static_cast<std::uint32_t>(archive_entry_gid(entry));
    const la_int64_t size = archive_entry_size(entry);
    r.size = size > 0 ? static_cast<std::uint64_t>(size) : 0;
    if (r.type == FileType::symlink) {
      const char* target = archive_entry_symlink(entry);
      r.link = target != nullptr ? target : "";
    } else if (r.type == FileType::hardlink) {
      auto target = clean_member_path(archive_entry_hardlink(entry));
      if (!target || target->empty()) {
        return Error(ErrorCode::invalid_input,
                     name + ": hardlink '" + item.path + "' names an invalid target");
      }
      r.link = *target;
      r.size = 0;
      hardlinks.push_back(index.entries.size());
    }
    if (r.type == FileType::regular) {
      index.content_size += r.size;
      regular_by_path[item.path] = index.entries.size();
      if (visitor != nullptr && visitor->wants(item)) {
        MemberSource content(archive.get());
        AIRLOCK_TRY(visitor->visit(item, content).context(name + ": " + item.path));
      }
    }
    index.entries.push_back(std::move(item));
  }

  // Hardlinks name a file earlier in the same tar; they take its size. One
  // naming nothing in this layer is kept with size 0 (the file may come from
  // a lower layer, which Docker does not allow but some tools write).
  for (std::size_t i : hardlinks) {
    auto it = regular_by_path.find(index.entries[i].record.link);
    if (it != regular_by_path.end()) index.entries[i].record.size = index.entries[it->second].record.size;
  }

  // libarchive stops at the end-of-archive marker; the digests cover every byte.
  std::vector<std::uint8_t> drain(64 * 1024);
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, uncompressed.read(drain));
    if (n == 0) break;
  }
  index.tar_size = uncompressed.size();
  index.diff_id = uncompressed.finish();
  index.blob_size = compressed.size();
  index.blob_digest = compressed.finish();
  if (expect.blob_size && *expect.blob_size != index.blob_size) {
    return Error(ErrorCode::verification,
                 name + ": size mismatch: expected " + std::to_string(*expect.blob_size) +
                     " bytes, got " + std::to_string(index.blob_size));
  }
  if (expect.blob_digest && *expect.blob_digest != index.blob_digest) {
    return mismatch(name, "digest", *expect.blob_digest, index.blob_digest);
  }
  if (expect.diff_id && *expect.diff_id != index.diff_id) {
    return mismatch(name, "diff_id", *expect.diff_id, index.diff_id);
  }
  return index;
}

}  // namespace airlock
