#pragma once
// Standard base64 (RFC 4648 §4, with padding), strict on input.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

std::string to_base64(std::span<const std::uint8_t> bytes);
std::string to_base64(std::string_view text);
// nullopt unless TEXT is valid base64 in full.
std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text);

}  // namespace airlock
