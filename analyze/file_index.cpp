#include "analyze/file_index.hpp"

namespace airlock {

std::string_view file_type_name(FileType type) {
  switch (type) {
    case FileType::regular: return "file";
    case FileType::directory: return "dir";
    case FileType::symlink: return "symlink";
    case FileType::hardlink: return "hardlink";
    case FileType::char_device: return "char";
    case FileType::block_device: return "block";
    case FileType::fifo: return "fifo";
    case FileType::other: return "other";
  }
  return "other";
}

Result<std::string> clean_member_path(std::string_view name) {
  if (name.starts_with("/")) {
    return Error(ErrorCode::invalid_input,
                 "member '" + std::string(name.substr(0, 200)) + "' has an absolute path");
  }
  std::string out;
  out.reserve(name.size() + 1);
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    const std::string_view part = name.substr(start, slash - start);
    start = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      return Error(ErrorCode::invalid_input,
                   "member '" + std::string(name.substr(0, 200)) + "' climbs out with '..'");
    }
    out += '/';
    out += part;
  }
  return out;
}

void FileIndex::remove_tree(const std::string& path) {
  m_files.erase(path);
  const std::string prefix = path + "/";
  auto it = m_files.lower_bound(prefix);
  while (it != m_files.end() && it->first.starts_with(prefix)) it = m_files.erase(it);
}

FileIndex FileIndex::squash(const std::vector<LayerIndex>& layers) {
  FileIndex index;
  for (const LayerIndex& layer : layers) {
    // A layer's markers speak of the layers below it, so they apply first.
    for (const std::string& dir : layer.opaque_dirs) {
      const std::string prefix = dir + "/";
      auto it = index.m_files.lower_bound(prefix);
      while (it != index.m_files.end() && it->first.starts_with(prefix)) {
        it = index.m_files.erase(it);
      }
    }
    for (const std::string& path : layer.whiteouts) index.remove_tree(path);
    for (const LayerEntry& entry : layer.entries) {
      auto it = index.m_files.find(entry.path);
      if (it != index.m_files.end()) {
        // A directory replaced by a non-directory takes its contents with it.
        if (it->second.type == FileType::directory && entry.record.type != FileType::directory) {
          index.remove_tree(entry.path);
        } else if (entry.record.type == FileType::directory &&
                   it->second.type == FileType::directory) {
          it->second = entry.record;
          continue;
        }
      }
      index.m_files.insert_or_assign(entry.path, entry.record);
    }
  }
  return index;
}

const FileRecord* FileIndex::find(std::string_view path) const {
  auto it = m_files.find(path);
  return it == m_files.end() ? nullptr : &it->second;
}

}  // namespace airlock
