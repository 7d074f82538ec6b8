#pragma once
// Small text helpers shared by layers: percent-encoding (URLs, PURLs) and
// UTC timestamps.

#include <string>
#include <string_view>

namespace airlock {

// Percent-encodes every byte except ASCII letters, digits and the characters
// in KEEP ("%2F" style, upper-case hex).
std::string percent_encode(std::string_view text, std::string_view keep);

// The current time as RFC 3339 in UTC ("2026-12-04T18:00:00Z").
std::string utc_now_rfc3339();

}  // namespace airlock
