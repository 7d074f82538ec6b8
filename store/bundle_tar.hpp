#pragma once
// The tar layout of bundles: plain ustar with one canonical header per member
// (mode 0644, owner 0, time 0, no user names), zero padding, and the end
// blocks padded to 10 KiB. Because the headers are canonical, a reader can
// demand every header byte be exactly what the writer makes, so that no byte
// of a bundle can change unnoticed: header bytes by this check, manifest.json
// by its signature, members by their signed hashes. Any tar tool reads it.

#include <optional>
#include <string>

#include "base/byte_stream.hpp"

namespace airlock {

inline constexpr std::size_t k_max_member_name = 99;

// The 512-byte header of a member. NAME must be ≤ 99 bytes of [A-Za-z0-9._/-].
std::string canonical_tar_header(std::string_view name, std::uint64_t size);

class CanonicalTarWriter {
 public:
  explicit CanonicalTarWriter(ByteSink& sink) : m_sink(sink) {}
  Status add(std::string_view name, std::uint64_t size, ByteSource& content);
  Status finish();

 private:
  ByteSink& m_sink;
  std::uint64_t m_written = 0;
};

class CanonicalTarReader {
 public:
  CanonicalTarReader(ByteSource& source, std::string name) : m_source(source), m_name(std::move(name)) {}
  struct Member {
    std::string name;
    std::uint64_t size = 0;
  };
  // The next member, or nullopt after the end blocks (then checked to the end
  // of the stream: only zeros may follow). Every header must be canonical.
  Result<std::optional<Member>> next();
  // The current member's bytes (exactly its size).
  ByteSource& content() { return m_content; }

 private:
  Status skip_rest_of_member();
  class Content final : public ByteSource {
   public:
    explicit Content(CanonicalTarReader& r) : m_reader(r) {}
    Result<std::size_t> read(std::span<std::uint8_t> buffer) override;

   private:
    CanonicalTarReader& m_reader;
  };
  ByteSource& m_source;
  std::string m_name;
  Content m_content{*this};
  std::uint64_t m_remaining = 0;  // of the current member's data
  std::uint64_t m_padding = 0;    // after it
  std::uint64_t m_offset = 0;
  bool m_done = false;
};

}  // namespace airlock
