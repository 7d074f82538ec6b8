#include "import/multipart_body.hpp"

#include <array>
#include <random>

#include "base/hex.hpp"

namespace airlock {

namespace {

// Quotes a header parameter value; the names airlock sends are plain, but a
// quote or line break must never end the header early.
std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\r' || c == '\n') continue;
    out += c;
  }
  return out + '"';
}

class MultipartSource final : public ByteSource {
 public:
  MultipartSource(const std::vector<MultipartBody::Segment>& segments, std::string closing)
      : m_segments(segments), m_closing(std::move(closing)) {}

  Result<std::size_t> read(std::span<std::uint8_t> buffer) override {
    while (m_index < m_segments.size()) {
      const auto& segment = m_segments[m_index];
      if (!segment.open) {
        if (m_offset < segment.bytes.size()) {
          const std::size_t n = std::min(buffer.size(), segment.bytes.size() - m_offset);
          std::copy_n(segment.bytes.data() + m_offset, n, reinterpret_cast<char*>(buffer.data()));
          m_offset += n;
          return n;
        }
      } else {
        if (!m_part) {
          AIRLOCK_TRY_ASSIGN(m_part, segment.open());
        }
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), segment.size - m_offset + 1));
        AIRLOCK_TRY_ASSIGN(const std::size_t n, m_part->read(buffer.first(std::max<std::size_t>(want, 1))));
        if (n > 0) {
          m_offset += n;
          if (m_offset > segment.size) {
            return Error(ErrorCode::invalid_input, "an upload part is longer than its recorded size");
          }
          return n;
        }
        if (m_offset != segment.size) {
          return Error(ErrorCode::invalid_input, "an upload part is shorter than its recorded size");
        }
        m_part.reset();
      }
      ++m_index;
      m_offset = 0;
    }
    const std::size_t n = std::min(buffer.size(), m_closing.size() - m_closing_offset);
    std::copy_n(m_closing.data() + m_closing_offset, n, reinterpret_cast<char*>(buffer.data()));
    m_closing_offset += n;
    return n;
  }

 private:
  const std::vector<MultipartBody::Segment>& m_segments;
  std::size_t m_index = 0;
  std::uint64_t m_offset = 0;
  std::unique_ptr<ByteSource> m_part;
  std::string m_closing;
  std::size_t m_closing_offset = 0;
};

}  // namespace

std::string random_multipart_boundary() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::array<std::uint8_t, 16> bytes{};
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  return "airlock-" + to_hex(bytes);
}

void MultipartBody::add_text(std::string_view name, std::string_view value) {
  Segment s;
  s.bytes = "--" + m_boundary + "\r\nContent-Disposition: form-data; name=" + quoted(name) + "\r\n\r\n" +
            std::string(value) + "\r\n";
  m_segments.push_back(std::move(s));
}

void MultipartBody::add_file(std::string_view name, std::string_view filename, std::string_view content_type,
                             std::uint64_t size, Opener open) {
  Segment head;
  head.bytes = "--" + m_boundary + "\r\nContent-Disposition: form-data; name=" + quoted(name) +
               "; filename=" + quoted(filename) + "\r\nContent-Type: " + std::string(content_type) + "\r\n\r\n";
  m_segments.push_back(std::move(head));
  Segment body;
  body.open = std::move(open);
  body.size = size;
  m_segments.push_back(std::move(body));
  Segment tail;
  tail.bytes = "\r\n";
  m_segments.push_back(std::move(tail));
}

std::uint64_t MultipartBody::size() const {
  std::uint64_t total = 0;
  for (const auto& s : m_segments) total += s.open ? s.size : s.bytes.size();
  return total + m_boundary.size() + 6;  // "--" boundary "--\r\n"
}

std::unique_ptr<ByteSource> MultipartBody::open() const {
  return std::make_unique<MultipartSource>(m_segments, "--" + m_boundary + "--\r\n");
}

}  // namespace airlock
