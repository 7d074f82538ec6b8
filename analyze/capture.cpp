#include "analyze/capture.hpp"

#include <algorithm>

namespace airlock {

const FileRequest* CaptureVisitor::request_for(std::string_view path) const {
  for (const auto& r : m_requests) {
    if (r.matches(path)) return &r;
  }
  return nullptr;
}

bool CaptureVisitor::wants(const LayerEntry& entry) { return request_for(entry.path) != nullptr; }

Status CaptureVisitor::visit(const LayerEntry& entry, ByteSource& content) {
  const FileRequest* request = request_for(entry.path);
  if (request == nullptr) return {};
  CapturedFile captured;
  const std::size_t keep = static_cast<std::size_t>(std::min<std::uint64_t>(entry.record.size, request->max_bytes));
  captured.content.resize(keep);
  AIRLOCK_TRY_ASSIGN(const std::size_t n, read_fully(content, std::span(reinterpret_cast<std::uint8_t*>(captured.content.data()), keep)));
  captured.content.resize(n);
  captured.truncated = entry.record.size > request->max_bytes;
  if (request->reduce) captured.content = request->reduce(entry.path, captured.content);
  m_out.insert_or_assign(entry.path, std::move(captured));
  return {};
}

const FileRecord* ContentResolver::resolve(std::string_view path, std::string& real) const {
  auto slow = [&](std::string_view p) -> const FileRecord* {
    auto resolved = m_squashed.resolve(p);
    if (!resolved) return nullptr;
    real = std::move(*resolved);
    return m_squashed.find(real);
  };
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return slow(path);
  const std::string_view leaf = path.substr(slash + 1);
  if (leaf.empty() || leaf == "." || leaf == "..") return slow(path);
  if (const FileRecord* literal = m_squashed.find(path); literal != nullptr && literal->type != FileType::symlink) {
    real.assign(path);
    return literal;
  }
  auto [dir, inserted] = m_real_dirs.try_emplace(std::string(path.substr(0, slash)));
  if (inserted) dir->second = m_squashed.resolve(dir->first);
  // A directory implied by its children alone does not resolve by itself.
  if (!dir->second) return slow(path);
  std::string candidate = *dir->second == "/" ? std::string() : *dir->second;
  candidate += '/';
  candidate += leaf;
  const FileRecord* record = m_squashed.find(candidate);
  if (record == nullptr) return nullptr;
  if (record->type == FileType::symlink) return slow(candidate);
  real = std::move(candidate);
  return record;
}

std::optional<ContentResolver::Located> ContentResolver::locate_file(std::string_view path) const {
  std::string real;
  const FileRecord* record = resolve(path, real);
  if (record == nullptr || record->type == FileType::directory) return std::nullopt;
  return Located{FileLocation{std::move(real), layer_id(record->layer), std::string(path)}, record};
}

std::optional<FileLocation> ContentResolver::locate(std::string_view path) const {
  auto found = locate_file(path);
  if (!found) return std::nullopt;
  return std::move(found->location);
}

const CapturedFile* ContentResolver::content(std::string_view path) const {
  std::string real;
  const FileRecord* record = resolve(path, real);
  for (int hops = 0; record != nullptr && record->type == FileType::hardlink && hops < 8; ++hops) {
    // A hardlink's bytes were captured under the name it links to, in the same layer.
    const std::size_t layer = record->layer;
    if (layer < m_captures.size()) {
      auto it = m_captures[layer].find(record->link);
      if (it != m_captures[layer].end()) return &it->second;
    }
    real = record->link;
    record = m_squashed.find(real);
  }
  if (record == nullptr || record->layer >= m_captures.size()) return nullptr;
  auto it = m_captures[record->layer].find(real);
  return it == m_captures[record->layer].end() ? nullptr : &it->second;
}

std::vector<std::string> ContentResolver::captured_paths(
    const std::function<bool(std::string_view)>& matches) const {
  std::vector<std::string> out;
  for (std::size_t layer = 0; layer < m_captures.size(); ++layer) {
    for (const auto& [path, file] : m_captures[layer]) {
      const FileRecord* visible = m_squashed.find(path);
      if (visible != nullptr && visible->layer == layer && matches(path)) out.push_back(path);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

const std::string& ContentResolver::layer_id(std::size_t layer) const {
  static const std::string k_none;
  return layer < m_layer_ids.size() ? m_layer_ids[layer] : k_none;
}

}  // namespace airlock
