#pragma once
// SystemRandom: the RandomSource for production, the kernel's CSPRNG through
// libsodium's randombytes.

#include "base/random.hpp"

namespace airlock {

class SystemRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

}  // namespace airlock
