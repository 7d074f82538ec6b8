#include "base/file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

namespace airlock {

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    reset();
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

FileDescriptor::~FileDescriptor() { reset(); }

void FileDescriptor::reset() {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
}

Result<std::unique_ptr<FileSource>> FileSource::open(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Error::from_errno("cannot open", path.string());
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Error(ErrorCode::invalid_input, path.string() + " is a directory, not a file");
  }
  return std::unique_ptr<FileSource>(new FileSource(std::move(fd), path.string()));
}

Result<std::size_t> FileSource::read(std::span<std::uint8_t> buffer) {
  for (;;) {
    const ssize_t n = ::read(m_fd.get(), buffer.data(), buffer.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return Error::from_errno("cannot read", m_path);
  }
}

static Status write_all(int fd, std::span<const std::uint8_t> data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("cannot write", path);
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

Result<std::unique_ptr<AtomicFile>> AtomicFile::create(const std::filesystem::path& path,
                                                       unsigned mode) {
  // A random suffix keeps two writers of the same path apart; O_EXCL makes
  // sure we never write into someone else's temporary.
  std::random_device random;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::filesystem::path temp = path;
    temp += ".tmp." + std::to_string(random() & 0xffffff);
    FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.valid()) {
      // The umask may have narrowed MODE; set it exactly.
      if (::fchmod(fd.get(), mode) != 0) {
        Error error = Error::from_errno("cannot set mode of", temp.string());
        ::unlink(temp.c_str());
        return error;
      }
      return std::unique_ptr<AtomicFile>(new AtomicFile(std::move(fd), temp, path));
    }
    if (errno != EEXIST) return Error::from_errno("cannot create", temp.string());
  }
  return Error(ErrorCode::io, "cannot create a temporary file next to " + path.string());
}

AtomicFile::~AtomicFile() {
  if (!m_committed) {
    m_fd.reset();
    ::unlink(m_temp.c_str());
  }
}

Status AtomicFile::write(std::span<const std::uint8_t> data) {
  if (m_committed) return Error(ErrorCode::internal, "write after commit to " + m_final.string());
  return write_all(m_fd.get(), data, m_temp.string());
}

Status AtomicFile::commit(Durability durability) {
  if (m_committed) return {};
  if (durability == Durability::fsync && ::fsync(m_fd.get()) != 0) {
    return Error::from_errno("cannot flush", m_temp.string());
  }
  if (::close(m_fd.release()) != 0) {
    return Error::from_errno("cannot close", m_temp.string());
  }
  if (::rename(m_temp.c_str(), m_final.c_str()) != 0) {
    return Error::from_errno("cannot rename into place", m_final.string());
  }
  m_committed = true;
  if (durability == Durability::fsync) {
    std::filesystem::path dir = m_final.parent_path();
    if (dir.empty()) dir = ".";
    FileDescriptor dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.valid()) ::fsync(dir_fd.get());
  }
  return {};
}

Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes) {
  AIRLOCK_TRY_ASSIGN(auto source, FileSource::open(path));
  std::string content;
  content.resize(max_bytes + 1);
  AIRLOCK_TRY_ASSIGN(const std::size_t n,
                     read_fully(*source, std::span(reinterpret_cast<std::uint8_t*>(content.data()),
                                                   content.size())));
  if (n > max_bytes) {
    return Error(ErrorCode::invalid_input,
                 path.string() + " is larger than " + std::to_string(max_bytes) +
                     " bytes, too large for this kind of file");
  }
  content.resize(n);
  return content;
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view content,
                             unsigned mode) {
  AIRLOCK_TRY_ASSIGN(auto file, AtomicFile::create(path, mode));
  AIRLOCK_TRY(file->write(as_bytes(content)));
  return file->commit();
}

Result<FileDescriptor> lock_file(const std::filesystem::path& path, LockKind kind, unsigned permissions,
                                 std::string_view busy_message) {
  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, permissions));
  if (!fd.valid()) return Error::from_errno("cannot open", path.string());
  const int how = (kind == LockKind::exclusive ? LOCK_EX : LOCK_SH) | (busy_message.empty() ? 0 : LOCK_NB);
  if (::flock(fd.get(), how) != 0) {
    if (busy_message.empty() || errno != EWOULDBLOCK) return Error::from_errno("cannot lock", path.string());
    return Error(ErrorCode::conflict, std::string(busy_message));
  }
  return fd;
}

}  // namespace airlock
