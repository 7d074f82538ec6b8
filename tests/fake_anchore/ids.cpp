#include "tests/fake_anchore/ids.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include "crypto/sha256.hpp"

namespace airlock::fake_anchore {

std::string new_uuid() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<unsigned> nibble(0, 15);
  static constexpr char digits[] = "0123456789abcdef";
  std::string id = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  for (auto& c : id) {
    if (c == 'x') c = digits[nibble(generator)];
    if (c == 'y') c = digits[8 + nibble(generator) % 4];  // the RFC 4122 variant bits
  }
  return id;
}

std::string now_rfc3339(std::chrono::seconds offset) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string sha256_hex(const std::string& bytes) { return airlock::sha256(std::string_view(bytes)).hex(); }

}  // namespace airlock::fake_anchore
