#pragma once
// LayoutReader: files of an image layout by relative path, whether they sit
// in a folder (oci-dir) or inside a tar archive (oci-archive, docker-archive).

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/byte_stream.hpp"

namespace airlock {

class LayoutReader {
 public:
  virtual ~LayoutReader() = default;
  virtual Result<std::unique_ptr<ByteSource>> open(std::string_view path) const = 0;
  virtual Result<std::string> read_small(std::string_view path, std::size_t max_bytes) const = 0;
  virtual bool contains(std::string_view path) const = 0;
  virtual Result<std::uint64_t> size_of(std::string_view path) const = 0;
  // "ARCHIVE:PATH" or "DIR/PATH", for messages.
  virtual std::string describe(std::string_view path) const = 0;
};

// A layout in a folder. Paths may not leave it.
class DirectoryLayout final : public LayoutReader {
 public:
  explicit DirectoryLayout(std::filesystem::path root) : m_root(std::move(root)) {}
  Result<std::unique_ptr<ByteSource>> open(std::string_view path) const override;
  Result<std::string> read_small(std::string_view path, std::size_t max_bytes) const override;
  bool contains(std::string_view path) const override;
  Result<std::uint64_t> size_of(std::string_view path) const override;
  std::string describe(std::string_view path) const override;

 private:
  Result<std::filesystem::path> full_path(std::string_view path) const;
  std::filesystem::path m_root;
};

}  // namespace airlock
