#include "cli/terminal_progress.hpp"

#include <cstdio>
#include <ostream>

namespace airlock::cli {

std::string human_bytes(std::uint64_t bytes) {
  static constexpr const char* k_units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, k_units[unit]);
  return text;
}

TerminalProgress::~TerminalProgress() { end(); }

void TerminalProgress::begin(std::string_view task, std::uint64_t total) {
  end();
  m_task = task;
  m_total = total;
  m_done = 0;
  m_active = true;
  m_start = std::chrono::steady_clock::now();
  m_last_draw = {};
  draw(true);
}

void TerminalProgress::advance(std::uint64_t amount) {
  m_done += amount;
  draw(false);
}

void TerminalProgress::end() {
  if (!m_active) return;
  m_active = false;
  m_err << "\r\033[K" << std::flush;  // erase the bar's line
}

void TerminalProgress::draw(bool force) {
  if (!m_active) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - m_last_draw < std::chrono::milliseconds(100)) return;
  m_last_draw = now;
  const double seconds = std::chrono::duration<double>(now - m_start).count();
  const double rate = seconds > 0 ? static_cast<double>(m_done) / seconds : 0;
  std::string line = m_task + " ";
  if (m_total > 0) {
    constexpr int k_width = 30;
    const double fraction = std::min(1.0, static_cast<double>(m_done) / static_cast<double>(m_total));
    const int filled = static_cast<int>(fraction * k_width);
    line += '[';
    line.append(static_cast<std::size_t>(filled), '#');
    line.append(static_cast<std::size_t>(k_width - filled), '.');
    line += "] ";
    char percent[16];
    std::snprintf(percent, sizeof percent, "%3.0f%% ", fraction * 100);
    line += percent;
    line += human_bytes(m_done) + " / " + human_bytes(m_total);
  } else {
    line += human_bytes(m_done);
  }
  line += "  " + human_bytes(static_cast<std::uint64_t>(rate)) + "/s";
  m_err << "\r\033[K" << line << std::flush;
}

}  // namespace airlock::cli
