#include "crypto/sodium_init.hpp"

#include <sodium.h>

#include <cstdlib>

namespace airlock {

void ensure_sodium() {
  static const bool ready = [] {
    // sodium_init() returns 1 when already initialised, -1 on failure (no
    // entropy source), which leaves no safe way to make keys.
    if (sodium_init() < 0) std::abort();
    return true;
  }();
  static_cast<void>(ready);
}

}  // namespace airlock
