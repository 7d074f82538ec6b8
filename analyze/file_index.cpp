#include "analyze/file_index.hpp"

#include <algorithm>

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

void FileIndex::apply(const LayerIndex& layer) {
  m_lookup = std::make_unique<Lookup>();
  // A layer's markers speak of the layers below it, so they apply first.
  for (const std::string& dir : layer.opaque_dirs) {
    const std::string prefix = dir + "/";
    auto it = m_files.lower_bound(prefix);
    while (it != m_files.end() && it->first.starts_with(prefix)) it = m_files.erase(it);
  }
  for (const std::string& path : layer.whiteouts) remove_tree(path);
  std::string children;  // "PATH/", reused
  for (const LayerEntry& entry : layer.entries) {
    auto it = m_files.lower_bound(entry.path);
    if (it != m_files.end() && it->first == entry.path) {
      if (it->second.type == FileType::directory && entry.record.type != FileType::directory) {
        // A directory replaced by a non-directory takes its contents with it.
        remove_tree(entry.path);
      } else {
        it->second = entry.record;
        continue;
      }
    } else {
      bool erased = false;
      if (entry.record.type != FileType::directory) {
        // So does a directory that had no entry of its own, only children.
        children.assign(entry.path).push_back('/');
        auto child = m_files.lower_bound(children);
        while (child != m_files.end() && child->first.starts_with(children)) {
          child = m_files.erase(child);
          erased = true;
        }
      }
      if (!erased) {
        m_files.emplace_hint(it, entry.path, entry.record);  // IT is where the new path goes
        continue;
      }
    }
    m_files.insert_or_assign(entry.path, entry.record);
  }
}

FileIndex FileIndex::squash(const std::vector<LayerIndex>& layers) {
  FileIndex index;
  for (const LayerIndex& layer : layers) index.apply(layer);
  index.number_paths();
  return index;
}

void FileIndex::number_paths() {
  std::uint32_t rank = 0;
  for (auto& [path, record] : m_files) record.rank = rank++;
}

namespace {

// Splits "/a/b/c" into its components.
std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(start, slash - start);
    start = slash + 1;
    if (part.empty() || part == ".") continue;
    parts.emplace_back(part);
  }
  return parts;
}

}  // namespace

std::optional<std::string> FileIndex::resolve(std::string_view path) const {
  // As stereoscope does: a path that is literally there, and is no link, is itself.
  if (const FileRecord* literal = find(path); literal != nullptr && literal->type != FileType::symlink) {
    return std::string(path);
  }
  std::vector<std::string> pending = components(path);
  std::reverse(pending.begin(), pending.end());  // a stack: next component at the back
  std::vector<std::string> done;                  // the resolved prefix
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    std::string candidate;
    for (const auto& d : done) candidate += "/" + d;
    candidate += "/" + part;
    const FileRecord* record = find(candidate);
    if (record != nullptr && record->type == FileType::symlink) {
      if (++links > 40) return std::nullopt;
      const std::string& target = record->link;
      if (target.starts_with("/")) done.clear();
      auto target_parts = components(target);
      for (auto it = target_parts.rbegin(); it != target_parts.rend(); ++it) pending.push_back(*it);
      continue;
    }
    if (record == nullptr && !pending.empty()) {
      // A missing directory in the middle: the path leads nowhere unless
      // the directory is only implied (no entry of its own, but children).
      auto it = m_files.lower_bound(candidate + "/");
      if (it == m_files.end() || !it->first.starts_with(candidate + "/")) return std::nullopt;
    }
    done.push_back(std::move(part));
  }
  std::string out;
  for (const auto& d : done) out += "/" + d;
  if (out.empty()) return std::string("/");
  if (find(out) == nullptr) return std::nullopt;
  return out;
}

const FileRecord* FileIndex::find(std::string_view path) const {
  if (m_lookup == nullptr) {  // moved from
    auto it = m_files.find(path);
    return it == m_files.end() ? nullptr : &it->second;
  }
  std::call_once(m_lookup->built, [this] {
    m_lookup->records.reserve(m_files.size());
    for (const auto& [p, record] : m_files) m_lookup->records.emplace(p, &record);
  });
  auto it = m_lookup->records.find(path);
  return it == m_lookup->records.end() ? nullptr : it->second;
}

}  // namespace airlock
