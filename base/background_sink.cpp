#include "base/background_sink.hpp"

#include <algorithm>

namespace airlock {

BackgroundSink::BackgroundSink(ByteSink& inner, std::size_t chunk, std::size_t queued)
    : m_inner(inner), m_chunk(std::max<std::size_t>(chunk, 1)), m_queued(std::max<std::size_t>(queued, 1)) {
  m_filling.reserve(m_chunk);
  m_thread = std::thread([this] { run(); });
}

BackgroundSink::~BackgroundSink() {
  if (!m_finished) static_cast<void>(finish());
}

void BackgroundSink::run() {
  for (;;) {
    std::vector<std::uint8_t> chunk;
    bool last = false;
    bool failed = false;
    {
      std::unique_lock lock(m_mutex);
      m_changed.wait(lock, [&] { return !m_full.empty() || m_last; });
      if (m_full.empty()) return;  // the end, and everything taken
      chunk = std::move(m_full.front());
      m_full.pop_front();
      last = m_last && m_full.empty();
      failed = !m_status.ok();
    }
    // After a failure the rest is dropped: the writer is told on its next write.
    Status written = failed ? Status() : m_inner.write(chunk);
    chunk.clear();
    {
      std::lock_guard lock(m_mutex);
      if (!written.ok() && m_status.ok()) m_status = std::move(written);
      m_spare.push_back(std::move(chunk));
    }
    m_changed.notify_all();
    if (last) return;
  }
}

void BackgroundSink::hand_over(bool last) {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [&] { return m_full.size() < m_queued; });
  if (!m_filling.empty()) m_full.push_back(std::move(m_filling));
  if (last) m_last = true;
  if (!m_spare.empty()) {
    m_filling = std::move(m_spare.back());
    m_spare.pop_back();
  } else {
    m_filling = {};
    m_filling.reserve(m_chunk);
  }
  lock.unlock();
  m_changed.notify_all();
}

Status BackgroundSink::write(std::span<const std::uint8_t> data) {
  while (!data.empty()) {
    const std::size_t n = std::min(data.size(), m_chunk - m_filling.size());
    m_filling.insert(m_filling.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    data = data.subspan(n);
    if (m_filling.size() == m_chunk) {
      hand_over(false);
      std::lock_guard lock(m_mutex);
      if (!m_status.ok()) return m_status;
    }
  }
  return {};
}

Status BackgroundSink::finish() {
  if (m_finished) return m_status;
  m_finished = true;
  hand_over(true);
  m_thread.join();
  return m_status;
}

}  // namespace airlock
