#pragma once
// RandomSource: where key material and nonces come from. Production code uses
// the operating system's generator (crypto/system_random.hpp); tests may pass
// a deterministic one to get reproducible keys.

#include <cstdint>
#include <span>

namespace airlock {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

}  // namespace airlock
