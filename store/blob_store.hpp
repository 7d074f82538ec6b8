#pragma once
// BlobStore: content-addressed blobs on disk, blobs/sha256/ab/<hex>, each
// zstd-compressed. A blob is written to a temporary file, flushed and renamed
// into place, so a crash never leaves a half blob under a real name; every
// read checks the content against its name.

#include <filesystem>
#include <functional>
#include <memory>

#include "base/byte_stream.hpp"
#include "crypto/sha256.hpp"

namespace airlock {

struct StoredBlob {
  Sha256Digest digest;   // of the content (not of the compressed file)
  std::uint64_t size = 0;  // content bytes
};

// Writes one blob as its bytes arrive (compressing and hashing them); the
// blob appears under its name on commit(), or not at all.
class BlobWriter final : public ByteSink {
 public:
  ~BlobWriter() override;
  Status write(std::span<const std::uint8_t> data) override;
  Result<StoredBlob> commit();

 private:
  friend class BlobStore;
  struct State;
  explicit BlobWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

class BlobStore {
 public:
  Result<std::unique_ptr<BlobWriter>> writer();
  explicit BlobStore(std::filesystem::path root) : m_root(std::move(root)) {}

  // Stores CONTENT; an identical blob already there is kept as it is.
  Result<StoredBlob> put(ByteSource& content);
  Result<StoredBlob> put(std::string_view content);
  // The content of a blob, checked against its digest as it is read: the
  // stream fails at its end if the bytes do not match.
  Result<std::unique_ptr<ByteSource>> open(const Sha256Digest& digest) const;
  Result<std::string> read_small(const Sha256Digest& digest, std::size_t max_bytes) const;
  bool contains(const Sha256Digest& digest) const;
  // Reads the whole blob and checks it; verification error when damaged.
  Status verify(const Sha256Digest& digest) const;
  Status remove(const Sha256Digest& digest);
  // Every blob file present (names that are not digests are reported too).
  Status for_each(const std::function<void(const std::string& name, const std::filesystem::path&)>& visit) const;
  std::filesystem::path path_of(const Sha256Digest& digest) const;

 private:
  std::filesystem::path m_root;  // the store folder; blobs live under blobs/
};

}  // namespace airlock
