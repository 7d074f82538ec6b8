#pragma once
// MultipartBody: a multipart/form-data request body (RFC 7578) whose file
// parts stream from their sources as the upload proceeds, so an SBOM of any
// size is never held in memory. Its size is known up front (Content-Length),
// and it can be opened again for a retry.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/byte_stream.hpp"

namespace airlock {

// A boundary no part will contain by chance ("airlock-" + 32 random hex).
std::string random_multipart_boundary();

class MultipartBody {
 public:
  using Opener = std::function<Result<std::unique_ptr<ByteSource>>()>;

  explicit MultipartBody(std::string boundary) : m_boundary(std::move(boundary)) {}

  // A text field: no filename, no content type (as Anchore's clients send them).
  void add_text(std::string_view name, std::string_view value);
  // A file part of SIZE bytes, read from a fresh OPEN() each time the body is sent.
  void add_file(std::string_view name, std::string_view filename, std::string_view content_type, std::uint64_t size,
                Opener open);

  std::string content_type() const { return "multipart/form-data; boundary=" + m_boundary; }
  std::uint64_t size() const;
  // The whole body from its start; fails if a part's source yields more or
  // fewer bytes than declared.
  std::unique_ptr<ByteSource> open() const;

  struct Segment {
    std::string bytes;   // literal bytes (headers, text values, delimiters) …
    Opener open;         // … or a file part's content
    std::uint64_t size = 0;
  };

 private:
  std::string m_boundary;
  std::vector<Segment> m_segments;
};

}  // namespace airlock
