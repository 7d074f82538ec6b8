#pragma once
// Layer walk: one streaming pass over a layer blob that decompresses it,
// verifies its digests, indexes every tar member and hands the contents of
// the files a visitor asks for to that visitor as they pass. Nothing is
// written to disk and no file is held in memory whole.

#include <optional>
#include <string>

#include "analyze/file_index.hpp"
#include "base/byte_stream.hpp"

namespace airlock {

// Receives file contents during a walk. Catalogers implement it.
class LayerVisitor {
 public:
  virtual ~LayerVisitor() = default;
  virtual bool wants(const LayerEntry& entry) = 0;
  // CONTENT yields the file's bytes; the visitor may stop reading early.
  virtual Status visit(const LayerEntry& entry, ByteSource& content) = 0;
};

struct LayerExpectation {
  std::string name;                        // for messages: "layer 2 (sha256:…)"
  std::optional<Sha256Digest> blob_digest; // verified against the bytes as stored
  std::optional<std::uint64_t> blob_size;
  std::optional<Sha256Digest> diff_id;     // verified against the uncompressed tar
};

struct LayerWalkLimits {
  std::size_t max_entries = 5'000'000;
  std::size_t max_path = 4096;
  // Decompression-bomb guard: past MIN_BOMB_BYTES of tar, the tar may be at
  // most MAX_RATIO times the compressed bytes read so far.
  std::uint64_t min_bomb_bytes = 1ull << 30;
  std::uint64_t max_ratio = 1000;
};

// Walks BLOB to its end. LAYER_NUMBER is recorded in each FileRecord.
Result<LayerIndex> walk_layer(ByteSource& blob, const LayerExpectation& expect,
                              std::uint16_t layer_number, LayerVisitor* visitor = nullptr,
                              const LayerWalkLimits& limits = {});

}  // namespace airlock
