#include "analyze/dir_source.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "base/file.hpp"

namespace airlock {

namespace {

class DirectorySource final : public ImageSource {
 public:
  explicit DirectorySource(std::filesystem::path root) : m_root(std::move(root)) {
    m_metadata.source = "dir:" + m_root.string();
  }
  const ImageMetadata& metadata() const override { return m_metadata; }
  std::size_t layer_count() const override { return 1; }

  Result<LayerIndex> walk(std::size_t, LayerVisitor* visitor, Progress& progress) override {
    LayerIndex index;
    std::map<std::pair<dev_t, ino_t>, std::string> seen_inodes;
    std::error_code ec;
    auto it = std::filesystem::recursive_directory_iterator(
        m_root, std::filesystem::directory_options::none, ec);
    if (ec) return Error(ErrorCode::io, "cannot read " + m_root.string() + ": " + ec.message());
    for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) return Error(ErrorCode::io, "cannot read " + m_root.string() + ": " + ec.message());
      const std::filesystem::path& full = it->path();
      struct stat st {};
      if (::lstat(full.c_str(), &st) != 0) return Error::from_errno("cannot stat", full.string());
      LayerEntry entry;
      entry.path = "/" + full.lexically_relative(m_root).generic_string();
      FileRecord& r = entry.record;
      r.mode = st.st_mode & 07777;
      r.uid = st.st_uid;
      r.gid = st.st_gid;
      if (S_ISDIR(st.st_mode)) {
        r.type = FileType::directory;
      } else if (S_ISLNK(st.st_mode)) {
        r.type = FileType::symlink;
        std::string target(4096, '\0');
        const ssize_t n = ::readlink(full.c_str(), target.data(), target.size());
        if (n < 0) return Error::from_errno("cannot read link", full.string());
        target.resize(static_cast<std::size_t>(n));
        r.link = target;
      } else if (S_ISREG(st.st_mode)) {
        r.size = static_cast<std::uint64_t>(st.st_size);
        auto [seen, fresh] = seen_inodes.try_emplace({st.st_dev, st.st_ino}, entry.path);
        if (!fresh && st.st_nlink > 1) {
          r.type = FileType::hardlink;
          r.link = seen->second;
        } else {
          r.type = FileType::regular;
          index.content_size += r.size;
          progress.advance(r.size);
          if (visitor != nullptr && visitor->wants(entry)) {
            AIRLOCK_TRY_ASSIGN(auto content, FileSource::open(full));
            AIRLOCK_TRY(visitor->visit(entry, *content).context(full.string()));
          }
        }
      } else if (S_ISCHR(st.st_mode)) {
        r.type = FileType::char_device;
      } else if (S_ISBLK(st.st_mode)) {
        r.type = FileType::block_device;
      } else if (S_ISFIFO(st.st_mode)) {
        r.type = FileType::fifo;
      } else {
        r.type = FileType::other;
      }
      index.entries.push_back(std::move(entry));
    }
    return index;
  }

 private:
  std::filesystem::path m_root;
  ImageMetadata m_metadata;
};

}  // namespace

Result<std::unique_ptr<ImageSource>> open_directory(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return Error(ErrorCode::not_found, root.string() + " is not a directory");
  }
  return std::unique_ptr<ImageSource>(new DirectorySource(root));
}

}  // namespace airlock
