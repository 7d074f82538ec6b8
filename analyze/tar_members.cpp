#include "analyze/tar_members.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <vector>

#include "analyze/file_index.hpp"

namespace airlock {

namespace {

constexpr std::size_t k_max_members = 1'000'000;
constexpr int k_max_link_hops = 8;

struct SeekableFeed {
  int fd = -1;
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(64 * 1024);
};

la_ssize_t seekable_read(struct archive*, void* data, const void** out) {
  auto* feed = static_cast<SeekableFeed*>(data);
  for (;;) {
    const ssize_t n = ::read(feed->fd, feed->buffer.data(), feed->buffer.size());
    if (n >= 0 || errno != EINTR) {
      *out = feed->buffer.data();
      return n;
    }
  }
}

la_int64_t seekable_seek(struct archive*, void* data, la_int64_t offset, int whence) {
  auto* feed = static_cast<SeekableFeed*>(data);
  return ::lseek(feed->fd, offset, whence);
}

la_int64_t seekable_skip(struct archive*, void* data, la_int64_t request) {
  auto* feed = static_cast<SeekableFeed*>(data);
  const off_t here = ::lseek(feed->fd, 0, SEEK_CUR);
  const off_t end = ::lseek(feed->fd, 0, SEEK_END);
  if (here < 0 || end < 0) return 0;
  const la_int64_t step = std::min<la_int64_t>(request, end - here);
  ::lseek(feed->fd, here + step, SEEK_SET);
  return step;
}

}  // namespace

// Resolves a relative symlink TARGET of MEMBER inside the archive; '..' may
// climb within the archive but never out of it.
std::optional<std::string> resolve_link(std::string_view member, std::string_view target) {
  std::vector<std::string_view> parts;
  std::string_view dir = member.substr(0, member.rfind('/') == std::string_view::npos ? 0 : member.rfind('/'));
  auto push_all = [&](std::string_view text) -> bool {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t slash = text.find('/', start);
      if (slash == std::string_view::npos) slash = text.size();
      const std::string_view part = text.substr(start, slash - start);
      start = slash + 1;
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else {
        parts.push_back(part);
      }
    }
    return true;
  };
  if (!push_all(dir) || !push_all(target) || parts.empty()) return std::nullopt;
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}


Result<std::unique_ptr<TarMembers>> TarMembers::index(const std::filesystem::path& archive_path) {
  auto owner = std::unique_ptr<TarMembers>(new TarMembers);
  TarMembers& members = *owner;
  members.m_name = archive_path.string();
  auto fd = std::make_shared<FileDescriptor>(::open(archive_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd->valid()) return Error::from_errno("cannot open", archive_path.string());
  members.m_fd = fd;

  SeekableFeed feed;
  feed.fd = fd->get();
  struct archive* a = archive_read_new();
  std::unique_ptr<struct archive, int (*)(struct archive*)> guard(a, archive_read_free);
  archive_read_support_format_tar(a);
  archive_read_set_seek_callback(a, seekable_seek);
  archive_read_set_read_callback(a, seekable_read);
  archive_read_set_skip_callback(a, seekable_skip);
  archive_read_set_callback_data(a, &feed);
  const std::string& name = members.m_name;
  if (archive_read_open1(a) != ARCHIVE_OK) {
    return Error(ErrorCode::invalid_input,
                 name + " is not a tar archive (" + archive_error_string(a) + ")");
  }

  struct Pending {
    std::string path;
    std::uint64_t header = 0;
    std::uint64_t size = 0;
    bool regular = false;
  };
  std::optional<Pending> previous;
  auto place_previous = [&](std::uint64_t next_header) -> Status {
    if (!previous || !previous->regular) return {};
    // The data sits right before the next header, padded to 512 bytes.
    const std::uint64_t padded = (previous->size + 511) / 512 * 512;
    if (next_header < padded || next_header - padded < previous->header + 512) {
      return Error(ErrorCode::invalid_input, name + ": member '" + previous->path + "' is damaged");
    }
    members.m_members[previous->path].offset = next_header - padded;
    return {};
  };
  for (;;) {
    struct archive_entry* entry = nullptr;
    const int rc = archive_read_next_header(a, &entry);
    const auto position = static_cast<std::uint64_t>(archive_read_header_position(a));
    if (rc == ARCHIVE_EOF) {
      AIRLOCK_TRY(place_previous(position));
      break;
    }
    if (rc < ARCHIVE_WARN) {
      return Error(ErrorCode::invalid_input,
                   name + ": damaged or truncated archive (" + archive_error_string(a) + ")");
    }
    AIRLOCK_TRY(place_previous(position));
    previous.reset();
    if (members.m_members.size() >= k_max_members) {
      return Error(ErrorCode::invalid_input, name + ": too many members");
    }
    const char* raw = archive_entry_pathname(entry);
    AIRLOCK_TRY_ASSIGN(std::string path, clean_member_path(raw != nullptr ? raw : "").context(name));
    if (path.empty()) continue;
    path.erase(0, 1);  // members are named relative to the archive root
    const auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) continue;
    if (members.m_members.count(path) != 0) {
      return Error(ErrorCode::invalid_input, name + ": member '" + path + "' appears twice");
    }
    Member member;
    if (archive_entry_hardlink(entry) != nullptr) {
      // A hardlink is a second name for a member earlier in the archive.
      AIRLOCK_TRY_ASSIGN(std::string target,
                         clean_member_path(archive_entry_hardlink(entry)).context(name));
      member.link = target.empty() ? "" : target.substr(1);
      members.m_members[path] = member;
      continue;
    }
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      if (target == nullptr || *target == '/') {
        return Error(ErrorCode::invalid_input, name + ": symlink '" + path + "' points outside the archive");
      }
      auto resolved = resolve_link(path, target);
      if (!resolved) {
        return Error(ErrorCode::invalid_input, name + ": symlink '" + path + "' points outside the archive");
      }
      member.link = *resolved;
      members.m_members[path] = member;
      continue;
    }
    if (type != AE_IFREG || archive_entry_sparse_count(entry) > 0) {
      continue;  // devices, fifos and sparse files never hold image data
    }
    const la_int64_t size = archive_entry_size(entry);
    member.size = size > 0 ? static_cast<std::uint64_t>(size) : 0;
    members.m_members[path] = member;
    previous = Pending{path, position, member.size, true};
  }
  return owner;
}

Result<const TarMembers::Member*> TarMembers::resolve(std::string_view path) const {
  std::string current(path);
  while (current.starts_with("./")) current.erase(0, 2);
  for (int hop = 0; hop <= k_max_link_hops; ++hop) {
    auto it = m_members.find(current);
    if (it == m_members.end()) {
      return Error(ErrorCode::invalid_input,
                   m_name + ": has no member '" + std::string(path) + "'");
    }
    if (it->second.link.empty()) return &it->second;
    current = it->second.link;
  }
  return Error(ErrorCode::invalid_input, m_name + ": member '" + std::string(path) + "' is a link loop");
}

bool TarMembers::contains(std::string_view path) const { return resolve(path).ok(); }

Result<std::uint64_t> TarMembers::size_of(std::string_view path) const {
  AIRLOCK_TRY_ASSIGN(const Member* member, resolve(path));
  return member->size;
}

Result<std::unique_ptr<ByteSource>> TarMembers::open(std::string_view path) const {
  AIRLOCK_TRY_ASSIGN(const Member* member, resolve(path));
  return std::unique_ptr<ByteSource>(new FileRangeSource(
      m_fd, member->offset, member->size, m_name + ":" + std::string(path)));
}

Result<std::string> TarMembers::read_small(std::string_view path, std::size_t max_bytes) const {
  AIRLOCK_TRY_ASSIGN(const Member* member, resolve(path));
  if (member->size > max_bytes) {
    return Error(ErrorCode::invalid_input, m_name + ": member '" + std::string(path) + "' is " +
                                               std::to_string(member->size) + " bytes, over the " +
                                               std::to_string(max_bytes) + "-byte limit");
  }
  AIRLOCK_TRY_ASSIGN(auto source, open(path));
  std::string out(member->size, '\0');
  AIRLOCK_TRY_ASSIGN(const std::size_t n,
                     read_fully(*source, std::span(reinterpret_cast<std::uint8_t*>(out.data()), out.size())));
  if (n != out.size()) return Error(ErrorCode::invalid_input, m_name + ": member '" + std::string(path) + "' is truncated");
  return out;
}

Result<std::size_t> FileRangeSource::read(std::span<std::uint8_t> buffer) {
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), m_remaining));
  if (want == 0) return std::size_t{0};
  for (;;) {
    const ssize_t n = ::pread(m_fd->get(), buffer.data(), want, static_cast<off_t>(m_offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("cannot read", m_name);
    if (n == 0) {
      return Error(ErrorCode::invalid_input, m_name + ": the archive ends inside this member (truncated)");
    }
    m_offset += static_cast<std::uint64_t>(n);
    m_remaining -= static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }
}

}  // namespace airlock
