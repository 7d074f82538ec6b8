#include "analyze/layer_walk.hpp"

#include <sys/stat.h>

#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "analyze/decompress.hpp"
#include "analyze/tar_stream.hpp"
#include "crypto/sha256.hpp"

namespace airlock {

namespace {

constexpr std::string_view k_whiteout_prefix = ".wh.";
constexpr std::string_view k_opaque_marker = ".wh..wh..opq";

std::string_view basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dirname_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// Stops a decompression bomb: fails once the output outgrows the input by
// more than the limits allow.
class BombGuard final : public ByteSource {
 public:
  BombGuard(ByteSource& inner, const HashingSource& compressed, const LayerWalkLimits& limits,
            const std::string& name)
      : m_inner(inner), m_compressed(compressed), m_limits(limits), m_name(name) {}
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, m_inner.read(buffer));
    m_out += n;
    if (m_out > m_limits.min_bomb_bytes && m_out / m_limits.max_ratio > m_compressed.size()) {
      return Error(ErrorCode::invalid_input,
                   m_name + ": decompresses to more than " + std::to_string(m_limits.max_ratio) +
                       " times its size (a decompression bomb?)");
    }
    return n;
  }

 private:
  ByteSource& m_inner;
  const HashingSource& m_compressed;
  const LayerWalkLimits& m_limits;
  const std::string& m_name;
  std::uint64_t m_out = 0;
};

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
  BombGuard guarded(*decompressor, compressed, limits, name);
  // An uncompressed blob is its own tar: one hash serves as digest and diff_id.
  HashingSource uncompressed(guarded, kind != Compression::none);

  TarStream tar(uncompressed, name);
  LayerIndex index;
  std::unordered_map<std::string, std::size_t> regular_by_path;  // for hardlink sizes
  std::vector<std::size_t> hardlinks;
  for (;;) {
    AIRLOCK_TRY_ASSIGN(std::optional<TarMember> member, tar.next());
    if (!member) break;
    const std::string& raw_name = member->name;
    if (raw_name.size() > limits.max_path) {
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
    r.type = member->type;
    r.layer = layer_number;
    r.mode = member->mode;
    r.uid = member->uid;
    r.gid = member->gid;
    r.size = member->size;
    if (r.type == FileType::symlink) {
      r.link = member->link;
    } else if (r.type == FileType::hardlink) {
      auto target = clean_member_path(member->link);
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
        AIRLOCK_TRY(visitor->visit(item, tar.content()).context(name + ": " + item.path));
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
  index.blob_size = compressed.size();
  index.blob_digest = compressed.finish();
  index.diff_id = kind == Compression::none ? index.blob_digest : uncompressed.finish();
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
