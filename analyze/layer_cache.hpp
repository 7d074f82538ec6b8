#pragma once
// The per-layer analysis cache: what the walk learned from a layer (its file
// entries, whiteouts and the files catalogers captured), kept by diff_id so
// that an image sharing base layers with one analyzed before reads only its
// new layers. The squash and the catalogers run again on the whole image, so
// a cached analysis gives the same SBOM, byte for byte.

#include <mutex>
#include <optional>
#include <string>

#include "analyze/capture.hpp"
#include "analyze/file_index.hpp"
#include "store/store.hpp"

namespace airlock {

// Bump when what a layer walk records or captures changes: older cache
// entries are then ignored.
inline constexpr std::string_view k_layer_analyzer_version = "airlock-layer-1";

struct CachedLayer {
  LayerIndex index;
  LayerCaptures captures;
};

class LayerCache {
 public:
  virtual ~LayerCache() = default;
  // Safe to call from several threads at once (the walk loads cached layers
  // on its worker threads).
  virtual std::optional<CachedLayer> find(const Sha256Digest& diff_id) = 0;
  // Best effort: a cache that cannot save loses only time.
  virtual void save(const Sha256Digest& diff_id, const LayerIndex& index, const LayerCaptures& captures) = 0;
};

std::string serialize_layer(const LayerIndex& index, const LayerCaptures& captures);
Result<CachedLayer> deserialize_layer(std::string_view bytes);

// The cache kept in a store (table layer_cache, blobs in the blob store).
class StoreLayerCache final : public LayerCache {
 public:
  explicit StoreLayerCache(Store& store) : m_store(store) {}
  std::optional<CachedLayer> find(const Sha256Digest& diff_id) override;
  void save(const Sha256Digest& diff_id, const LayerIndex& index, const LayerCaptures& captures) override;

 private:
  Store& m_store;
  std::mutex m_store_mutex;  // the store's index is one SQLite connection
};

}  // namespace airlock
