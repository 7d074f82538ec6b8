#pragma once
// TerminalProgress: a one-line progress bar redrawn on stderr, at most ten
// times a second, erased when the task ends.

#include <chrono>
#include <iosfwd>
#include <string>

#include "base/progress.hpp"

namespace airlock::cli {

class TerminalProgress final : public Progress {
 public:
  explicit TerminalProgress(std::ostream& err) : m_err(err) {}
  ~TerminalProgress() override;
  void begin(std::string_view task, std::uint64_t total) override;
  void advance(std::uint64_t amount) override;
  void end() override;

 private:
  void draw(bool force);

  std::ostream& m_err;
  std::string m_task;
  std::uint64_t m_total = 0;
  std::uint64_t m_done = 0;
  bool m_active = false;
  std::chrono::steady_clock::time_point m_start;
  std::chrono::steady_clock::time_point m_last_draw;
};

// "1.5 MiB" style sizes for people.
std::string human_bytes(std::uint64_t bytes);

}  // namespace airlock::cli
