#pragma once
// Lower-case hexadecimal encoding of byte strings, and its strict inverse.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

std::string to_hex(std::span<const std::uint8_t> bytes);
// nullopt unless TEXT is an even number of hex digits (either case).
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);

}  // namespace airlock
