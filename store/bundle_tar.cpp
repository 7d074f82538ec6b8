#include "store/bundle_tar.hpp"

#include <cstring>
#include <vector>

namespace airlock {

namespace {

constexpr std::size_t k_block = 512;
constexpr std::size_t k_record = 10240;

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > k_max_member_name || name.front() == '/' || name.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '/' || c == '-')) return false;
  }
  return true;
}

Error damaged(const std::string& name, std::uint64_t offset, std::string_view what) {
  return Error(ErrorCode::verification, name + ": " + std::string(what) + " at byte " + std::to_string(offset) +
                                            " (the bundle was altered or damaged)");
}

}  // namespace

std::string canonical_tar_header(std::string_view name, std::uint64_t size) {
  std::string h(k_block, '\0');
  std::memcpy(h.data(), name.data(), name.size());
  std::memcpy(h.data() + 100, "0000644", 7);
  std::memcpy(h.data() + 108, "0000000", 7);
  std::memcpy(h.data() + 116, "0000000", 7);
  std::snprintf(h.data() + 124, 12, "%011llo", static_cast<unsigned long long>(size));
  std::memcpy(h.data() + 136, "00000000000", 11);
  h[156] = '0';
  std::memcpy(h.data() + 257, "ustar", 6);  // "ustar\0"
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 7, "%06o", sum);
  h[155] = ' ';
  return h;
}

Status CanonicalTarWriter::add(std::string_view name, std::uint64_t size, ByteSource& content) {
  if (!valid_name(name)) return Error(ErrorCode::internal, "bundle member name not allowed: " + std::string(name));
  if (size >= (1ull << 33)) return Error(ErrorCode::invalid_input, "bundle member " + std::string(name) + " is 8 GiB or more");
  const std::string header = canonical_tar_header(name, size);
  AIRLOCK_TRY(m_sink.write(as_bytes(header)));
  std::vector<std::uint8_t> chunk(256 * 1024);
  std::uint64_t copied = 0;
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, content.read(chunk));
    if (n == 0) break;
    copied += n;
    if (copied > size) break;
    AIRLOCK_TRY(m_sink.write(std::span(chunk.data(), n)));
  }
  if (copied != size) return Error(ErrorCode::io, "bundle member " + std::string(name) + " changed size while being written");
  const std::string padding((k_block - size % k_block) % k_block, '\0');
  AIRLOCK_TRY(m_sink.write(as_bytes(padding)));
  m_written += k_block + size + padding.size();
  return {};
}

Status CanonicalTarWriter::finish() {
  std::uint64_t end = m_written + 2 * k_block;
  end = (end + k_record - 1) / k_record * k_record;
  const std::string zeros(end - m_written, '\0');
  AIRLOCK_TRY(m_sink.write(as_bytes(zeros)));
  m_written = end;
  return {};
}

Result<std::size_t> CanonicalTarReader::Content::read(std::span<std::uint8_t> buffer) {
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), m_reader.m_remaining));
  if (want == 0) return std::size_t{0};
  AIRLOCK_TRY_ASSIGN(const std::size_t n, m_reader.m_source.read(buffer.first(want)));
  if (n == 0) return damaged(m_reader.m_name, m_reader.m_offset, "the bundle ends inside a member (truncated)");
  m_reader.m_remaining -= n;
  m_reader.m_offset += n;
  return n;
}

Status CanonicalTarReader::skip_rest_of_member() {
  std::vector<std::uint8_t> chunk(64 * 1024);
  while (m_remaining > 0) AIRLOCK_TRY(m_content.read(chunk));
  std::vector<std::uint8_t> padding(m_padding);
  AIRLOCK_TRY_ASSIGN(const std::size_t n, read_fully(m_source, padding));
  if (n != padding.size()) return damaged(m_name, m_offset, "the bundle ends inside padding (truncated)");
  for (std::uint8_t b : padding) {
    if (b != 0) return damaged(m_name, m_offset, "non-zero padding");
  }
  m_offset += padding.size();
  m_padding = 0;
  return {};
}

Result<std::optional<CanonicalTarReader::Member>> CanonicalTarReader::next() {
  if (m_done) return std::optional<Member>();
  AIRLOCK_TRY(skip_rest_of_member());
  std::string header(k_block, '\0');
  AIRLOCK_TRY_ASSIGN(const std::size_t n, read_fully(m_source, std::span(reinterpret_cast<std::uint8_t*>(header.data()), header.size())));
  if (n != k_block) return damaged(m_name, m_offset, n == 0 ? "the bundle ends without its end blocks (truncated)" : "a short header (truncated)");
  const std::uint64_t header_offset = m_offset;
  m_offset += k_block;
  if (header.find_first_not_of('\0') == std::string::npos) {
    // The end: a second zero block, then zeros to the end of the stream.
    std::vector<std::uint8_t> rest(64 * 1024);
    std::uint64_t total = m_offset;
    bool second = false;
    for (;;) {
      AIRLOCK_TRY_ASSIGN(const std::size_t got, m_source.read(rest));
      if (got == 0) break;
      for (std::size_t i = 0; i < got; ++i) {
        if (rest[i] != 0) return damaged(m_name, total + i, "data after the end of the bundle");
      }
      total += got;
      second = total >= header_offset + 2 * k_block;
    }
    if (!second) return damaged(m_name, total, "a missing end block (truncated)");
    if (total % k_record != 0) return damaged(m_name, total, "the bundle does not end on a 10 KiB record (truncated or extended)");
    m_done = true;
    return std::optional<Member>();
  }
  const std::string name(header.c_str(), strnlen(header.c_str(), 100));
  char size_field[13] = {};
  std::memcpy(size_field, header.data() + 124, 11);
  char* end = nullptr;
  const unsigned long long size = std::strtoull(size_field, &end, 8);
  if (!valid_name(name) || end != size_field + 11) return damaged(m_name, header_offset, "a member header that is not one airlock writes");
  if (header != canonical_tar_header(name, size)) return damaged(m_name, header_offset, "a member header that is not canonical");
  m_remaining = size;
  m_padding = (k_block - size % k_block) % k_block;
  return std::optional<Member>(Member{name, size});
}

}  // namespace airlock
