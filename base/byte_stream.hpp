#pragma once
// ByteSource and ByteSink: the streaming interfaces every layer reads and
// writes through, so that layers, bundles and uploads are never held whole in
// memory and tests can substitute memory-backed streams.

#include <cstdint>
#include <span>
#include <streambuf>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace airlock {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to buffer.size() bytes; 0 means the end of the stream.
  virtual Result<std::size_t> read(std::span<std::uint8_t> buffer) = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Writes all of DATA or fails.
  virtual Status write(std::span<const std::uint8_t> data) = 0;
};

// Reads until BUFFER is full or the stream ends; returns the count read.
Result<std::size_t> read_fully(ByteSource& source, std::span<std::uint8_t> buffer);

// Copies SOURCE to SINK in chunks; returns the number of bytes copied.
Result<std::uint64_t> copy_stream(ByteSource& source, ByteSink& sink);

// Passes through at most LIMIT bytes of INNER and fails as soon as INNER
// offers more: a server or file cannot make a reader consume more than the
// size it declared.
class LimitedSource final : public ByteSource {
 public:
  LimitedSource(ByteSource& inner, std::uint64_t limit, std::string name)
      : m_inner(inner), m_remaining(limit), m_name(std::move(name)) {}
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override;

 private:
  ByteSource& m_inner;
  std::uint64_t m_remaining;
  std::string m_name;
};

// A source over bytes the caller keeps alive.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::span<const std::uint8_t> data) : m_data(data) {}
  explicit MemorySource(std::string_view data)
      : m_data(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()) {}
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override;

 private:
  std::span<const std::uint8_t> m_data;
  std::size_t m_offset = 0;
};

// A sink that appends to a string (for small outputs and tests).
class StringSink final : public ByteSink {
 public:
  Status write(std::span<const std::uint8_t> data) override;
  const std::string& data() const { return m_data; }
  std::string& data() { return m_data; }

 private:
  std::string m_data;
};

// A std::streambuf that writes through to a ByteSink in 64 KiB blocks, so
// code that writes to std::ostream can stream into files and uploads. The
// first write error is kept; check status() after flushing.
class SinkStreambuf final : public std::streambuf {
 public:
  explicit SinkStreambuf(ByteSink& sink);
  ~SinkStreambuf() override;
  Status status() const { return m_status; }

 protected:
  int_type overflow(int_type ch) override;
  int sync() override;

 private:
  bool flush_buffer();
  ByteSink& m_sink;
  std::vector<char> m_buffer;
  Status m_status;
};

inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace airlock
