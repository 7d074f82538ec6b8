#include "crypto/keys.hpp"

#include <sodium.h>

#include <algorithm>

#include "base/hex.hpp"
#include "crypto/sha256.hpp"
#include "crypto/sodium_init.hpp"

namespace airlock {

std::array<std::uint8_t, 16> PublicKey::key_id_bytes() const {
  const Sha256Digest digest = sha256(std::span<const std::uint8_t>(bytes));
  std::array<std::uint8_t, 16> id{};
  std::copy_n(digest.bytes.begin(), id.size(), id.begin());
  return id;
}

std::string PublicKey::key_id() const { return to_hex(key_id_bytes()); }

SecretKey::SecretKey(std::span<const std::uint8_t, 64> bytes) {
  std::copy(bytes.begin(), bytes.end(), m_bytes.begin());
}

SecretKey& SecretKey::operator=(const SecretKey& other) {
  m_bytes = other.m_bytes;
  return *this;
}

SecretKey::~SecretKey() { sodium_memzero(m_bytes.data(), m_bytes.size()); }

PublicKey SecretKey::public_key() const {
  PublicKey key;
  crypto_sign_ed25519_sk_to_pk(key.bytes.data(), m_bytes.data());
  return key;
}

KeyPair key_pair_from_seed(std::span<const std::uint8_t, 32> seed) {
  ensure_sodium();
  std::array<std::uint8_t, 64> secret{};
  KeyPair pair;
  crypto_sign_seed_keypair(pair.public_key.bytes.data(), secret.data(), seed.data());
  pair.secret = SecretKey(std::span<const std::uint8_t, 64>(secret));
  sodium_memzero(secret.data(), secret.size());
  return pair;
}

KeyPair generate_key_pair(RandomSource& random) {
  std::array<std::uint8_t, 32> seed{};
  random.fill(seed);
  KeyPair pair = key_pair_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  return pair;
}

Signature sign(const SecretKey& key, std::span<const std::uint8_t> message) {
  ensure_sodium();
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       key.bytes().data());
  return signature;
}

bool verify_signature(const PublicKey& key, std::span<const std::uint8_t> message,
                      const Signature& signature) {
  ensure_sodium();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     key.bytes.data()) == 0;
}

}  // namespace airlock
