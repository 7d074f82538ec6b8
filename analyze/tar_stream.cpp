#include "analyze/tar_stream.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <vector>

namespace airlock {

namespace {

class MemberSource final : public ByteSource {
 public:
  explicit MemberSource(struct archive* a) : m_archive(a) {}
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override {
    const la_ssize_t n = archive_read_data(m_archive, buffer.data(), buffer.size());
    if (n < 0) {
      return Error(ErrorCode::invalid_input,
                   std::string("cannot read member data: ") + archive_error_string(m_archive));
    }
    return static_cast<std::size_t>(n);
  }

 private:
  struct archive* m_archive;
};

}  // namespace

struct TarStream::State {
  ByteSource* source = nullptr;
  std::string name;
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(256 * 1024);
  std::optional<Error> source_error;  // says more than libarchive's "read callback failed"
  struct archive* archive = nullptr;
  bool opened = false;
  std::unique_ptr<MemberSource> content;
};

namespace {

la_ssize_t feed_read(struct archive* a, void* data, const void** out) {
  auto* state = static_cast<TarStream::State*>(data);
  auto n = state->source->read(state->buffer);
  if (!n) {
    state->source_error = n.error();
    archive_set_error(a, EIO, "%s", n.error().message().c_str());
    return -1;
  }
  *out = state->buffer.data();
  return static_cast<la_ssize_t>(*n);
}

FileType type_of(struct archive_entry* entry) {
  if (archive_entry_hardlink(entry) != nullptr) return FileType::hardlink;
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG: return FileType::regular;
    case AE_IFDIR: return FileType::directory;
    case AE_IFLNK: return FileType::symlink;
    case AE_IFCHR: return FileType::char_device;
    case AE_IFBLK: return FileType::block_device;
    case AE_IFIFO: return FileType::fifo;
    default: return FileType::other;
  }
}

}  // namespace

TarStream::TarStream(ByteSource& source, std::string name) : m_state(std::make_unique<State>()) {
  m_state->source = &source;
  m_state->name = std::move(name);
  m_state->archive = archive_read_new();
  archive_read_support_format_tar(m_state->archive);
  m_state->content = std::make_unique<MemberSource>(m_state->archive);
}

TarStream::~TarStream() { archive_read_free(m_state->archive); }

ByteSource& TarStream::content() { return *m_state->content; }

Result<std::optional<TarMember>> TarStream::next() {
  State& s = *m_state;
  if (!s.opened) {
    s.opened = true;
    if (archive_read_open(s.archive, &s, nullptr, feed_read,
                          nullptr) != ARCHIVE_OK) {
      if (s.source_error) return *s.source_error;
      return Error(ErrorCode::invalid_input,
                   s.name + ": not a tar archive (" + archive_error_string(s.archive) + ")");
    }
  }
  struct archive_entry* entry = nullptr;
  const int rc = archive_read_next_header(s.archive, &entry);
  if (rc == ARCHIVE_EOF) return std::optional<TarMember>();
  if (rc < ARCHIVE_WARN) {
    if (s.source_error) return *s.source_error;
    return Error(ErrorCode::invalid_input,
                 s.name + ": damaged tar (" + archive_error_string(s.archive) + ")");
  }
  TarMember member;
  const char* name = archive_entry_pathname(entry);
  if (name == nullptr) return Error(ErrorCode::invalid_input, s.name + ": a member has no name");
  member.name = name;
  member.type = type_of(entry);
  member.mode = static_cast<std::uint32_t>(archive_entry_perm(entry));
  member.uid = static_cast<std::uint32_t>(archive_entry_uid(entry));
  member.gid = static_cast<std::uint32_t>(archive_entry_gid(entry));
  const la_int64_t size = archive_entry_size(entry);
  member.size = size > 0 ? static_cast<std::uint64_t>(size) : 0;
  if (member.type == FileType::symlink) {
    const char* target = archive_entry_symlink(entry);
    member.link = target != nullptr ? target : "";
  } else if (member.type == FileType::hardlink) {
    member.link = archive_entry_hardlink(entry);
  }
  return std::optional<TarMember>(std::move(member));
}

}  // namespace airlock
