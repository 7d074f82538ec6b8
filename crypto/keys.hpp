#pragma once
// Ed25519 key pairs: the producer's identity. A bundle's manifest is signed
// with the secret key; receivers trust the public key. The same key pair,
// converted to X25519, is what bundles are encrypted to (--recipient PUB).

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "base/random.hpp"
#include "base/result.hpp"

namespace airlock {

struct PublicKey {
  std::array<std::uint8_t, 32> bytes{};

  // The key id: the first 16 bytes of SHA-256(public key), as 32 hex digits.
  // Printed by `airlock key show` and written into bundle manifests.
  std::string key_id() const;
  std::array<std::uint8_t, 16> key_id_bytes() const;

  friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

// Ed25519 secret key in libsodium's 64-byte form (seed ‖ public key).
// Wiped from memory when destroyed.
class SecretKey {
 public:
  SecretKey() = default;
  explicit SecretKey(std::span<const std::uint8_t, 64> bytes);
  SecretKey(const SecretKey& other) : SecretKey(std::span<const std::uint8_t, 64>(other.m_bytes)) {}
  SecretKey& operator=(const SecretKey& other);
  ~SecretKey();

  std::span<const std::uint8_t, 64> bytes() const { return m_bytes; }
  PublicKey public_key() const;

 private:
  std::array<std::uint8_t, 64> m_bytes{};
};

struct KeyPair {
  SecretKey secret;
  PublicKey public_key;
};

using Signature = std::array<std::uint8_t, 64>;

KeyPair generate_key_pair(RandomSource& random);
// Derives the key pair from a 32-byte seed (RFC 8032 "secret key").
KeyPair key_pair_from_seed(std::span<const std::uint8_t, 32> seed);

Signature sign(const SecretKey& key, std::span<const std::uint8_t> message);
bool verify_signature(const PublicKey& key, std::span<const std::uint8_t> message,
                      const Signature& signature);

}  // namespace airlock
