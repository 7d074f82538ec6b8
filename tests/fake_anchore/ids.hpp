#pragma once
// Identifiers and timestamps of the resources fake-anchore creates. Ids are
// random (not derived from --seed) so a restarted fake never hands out an id a
// client remembers from an earlier instance.

#include <chrono>
#include <string>

namespace airlock::fake_anchore {

// A random version-4 UUID, lower case.
std::string new_uuid();
// Now (plus OFFSET), UTC, RFC 3339 with seconds ("2024-05-01T12:00:00Z").
std::string now_rfc3339(std::chrono::seconds offset = std::chrono::seconds(0));
// Lower-case hex SHA-256 of BYTES, no prefix.
std::string sha256_hex(const std::string& bytes);

}  // namespace airlock::fake_anchore
