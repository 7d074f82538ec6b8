#pragma once
// BackgroundSink: a ByteSink that hands what is written to an inner sink on a
// thread of its own, so producing bytes (an SBOM being generated) and taking
// them in (hashing and compressing them into a blob) run on two cores at once.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "base/byte_stream.hpp"

namespace airlock {

class BackgroundSink final : public ByteSink {
 public:
  // At most QUEUED chunks of CHUNK bytes wait for INNER: memory stays bounded
  // however much is written, and a slow INNER slows the writer down.
  explicit BackgroundSink(ByteSink& inner, std::size_t chunk = 256 * 1024, std::size_t queued = 4);
  // Finishes if finish() was not called (its error is then lost).
  ~BackgroundSink() override;
  BackgroundSink(const BackgroundSink&) = delete;
  BackgroundSink& operator=(const BackgroundSink&) = delete;

  // Copies DATA; fails with INNER's error once INNER has failed.
  Status write(std::span<const std::uint8_t> data) override;
  // Waits until INNER has taken everything written; returns INNER's first
  // error. Nothing may be written afterwards.
  Status finish();

 private:
  void hand_over(bool last);
  void run();

  ByteSink& m_inner;
  const std::size_t m_chunk;
  const std::size_t m_queued;
  std::vector<std::uint8_t> m_filling;  // the chunk being written, on the writer's side

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<std::vector<std::uint8_t>> m_full;  // waiting for INNER, oldest first
  std::vector<std::vector<std::uint8_t>> m_spare;  // emptied chunks, reused
  bool m_last = false;
  Status m_status;  // INNER's first error
  bool m_finished = false;
  std::thread m_thread;
};

}  // namespace airlock
