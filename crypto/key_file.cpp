#include "crypto/key_file.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "base/file.hpp"
#include "crypto/base64.hpp"
#include "crypto/sodium_init.hpp"

namespace airlock {

namespace {

constexpr std::string_view k_public_tag = "airlock-pub-v1";
constexpr std::string_view k_secret_tag = "airlock-key-v1";
constexpr std::string_view k_algorithm = "ed25519";
// A key file is one short line plus comments; anything bigger is not a key file.
constexpr std::size_t k_max_key_file_bytes = 64 * 1024;

std::optional<std::vector<std::uint8_t>> decode_key(std::string_view text, std::size_t want) {
  auto bytes = from_base64(text);
  if (!bytes || bytes->size() != want) return std::nullopt;
  return bytes;
}

// Finds the single key line: "TAG ed25519 BASE64". Blank lines and lines
// starting with '#' are comments.
Result<std::string_view> key_payload(std::string_view text, std::string_view tag,
                                     std::string_view name) {
  std::optional<std::string_view> payload;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t first = line.find(' ');
    const std::size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second == std::string_view::npos || line.substr(0, first) != tag ||
        line.substr(first + 1, second - first - 1) != k_algorithm || payload) {
      std::string want = payload ? "exactly one key line" : "a line '" + std::string(tag) + " ed25519 <base64>'";
      std::string_view other = tag == k_public_tag ? k_secret_tag : k_public_tag;
      if (line.starts_with(other)) {
        want = tag == k_public_tag ? "a public key, found a secret key" : "a secret key, found a public key";
      }
      return Error(ErrorCode::invalid_input,
                   std::string(name) + " is not an airlock key file (expected " + want + ")");
    }
    payload = line.substr(second + 1);
  }
  if (!payload) {
    return Error(ErrorCode::invalid_input, std::string(name) + " holds no key");
  }
  return *payload;
}

}  // namespace

std::string format_public_key(const PublicKey& key) {
  return std::string(k_public_tag) + " " + std::string(k_algorithm) + " " + to_base64(key.bytes) +
         "\n";
}

std::string format_secret_key(const SecretKey& key) {
  return "# airlock secret signing key " + key.public_key().key_id() + ": keep it private\n" +
         std::string(k_secret_tag) + " " + std::string(k_algorithm) + " " +
         to_base64(key.bytes()) + "\n";
}

Result<PublicKey> parse_public_key(std::string_view text, std::string_view name) {
  AIRLOCK_TRY_ASSIGN(const std::string_view payload, key_payload(text, k_public_tag, name));
  auto bytes = decode_key(payload, 32);
  if (!bytes) {
    return Error(ErrorCode::invalid_input,
                 std::string(name) + ": the public key is not 32 bytes of base64");
  }
  PublicKey key;
  std::copy(bytes->begin(), bytes->end(), key.bytes.begin());
  return key;
}

Result<SecretKey> parse_secret_key(std::string_view text, std::string_view name) {
  AIRLOCK_TRY_ASSIGN(const std::string_view payload, key_payload(text, k_secret_tag, name));
  auto bytes = decode_key(payload, 64);
  if (!bytes) {
    return Error(ErrorCode::invalid_input,
                 std::string(name) + ": the secret key is not 64 bytes of base64");
  }
  SecretKey key{std::span<const std::uint8_t, 64>(bytes->data(), 64)};
  sodium_memzero(bytes->data(), bytes->size());
  // The second half is the public key; a file whose halves disagree was
  // damaged or edited, and would sign with a key nobody trusts.
  std::array<std::uint8_t, 32> seed{};
  std::copy_n(key.bytes().begin(), 32, seed.begin());
  const KeyPair derived = key_pair_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  if (!(derived.public_key == key.public_key())) {
    return Error(ErrorCode::invalid_input,
                 std::string(name) + ": the secret key is damaged (its two halves do not match)");
  }
  return key;
}

Result<SecretKey> read_secret_key_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error::from_errno("cannot read key", path.string());
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error(ErrorCode::permission,
                 "secret key " + path.string() + " is accessible by group or others (mode " + mode +
                     "); run 'chmod 600 " + path.string() + "' and try again");
  }
  AIRLOCK_TRY_ASSIGN(std::string text, read_small_file(path, k_max_key_file_bytes));
  auto key = parse_secret_key(text, path.string());
  sodium_memzero(text.data(), text.size());
  return key;
}

Result<PublicKey> read_public_key_file(const std::filesystem::path& path) {
  AIRLOCK_TRY_ASSIGN(const std::string text, read_small_file(path, k_max_key_file_bytes));
  return parse_public_key(text, path.string());
}

Result<KeyFileInfo> read_any_key_file(const std::filesystem::path& path) {
  AIRLOCK_TRY_ASSIGN(std::string text, read_small_file(path, k_max_key_file_bytes));
  const bool secret = text.find(k_secret_tag) != std::string::npos;
  sodium_memzero(text.data(), text.size());
  KeyFileInfo info;
  info.is_secret = secret;
  if (secret) {
    AIRLOCK_TRY_ASSIGN(const SecretKey key, read_secret_key_file(path));
    info.public_key = key.public_key();
  } else {
    AIRLOCK_TRY_ASSIGN(info.public_key, read_public_key_file(path));
  }
  return info;
}

Status write_key_pair(const std::filesystem::path& dir, const KeyPair& pair, Overwrite overwrite) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Error(ErrorCode::io, "cannot create " + dir.string() + ": " + ec.message());
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  } else if (!std::filesystem::is_directory(dir, ec)) {
    return Error(ErrorCode::usage, dir.string() + " exists and is not a directory");
  }
  const auto secret_path = dir / k_secret_key_file;
  const auto public_path = dir / k_public_key_file;
  if (overwrite == Overwrite::no) {
    for (const auto& path : {secret_path, public_path}) {
      if (std::filesystem::exists(path, ec)) {
        return Error(ErrorCode::conflict, path.string() +
                                              " already exists; pass --force to replace it "
                                              "(the old key is then lost for good)");
      }
    }
  }
  std::string secret_text = format_secret_key(pair.secret);
  Status written = write_file_atomically(secret_path, secret_text, 0600);
  sodium_memzero(secret_text.data(), secret_text.size());
  AIRLOCK_TRY(written);
  return write_file_atomically(public_path, format_public_key(pair.public_key), 0644);
}

}  // namespace airlock
