#pragma once
// Capturing file contents during the layer walk, for catalogers: each
// cataloger says which paths it needs (and may reduce a file to the little it
// keeps, e.g. a copyright file to its license names); the walk hands matching
// files over as it passes them, once. Afterwards a ContentResolver answers
// "what does PATH hold in the squashed image" from the captures.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyze/file_index.hpp"
#include "analyze/layer_walk.hpp"

namespace airlock {

struct FileRequest {
  std::function<bool(std::string_view path)> matches;
  std::size_t max_bytes = 16 * 1024 * 1024;  // larger files are kept truncated, and flagged
  // Reduces the bytes to what is kept (nullptr: keep them as they are).
  std::function<std::string(std::string_view path, std::string_view content)> reduce;
};

struct CapturedFile {
  std::string content;
  bool truncated = false;
};

// The files captured from one layer, by absolute path.
using LayerCaptures = std::map<std::string, CapturedFile, std::less<>>;

// A LayerVisitor that captures the files a set of requests ask for.
class CaptureVisitor final : public LayerVisitor {
 public:
  CaptureVisitor(const std::vector<FileRequest>& requests, LayerCaptures& out)
      : m_requests(requests), m_out(out) {}
  bool wants(const LayerEntry& entry) override;
  Status visit(const LayerEntry& entry, ByteSource& content) override;

 private:
  const FileRequest* request_for(std::string_view path) const;
  const std::vector<FileRequest>& m_requests;
  LayerCaptures& m_out;
};

struct FileLocation {
  std::string path;      // the real path
  std::string layer_id;  // diff_id of the layer that holds it ("" for dir: sources)
  std::string access_path;
};

class ContentResolver {
 public:
  ContentResolver(const FileIndex& squashed, const std::vector<LayerCaptures>& captures,
                  std::vector<std::string> layer_ids)
      : m_squashed(squashed), m_captures(captures), m_layer_ids(std::move(layer_ids)) {}

  const FileIndex& files() const { return m_squashed; }
  // Where PATH leads (symlinks followed), if it is a file in the image.
  std::optional<FileLocation> locate(std::string_view path) const;
  // The same, with the file's record in the squashed index.
  struct Located {
    FileLocation location;
    const FileRecord* record = nullptr;
  };
  std::optional<Located> locate_file(std::string_view path) const;
  // The captured content of the file PATH leads to (hardlinks followed).
  const CapturedFile* content(std::string_view path) const;
  // The captured files whose paths satisfy MATCHES, visible in the squashed view.
  std::vector<std::string> captured_paths(const std::function<bool(std::string_view)>& matches) const;
  const std::string& layer_id(std::size_t layer) const;

 private:
  // The record PATH leads to (symlinks followed), its real path in REAL.
  const FileRecord* resolve(std::string_view path, std::string& real) const;
  const FileIndex& m_squashed;
  const std::vector<LayerCaptures>& m_captures;
  std::vector<std::string> m_layer_ids;
  // Real paths of the directories resolved so far. Owned-file lists name
  // thousands of files in a few hundred directories, many through a link
  // (/bin → usr/bin), so each directory is resolved once. A resolver is used
  // by one thread at a time.
  mutable std::unordered_map<std::string, std::optional<std::string>> m_real_dirs;
};

}  // namespace airlock
