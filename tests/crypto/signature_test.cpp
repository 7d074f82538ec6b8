#include <gtest/gtest.h>

#include "base/hex.hpp"
#include "crypto/keys.hpp"
#include "crypto/system_random.hpp"

namespace airlock {
namespace {

struct Rfc8032Vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 §7.1, tests 1–3.
const Rfc8032Vector k_vectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
     "6bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d"
     "8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6"
     "594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(SignatureTest, Rfc8032Vectors) {
  for (const auto& v : k_vectors) {
    const auto seed = *from_hex(v.secret);
    const KeyPair pair = key_pair_from_seed(std::span<const std::uint8_t, 32>(seed.data(), 32));
    EXPECT_EQ(to_hex(pair.public_key.bytes), v.public_key);
    EXPECT_EQ(pair.secret.public_key(), pair.public_key);
    const auto message = *from_hex(v.message);
    const Signature signature = sign(pair.secret, message);
    EXPECT_EQ(to_hex(signature), v.signature);
    EXPECT_TRUE(verify_signature(pair.public_key, message, signature));
  }
}

TEST(SignatureTest, RejectsChangedMessageSignatureOrKey) {
  SystemRandom random;
  const KeyPair pair = generate_key_pair(random);
  const KeyPair other = generate_key_pair(random);
  const std::string text = "manifest bytes";
  const auto message = std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  Signature signature = sign(pair.secret, message);
  EXPECT_TRUE(verify_signature(pair.public_key, message, signature));
  EXPECT_FALSE(verify_signature(other.public_key, message, signature));
  std::string changed = text;
  changed[0] ^= 1;
  EXPECT_FALSE(verify_signature(pair.public_key, std::span(reinterpret_cast<const std::uint8_t*>(changed.data()), changed.size()), signature));
  for (std::size_t i = 0; i < signature.size(); i += 7) {
    Signature bad = signature;
    bad[i] ^= 0x40;
    EXPECT_FALSE(verify_signature(pair.public_key, message, bad)) << "byte " << i;
  }
}

TEST(SignatureTest, KeyIdIsStableAndDistinct) {
  SystemRandom random;
  const KeyPair a = generate_key_pair(random);
  const KeyPair b = generate_key_pair(random);
  EXPECT_EQ(a.public_key.key_id().size(), 32u);
  EXPECT_EQ(a.public_key.key_id(), a.secret.public_key().key_id());
  EXPECT_NE(a.public_key.key_id(), b.public_key.key_id());
}

}  // namespace
}  // namespace airlock
