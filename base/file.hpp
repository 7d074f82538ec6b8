#pragma once
// Files on the local disk: streaming readers and writers over POSIX file
// descriptors, atomic replacement (temp → fsync → rename) and bounded reads.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/byte_stream.hpp"

namespace airlock {

// Owns a file descriptor; closes it on destruction.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor();

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  void reset();
  // Gives up ownership without closing.
  int release() { return std::exchange(m_fd, -1); }

 private:
  int m_fd = -1;
};

class FileSource final : public ByteSource {
 public:
  static Result<std::unique_ptr<FileSource>> open(const std::filesystem::path& path);
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override;
  int fd() const { return m_fd.get(); }

 private:
  FileSource(FileDescriptor fd, std::string path) : m_fd(std::move(fd)), m_path(std::move(path)) {}
  FileDescriptor m_fd;
  std::string m_path;
};

// Opens PATH (creating it with PERMISSIONS) and takes a flock on it, held
// while the descriptor lives. With BUSY_MESSAGE empty it waits for the lock;
// otherwise it does not, and fails with a conflict error saying BUSY_MESSAGE
// when another process holds it.
enum class LockKind { shared, exclusive };
Result<FileDescriptor> lock_file(const std::filesystem::path& path, LockKind kind, unsigned permissions,
                                 std::string_view busy_message = {});

enum class Durability { none, fsync };

// Writes a new file next to its final path and only replaces the final path
// on commit(); destroying an uncommitted AtomicFile removes the temporary, so
// a failure never leaves a half-written result visible.
class AtomicFile final : public ByteSink {
 public:
  static Result<std::unique_ptr<AtomicFile>> create(const std::filesystem::path& path,
                                                    unsigned mode = 0644);
  ~AtomicFile() override;

  Status write(std::span<const std::uint8_t> data) override;
  // Flushes (fsync unless Durability::none), renames over the final path and
  // syncs the directory.
  Status commit(Durability durability = Durability::fsync);
  // Commits under another final path (for content-addressed files whose name
  // is known only once written).
  Status commit_as(const std::filesystem::path& final_path, Durability durability = Durability::fsync) {
    m_final = final_path;
    return commit(durability);
  }

 private:
  AtomicFile(FileDescriptor fd, std::filesystem::path temp, std::filesystem::path final_path)
      : m_fd(std::move(fd)), m_temp(std::move(temp)), m_final(std::move(final_path)) {}
  FileDescriptor m_fd;
  std::filesystem::path m_temp;
  std::filesystem::path m_final;
  bool m_committed = false;
};

// Reads a whole file that must not exceed MAX_BYTES (config and key files).
Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes);

// Writes CONTENT to PATH atomically with MODE.
Status write_file_atomically(const std::filesystem::path& path, std::string_view content,
                             unsigned mode = 0644);

}  // namespace airlock
