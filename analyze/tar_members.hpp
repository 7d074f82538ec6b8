#pragma once
// TarMembers: random access to the members of an uncompressed tar file (a
// docker-archive or oci-archive) without unpacking it. One pass over the
// headers records where each member's data lies; members are then read in
// place with pread, from several threads if wanted.

#include <filesystem>
#include <map>
#include <optional>
#include <memory>
#include <string>

#include "base/byte_stream.hpp"
#include "base/file.hpp"
#include "analyze/layout_reader.hpp"

namespace airlock {

class TarMembers final : public LayoutReader {
 public:
  static Result<std::unique_ptr<TarMembers>> index(const std::filesystem::path& archive);

  // The member at PATH (clean, relative: "blobs/sha256/ab…"), following
  // symlinks inside the archive.
  Result<std::unique_ptr<ByteSource>> open(std::string_view path) const override;
  Result<std::string> read_small(std::string_view path, std::size_t max_bytes) const override;
  bool contains(std::string_view path) const override;
  Result<std::uint64_t> size_of(std::string_view path) const override;
  std::string describe(std::string_view path) const override { return m_name + ":" + std::string(path); }

 private:
  struct Member {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::string link;  // symlink target, resolved relative to the member
  };
  Result<const Member*> resolve(std::string_view path) const;

  std::string m_name;
  std::shared_ptr<FileDescriptor> m_fd;
  std::map<std::string, Member, std::less<>> m_members;
};

// The archive path a relative symlink TARGET of member MEMBER points to;
// '..' may climb within the archive, never out of it (nullopt then).
std::optional<std::string> resolve_link(std::string_view member, std::string_view target);

// Reads LENGTH bytes at OFFSET of a shared file descriptor.
class FileRangeSource final : public ByteSource {
 public:
  FileRangeSource(std::shared_ptr<FileDescriptor> fd, std::uint64_t offset, std::uint64_t length,
                  std::string name)
      : m_fd(std::move(fd)), m_offset(offset), m_remaining(length), m_name(std::move(name)) {}
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override;

 private:
  std::shared_ptr<FileDescriptor> m_fd;
  std::uint64_t m_offset;
  std::uint64_t m_remaining;
  std::string m_name;
};

}  // namespace airlock
