#pragma once
// SHA-256 over byte streams, through OpenSSL's EVP interface (which uses the
// CPU's SHA extensions where present). Used for every blob digest.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/byte_stream.hpp"

namespace airlock {

struct Sha256Digest {
  std::array<std::uint8_t, 32> bytes{};

  std::string hex() const;
  // "sha256:<hex>", the OCI digest spelling.
  std::string oci() const { return "sha256:" + hex(); }
  // Accepts 64 hex digits, with or without a "sha256:" prefix.
  static Result<Sha256Digest> parse(std::string_view text);

  friend bool operator==(const Sha256Digest&, const Sha256Digest&) = default;
  friend auto operator<=>(const Sha256Digest&, const Sha256Digest&) = default;
};

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::uint8_t> data);
  void update(std::string_view data) { update(as_bytes(data)); }
  // Returns the digest; the object then starts over for a new message.
  Sha256Digest finish();

 private:
  struct Context;
  std::unique_ptr<Context> m_context;
};

Sha256Digest sha256(std::span<const std::uint8_t> data);
Sha256Digest sha256(std::string_view data);
// Reads SOURCE to its end.
Result<Sha256Digest> sha256(ByteSource& source);

// A sink that hashes what passes through it on the way to an inner sink
// (or nowhere, when INNER is null): hash while streaming, never re-read.
class HashingSink final : public ByteSink {
 public:
  explicit HashingSink(ByteSink* inner = nullptr) : m_inner(inner) {}
  Status write(std::span<const std::uint8_t> data) override;
  std::uint64_t size() const { return m_size; }
  Sha256Digest finish() { return m_hash.finish(); }

 private:
  ByteSink* m_inner;
  Sha256 m_hash;
  std::uint64_t m_size = 0;
};

// A source that hashes what is read through it: the compressed bytes of a
// blob are hashed as they stream into the decompressor.
class HashingSource final : public ByteSource {
 public:
  // With HASH false it only counts (when another hasher sees the same bytes).
  explicit HashingSource(ByteSource& inner, bool hash = true) : m_inner(inner), m_enabled(hash) {}
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override;
  std::uint64_t size() const { return m_size; }
  Sha256Digest finish() { return m_hash.finish(); }

 private:
  ByteSource& m_inner;
  bool m_enabled;
  Sha256 m_hash;
  std::uint64_t m_size = 0;
};

}  // namespace airlock
