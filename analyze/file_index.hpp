#pragma once
// The file model of an image: what each layer's tar holds (LayerIndex) and
// the squashed view a container sees after whiteouts and opaque directories
// are applied (FileIndex). Memory is proportional to the number of files,
// never to their size.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/sha256.hpp"

namespace airlock {

enum class FileType : std::uint8_t {
  regular, directory, symlink, hardlink, char_device, block_device, fifo, other
};
std::string_view file_type_name(FileType type);

struct FileRecord {
  FileType type = FileType::regular;
  std::uint16_t layer = 0;  // index of the layer that last wrote the path
  std::uint32_t mode = 0;   // permission bits (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint64_t size = 0;   // for a hardlink: the size of the file it names
  std::string link;         // symlink target as written; hardlink target as an absolute path
  // In a squashed index: the path's place in path order (see
  // FileIndex::number_paths), so that files can be sorted without comparing
  // their paths. 0 in a layer's own entries.
  std::uint32_t rank = 0;
};

struct LayerEntry {
  std::string path;  // absolute and clean: "/etc/os-release"
  FileRecord record;
};

struct LayerIndex {
  std::vector<LayerEntry> entries;        // in tar order, markers excluded
  std::vector<std::string> whiteouts;     // paths this layer deletes from lower layers
  std::vector<std::string> opaque_dirs;   // directories whose lower contents this layer hides
  Sha256Digest diff_id;                   // sha256 of the uncompressed tar
  Sha256Digest blob_digest;               // sha256 of the blob as stored
  std::uint64_t blob_size = 0;
  std::uint64_t tar_size = 0;             // uncompressed bytes
  std::uint64_t content_size = 0;         // sum of regular files' sizes (syft's layer "size")
};

class FileIndex {
 public:
  FileIndex() = default;
  FileIndex(const FileIndex& other) : m_files(other.m_files) {}
  FileIndex& operator=(const FileIndex& other) {
    m_files = other.m_files;
    m_lookup = std::make_unique<Lookup>();
    return *this;
  }
  FileIndex(FileIndex&&) = default;
  FileIndex& operator=(FileIndex&&) = default;

  // Applies LAYERS bottom to top.
  static FileIndex squash(const std::vector<LayerIndex>& layers);
  // Applies one more layer on top of those applied so far.
  void apply(const LayerIndex& layer);
  // Gives every record its rank in path order; squash() does this, a caller
  // of apply() does it after the last layer.
  void number_paths();

  // Safe to call from several threads at once (not while applying a layer).
  const FileRecord* find(std::string_view path) const;
  // The real path PATH names after following symlinks in it (ancestors and
  // the last component, at most 40 links), or nullopt when it leads nowhere.
  std::optional<std::string> resolve(std::string_view path) const;
  const std::map<std::string, FileRecord, std::less<>>& files() const { return m_files; }
  std::size_t size() const { return m_files.size(); }

 private:
  void remove_tree(const std::string& path);
  std::map<std::string, FileRecord, std::less<>> m_files;
  // A hash table over m_files, built by the first find() after the last
  // change: an SBOM looks up a path several times for every file it lists.
  struct Lookup {
    std::once_flag built;
    std::unordered_map<std::string_view, const FileRecord*> records;
  };
  std::unique_ptr<Lookup> m_lookup = std::make_unique<Lookup>();
};

// Normalises a tar member name into an absolute clean path ("./a//b/" → "/a/b").
// Fails on ".." components and absolute names, which a layer must not hold.
// Returns "" for the root itself.
Result<std::string> clean_member_path(std::string_view name);

}  // namespace airlock
