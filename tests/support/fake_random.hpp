#pragma once
// Test helper: a deterministic RandomSource (a counter through SHA-256), so a
// test can make the same key twice.

#include <cstring>

#include "base/random.hpp"
#include "crypto/sha256.hpp"

namespace airlock::testing {

class FakeRandom final : public RandomSource {
 public:
  explicit FakeRandom(std::uint64_t seed = 1) : m_counter(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    std::size_t at = 0;
    while (at < out.size()) {
      std::uint8_t counter[8];
      std::memcpy(counter, &m_counter, sizeof counter);
      ++m_counter;
      const auto block = sha256(std::span<const std::uint8_t>(counter, sizeof counter));
      const std::size_t n = std::min(block.bytes.size(), out.size() - at);
      std::memcpy(out.data() + at, block.bytes.data(), n);
      at += n;
    }
  }

 private:
  std::uint64_t m_counter;
};

}  // namespace airlock::testing
