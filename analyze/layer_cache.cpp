#include "analyze/layer_cache.hpp"

#include <cstring>

namespace airlock {

namespace {

constexpr std::string_view k_magic = "ALLAYER1";
constexpr std::size_t k_max_cached_layer = 1ull << 31;

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>(v >> (8 * i));
}

void put_string(std::string& out, std::string_view s) {
  put_u64(out, s.size());
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : m_bytes(bytes) {}
  bool u64(std::uint64_t& v) {
    if (m_bytes.size() - m_at < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(m_bytes[m_at + i])} << (8 * i);
    m_at += 8;
    return true;
  }
  bool string(std::string& s) {
    std::uint64_t n = 0;
    if (!u64(n) || n > m_bytes.size() - m_at) return false;
    s.assign(m_bytes.substr(m_at, n));
    m_at += n;
    return true;
  }
  bool done() const { return m_at == m_bytes.size(); }

 private:
  std::string_view m_bytes;
  std::size_t m_at = 0;
};

}  // namespace

std::string serialize_layer(const LayerIndex& index, const LayerCaptures& captures) {
  std::string out(k_magic);
  out.append(reinterpret_cast<const char*>(index.diff_id.bytes.data()), 32);
  put_u64(out, index.tar_size);
  put_u64(out, index.content_size);
  put_u64(out, index.entries.size());
  for (const auto& e : index.entries) {
    put_string(out, e.path);
    put_u64(out, static_cast<std::uint64_t>(e.record.type));
    put_u64(out, e.record.mode);
    put_u64(out, e.record.uid);
    put_u64(out, e.record.gid);
    put_u64(out, e.record.size);
    put_string(out, e.record.link);
  }
  put_u64(out, index.whiteouts.size());
  for (const auto& w : index.whiteouts) put_string(out, w);
  put_u64(out, index.opaque_dirs.size());
  for (const auto& d : index.opaque_dirs) put_string(out, d);
  put_u64(out, captures.size());
  for (const auto& [path, file] : captures) {
    put_string(out, path);
    put_u64(out, file.truncated ? 1 : 0);
    put_string(out, file.content);
  }
  return out;
}

Result<CachedLayer> deserialize_layer(std::string_view bytes) {
  const Error bad(ErrorCode::verification, "a cached layer analysis is damaged");
  if (!bytes.starts_with(k_magic) || bytes.size() < k_magic.size() + 32) return bad;
  CachedLayer layer;
  std::memcpy(layer.index.diff_id.bytes.data(), bytes.data() + k_magic.size(), 32);
  Reader r(bytes.substr(k_magic.size() + 32));
  std::uint64_t count = 0;
  if (!r.u64(layer.index.tar_size) || !r.u64(layer.index.content_size) || !r.u64(count)) return bad;
  if (count > bytes.size() / 56) return bad;  // each entry takes at least 56 bytes
  layer.index.entries.resize(count);
  for (auto& e : layer.index.entries) {
    std::uint64_t type = 0, mode = 0, uid = 0, gid = 0;
    if (!r.string(e.path) || !r.u64(type) || !r.u64(mode) || !r.u64(uid) || !r.u64(gid) || !r.u64(e.record.size) ||
        !r.string(e.record.link) || type > static_cast<std::uint64_t>(FileType::other)) {
      return bad;
    }
    e.record.type = static_cast<FileType>(type);
    e.record.mode = static_cast<std::uint32_t>(mode);
    e.record.uid = static_cast<std::uint32_t>(uid);
    e.record.gid = static_cast<std::uint32_t>(gid);
  }
  for (auto* list : {&layer.index.whiteouts, &layer.index.opaque_dirs}) {
    if (!r.u64(count) || count > bytes.size() / 8) return bad;
    list->resize(count);
    for (auto& s : *list) {
      if (!r.string(s)) return bad;
    }
  }
  if (!r.u64(count) || count > bytes.size() / 16) return bad;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string path;
    std::uint64_t truncated = 0;
    CapturedFile file;
    if (!r.string(path) || !r.u64(truncated) || !r.string(file.content)) return bad;
    file.truncated = truncated != 0;
    layer.captures.emplace(std::move(path), std::move(file));
  }
  if (!r.done()) return bad;
  return layer;
}

std::optional<CachedLayer> StoreLayerCache::find(const Sha256Digest& diff_id) {
  const std::string key = diff_id.oci() + "/" + std::string(k_layer_analyzer_version);
  Result<std::optional<Sha256Digest>> blob = std::optional<Sha256Digest>();
  {
    std::lock_guard lock(m_store_mutex);
    blob = m_store.cached_layer(key);
  }
  if (!blob || !*blob) return std::nullopt;
  auto bytes = m_store.blobs().read_small(**blob, k_max_cached_layer);
  if (!bytes) return std::nullopt;  // damaged: analyze the layer afresh
  auto layer = deserialize_layer(*bytes);
  if (!layer || layer->index.diff_id != diff_id) return std::nullopt;
  return std::move(*layer);
}

void StoreLayerCache::save(const Sha256Digest& diff_id, const LayerIndex& index, const LayerCaptures& captures) {
  const std::string key = diff_id.oci() + "/" + std::string(k_layer_analyzer_version);
  auto blob = m_store.blobs().put(serialize_layer(index, captures));
  std::lock_guard lock(m_store_mutex);
  if (blob) static_cast<void>(m_store.cache_layer(key, blob->digest));
}

}  // namespace airlock
