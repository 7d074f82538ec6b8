#pragma once
// Streaming decompression of layer blobs: gzip through ISA-L (about three
// times zlib's speed), zstd through libzstd, or none. The kind is sniffed from
// the first bytes rather than trusted from a media type.

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/byte_stream.hpp"

namespace airlock {

enum class Compression { none, gzip, zstd };

std::string_view compression_name(Compression c);
Compression sniff_compression(std::span<const std::uint8_t> head);

// Reads a byte source with the first bytes already taken out (for sniffing)
// handed back before the rest.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::vector<std::uint8_t> prefix, ByteSource& rest)
      : m_prefix(std::move(prefix)), m_rest(rest) {}
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override;

 private:
  std::vector<std::uint8_t> m_prefix;
  std::size_t m_offset = 0;
  ByteSource& m_rest;
};

// A source that decompresses INNER. NAME is used in error messages.
Result<std::unique_ptr<ByteSource>> make_decompressor(Compression kind, ByteSource& inner,
                                                      std::string name);

}  // namespace airlock
