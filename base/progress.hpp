#pragma once
// Progress: how long-running work reports how far it is. The core calls it;
// the CLI draws a bar on a terminal, a server logs, tests count.

#include <cstdint>
#include <string_view>

#include "base/byte_stream.hpp"

namespace airlock {

class Progress {
 public:
  virtual ~Progress() = default;
  // Starts a task; TOTAL is in bytes or items, 0 when unknown.
  virtual void begin(std::string_view task, std::uint64_t total) = 0;
  virtual void advance(std::uint64_t amount) = 0;
  virtual void end() = 0;
};

class NullProgress final : public Progress {
 public:
  void begin(std::string_view, std::uint64_t) override {}
  void advance(std::uint64_t) override {}
  void end() override {}
};

// Reports the bytes read through it to a Progress.
class ProgressSource final : public ByteSource {
 public:
  ProgressSource(ByteSource& inner, Progress& progress) : m_inner(inner), m_progress(progress) {}
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, m_inner.read(buffer));
    m_progress.advance(n);
    return n;
  }

 private:
  ByteSource& m_inner;
  Progress& m_progress;
};


}  // namespace airlock
