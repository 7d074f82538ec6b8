#include "crypto/system_random.hpp"

#include <sodium.h>

#include "crypto/sodium_init.hpp"

namespace airlock {

void SystemRandom::fill(std::span<std::uint8_t> out) {
  ensure_sodium();
  randombytes_buf(out.data(), out.size());
}

}  // namespace airlock
