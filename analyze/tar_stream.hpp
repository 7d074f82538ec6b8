#pragma once
// TarStream: reads a tar archive front to back from a ByteSource (libarchive
// as the parser), one member at a time, with the current member's bytes as a
// stream. Used for layer tars and for daemon export streams.

#include <memory>
#include <optional>
#include <string>

#include "analyze/file_index.hpp"
#include "base/byte_stream.hpp"

namespace airlock {

struct TarMember {
  std::string name;  // as written (not cleaned)
  FileType type = FileType::regular;
  std::uint32_t mode = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint64_t size = 0;
  std::string link;  // symlink target or hardlink target as written
};

class TarStream {
 public:
  // NAME is used in messages ("layer 2 of …").
  TarStream(ByteSource& source, std::string name);
  ~TarStream();
  TarStream(const TarStream&) = delete;
  TarStream& operator=(const TarStream&) = delete;

  // The next member, or nullopt at the end of the archive.
  Result<std::optional<TarMember>> next();
  // The current member's data; valid until the next call to next().
  ByteSource& content();

  struct State;  // libarchive plumbing, private to tar_stream.cpp

 private:
  std::unique_ptr<State> m_state;
};

}  // namespace airlock
