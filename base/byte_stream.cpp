#include "base/byte_stream.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace airlock {

Result<std::size_t> read_fully(ByteSource& source, std::span<std::uint8_t> buffer) {
  std::size_t filled = 0;
  while (filled < buffer.size()) {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, source.read(buffer.subspan(filled)));
    if (n == 0) break;
    filled += n;
  }
  return filled;
}

Result<std::uint64_t> copy_stream(ByteSource& source, ByteSink& sink) {
  std::vector<std::uint8_t> buffer(1 << 20);
  std::uint64_t total = 0;
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, source.read(buffer));
    if (n == 0) return total;
    AIRLOCK_TRY(sink.write(std::span(buffer).first(n)));
    total += n;
  }
}

Result<std::size_t> LimitedSource::read(std::span<std::uint8_t> buffer) {
  if (m_remaining == 0) {
    std::uint8_t probe = 0;
    AIRLOCK_TRY_ASSIGN(const std::size_t extra, m_inner.read(std::span(&probe, 1)));
    if (extra != 0) {
      return Error(ErrorCode::verification, m_name + " is longer than its declared size");
    }
    return std::size_t{0};
  }
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), m_remaining));
  AIRLOCK_TRY_ASSIGN(const std::size_t n, m_inner.read(buffer.first(want)));
  m_remaining -= n;
  return n;
}

SinkStreambuf::SinkStreambuf(ByteSink& sink) : m_sink(sink), m_buffer(64 * 1024) {
  setp(m_buffer.data(), m_buffer.data() + m_buffer.size());
}

SinkStreambuf::~SinkStreambuf() { flush_buffer(); }

bool SinkStreambuf::flush_buffer() {
  const std::size_t n = static_cast<std::size_t>(pptr() - pbase());
  if (n > 0 && m_status.ok()) {
    Status written = m_sink.write(std::span(reinterpret_cast<const std::uint8_t*>(pbase()), n));
    if (!written.ok()) m_status = written;
  }
  setp(m_buffer.data(), m_buffer.data() + m_buffer.size());
  return m_status.ok();
}

SinkStreambuf::int_type SinkStreambuf::overflow(int_type ch) {
  if (!flush_buffer()) return traits_type::eof();
  if (!traits_type::eq_int_type(ch, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
  }
  return traits_type::not_eof(ch);
}

int SinkStreambuf::sync() { return flush_buffer() ? 0 : -1; }

Result<std::size_t> MemorySource::read(std::span<std::uint8_t> buffer) {
  const std::size_t n = std::min(buffer.size(), m_data.size() - m_offset);
  if (n > 0) std::memcpy(buffer.data(), m_data.data() + m_offset, n);
  m_offset += n;
  return n;
}

Status StringSink::write(std::span<const std::uint8_t> data) {
  m_data.append(reinterpret_cast<const char*>(data.data()), data.size());
  return {};
}

}  // namespace airlock
