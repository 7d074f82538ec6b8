#include "crypto/sealed_stream.hpp"

#include <gtest/gtest.h>

#include "crypto/system_random.hpp"
#include "tests/support/fake_random.hpp"
#include "tests/support/matchers.hpp"

namespace airlock {
namespace {

using airlock::testing::FakeRandom;

std::string pattern(std::size_t size) {
  std::string data(size, '\0');
  std::uint32_t x = 2463534242u;
  for (auto& c : data) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return data;
}

class SealedStreamTest : public ::testing::Test {
 protected:
  std::string encrypt(const std::string& plain, std::vector<PublicKey> recipients,
                      std::size_t chunk = k_default_seal_chunk) {
    MemorySource source(plain);
    StringSink sink;
    EXPECT_TRUE(encrypt_stream(source, sink, recipients, m_random, chunk).ok());
    return sink.data();
  }
  Result<std::string> decrypt(const std::string& cipher, const SecretKey& key) {
    MemorySource source(cipher);
    StringSink sink;
    AIRLOCK_TRY(decrypt_stream(source, sink, key));
    return sink.data();
  }

  FakeRandom m_random{7};
  KeyPair m_alice = generate_key_pair(m_random);
  KeyPair m_bob = generate_key_pair(m_random);
  KeyPair m_eve = generate_key_pair(m_random);
};

TEST_F(SealedStreamTest, RoundTripsMultiMegabyteStreams) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{65536}, std::size_t{65537},
                           std::size_t{5 * 1024 * 1024 + 123}, std::size_t{3 * 65536}}) {
    const std::string plain = pattern(size);
    const std::string cipher = encrypt(plain, {m_alice.public_key});
    EXPECT_GT(cipher.size(), plain.size());
    auto back = decrypt(cipher, m_alice.secret);
    ASSERT_OK(back);
    EXPECT_TRUE(*back == plain) << "size " << size;
  }
}

TEST_F(SealedStreamTest, EveryRecipientCanDecryptAndNobodyElse) {
  const std::string plain = pattern(200000);
  const std::string cipher = encrypt(plain, {m_alice.public_key, m_bob.public_key});
  EXPECT_EQ(*decrypt(cipher, m_alice.secret), plain);
  EXPECT_EQ(*decrypt(cipher, m_bob.secret), plain);
  const auto refused = decrypt(cipher, m_eve.secret);
  EXPECT_ERROR_CODE(refused, ErrorCode::verification);
  EXPECT_NE(refused.error().message().find(m_eve.public_key.key_id()), std::string::npos);
}

TEST_F(SealedStreamTest, AnyFlippedByteIsRejected) {
  const std::string plain = pattern(3 * 4096 + 100);
  const std::string cipher = encrypt(plain, {m_alice.public_key, m_bob.public_key}, 4096);
  int checked = 0;
  for (std::size_t at = 0; at < cipher.size(); at += (at < 400 ? 1 : 97)) {
    std::string bad = cipher;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    const auto result = decrypt(bad, m_alice.secret);
    // Bob's key slot is not Alice's concern: a flip there changes the
    // associated data and must still fail authentication.
    EXPECT_FALSE(result.ok()) << "flip at " << at << " went unnoticed";
    ++checked;
  }
  EXPECT_GT(checked, 400);
}

TEST_F(SealedStreamTest, TruncationAndAppendedDataAreRejected) {
  const std::string plain = pattern(4 * 4096);  // an exact number of chunks
  const std::string cipher = encrypt(plain, {m_alice.public_key}, 4096);
  for (std::size_t keep = 0; keep < cipher.size(); keep += 211) {
    EXPECT_ERROR_CODE(decrypt(cipher.substr(0, keep), m_alice.secret), ErrorCode::verification);
  }
  EXPECT_ERROR_CODE(decrypt(cipher.substr(0, cipher.size() - 1), m_alice.secret),
                    ErrorCode::verification);
  // Dropping a whole final chunk leaves a valid-looking prefix; it must not pass.
  EXPECT_ERROR_CODE(decrypt(cipher.substr(0, cipher.size() - (4096 + 17)), m_alice.secret),
                    ErrorCode::verification);
  EXPECT_ERROR_CODE(decrypt(cipher + "x", m_alice.secret), ErrorCode::verification);
}

TEST_F(SealedStreamTest, HostileHeadersAreRejectedCleanly) {
  EXPECT_ERROR_CODE(decrypt("", m_alice.secret), ErrorCode::verification);
  EXPECT_ERROR_CODE(decrypt("not encrypted at all", m_alice.secret), ErrorCode::verification);
  std::string cipher = encrypt("hello", {m_alice.public_key});
  std::string huge_chunk = cipher;
  huge_chunk[8] = '\x7f';  // chunk size far over the limit
  EXPECT_ERROR_CODE(decrypt(huge_chunk, m_alice.secret), ErrorCode::verification);
  std::string no_recipients = cipher;
  no_recipients[12] = 0;
  no_recipients[13] = 0;
  EXPECT_ERROR_CODE(decrypt(no_recipients, m_alice.secret), ErrorCode::verification);
  std::string many_recipients = cipher;
  many_recipients[12] = '\x01';  // claims 256+ entries the stream does not have
  EXPECT_FALSE(decrypt(many_recipients, m_alice.secret).ok());
}

TEST_F(SealedStreamTest, RecipientListLimits) {
  MemorySource source(std::string_view("x"));
  StringSink sink;
  EXPECT_ERROR_CODE(encrypt_stream(source, sink, {}, m_random), ErrorCode::usage);
}

TEST_F(SealedStreamTest, RealRandomnessGivesDifferentCiphertexts) {
  SystemRandom random;
  MemorySource a_source(std::string_view("same")), b_source(std::string_view("same"));
  StringSink a, b;
  const std::vector<PublicKey> to = {m_alice.public_key};
  ASSERT_OK(encrypt_stream(a_source, a, to, random));
  ASSERT_OK(encrypt_stream(b_source, b, to, random));
  EXPECT_NE(a.data(), b.data());
  EXPECT_EQ(*decrypt(a.data(), m_alice.secret), "same");
}

}  // namespace
}  // namespace airlock
