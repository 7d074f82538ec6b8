#pragma once
// Key files: airlock.key (secret, mode 0600) and airlock.pub (public), one
// text line each. The format is specified in docs/keys.md.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/keys.hpp"

namespace airlock {

inline constexpr std::string_view k_secret_key_file = "airlock.key";
inline constexpr std::string_view k_public_key_file = "airlock.pub";

std::string format_public_key(const PublicKey& key);
std::string format_secret_key(const SecretKey& key);
// NAME is used in error messages (usually the file path).
Result<PublicKey> parse_public_key(std::string_view text, std::string_view name);
Result<SecretKey> parse_secret_key(std::string_view text, std::string_view name);

// Refuses a secret key file that group or others may read, as ssh does.
Result<SecretKey> read_secret_key_file(const std::filesystem::path& path);
Result<PublicKey> read_public_key_file(const std::filesystem::path& path);

// What a key file holds, for `airlock key show`: either kind of file.
struct KeyFileInfo {
  bool is_secret = false;
  PublicKey public_key;
};
Result<KeyFileInfo> read_any_key_file(const std::filesystem::path& path);

enum class Overwrite { no, yes };

// Writes DIR/airlock.key and DIR/airlock.pub, creating DIR (mode 0700) when
// missing. Refuses to replace existing files unless OVERWRITE is yes.
Status write_key_pair(const std::filesystem::path& dir, const KeyPair& pair, Overwrite overwrite);

}  // namespace airlock
