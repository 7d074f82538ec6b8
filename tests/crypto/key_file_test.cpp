#include "crypto/key_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/file.hpp"
#include "tests/support/fake_random.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using airlock::testing::FakeRandom;
using airlock::testing::TempDir;

TEST(KeyFileTest, WritesReadableKeyPairWithSafeModes) {
  TempDir dir;
  FakeRandom random;
  const KeyPair pair = generate_key_pair(random);
  ASSERT_OK(write_key_pair(dir / "keys", pair, Overwrite::no));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "keys/airlock.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir / "keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto secret = read_secret_key_file(dir / "keys/airlock.key");
  ASSERT_OK(secret);
  EXPECT_EQ(secret->public_key(), pair.public_key);
  auto pub = read_public_key_file(dir / "keys/airlock.pub");
  ASSERT_OK(pub);
  EXPECT_EQ(*pub, pair.public_key);
  auto any = read_any_key_file(dir / "keys/airlock.key");
  ASSERT_OK(any);
  EXPECT_TRUE(any->is_secret);
  EXPECT_FALSE(read_any_key_file(dir / "keys/airlock.pub")->is_secret);
}

TEST(KeyFileTest, RefusesToOverwriteUnlessForced) {
  TempDir dir;
  FakeRandom random;
  const KeyPair first = generate_key_pair(random);
  const KeyPair second = generate_key_pair(random);
  ASSERT_OK(write_key_pair(dir.path(), first, Overwrite::no));
  EXPECT_ERROR_CODE(write_key_pair(dir.path(), second, Overwrite::no), ErrorCode::conflict);
  EXPECT_EQ(*read_public_key_file(dir / "airlock.pub"), first.public_key);
  ASSERT_OK(write_key_pair(dir.path(), second, Overwrite::yes));
  EXPECT_EQ(*read_public_key_file(dir / "airlock.pub"), second.public_key);
}

TEST(KeyFileTest, RefusesSecretKeyReadableByOthers) {
  TempDir dir;
  FakeRandom random;
  ASSERT_OK(write_key_pair(dir.path(), generate_key_pair(random), Overwrite::no));
  for (unsigned mode : {0640u, 0604u, 0644u, 0660u}) {
    ASSERT_EQ(::chmod((dir / "airlock.key").c_str(), mode), 0);
    const auto result = read_secret_key_file(dir / "airlock.key");
    EXPECT_ERROR_CODE(result, ErrorCode::permission);
    EXPECT_NE(result.error().message().find("chmod 600"), std::string::npos);
  }
  ASSERT_EQ(::chmod((dir / "airlock.key").c_str(), 0400), 0);
  ASSERT_OK(read_secret_key_file(dir / "airlock.key"));
}

TEST(KeyFileTest, MalformedFilesAreRejectedWithTheirName) {
  FakeRandom random;
  const KeyPair pair = generate_key_pair(random);
  const std::string good_pub = format_public_key(pair.public_key);
  const std::string good_secret = format_secret_key(pair.secret);
  ASSERT_OK(parse_public_key(good_pub, "p"));
  ASSERT_OK(parse_secret_key(good_secret, "s"));
  ASSERT_OK(parse_public_key("# comment\n\n" + good_pub, "p"));

  const std::vector<std::string> bad_public = {
      "",
      "\n\n# only comments\n",
      "garbage",
      "airlock-pub-v1 ed25519",
      "airlock-pub-v1 rsa " + good_pub.substr(23),
      "airlock-pub-v2 " + good_pub.substr(15),
      good_pub.substr(0, good_pub.size() - 6) + "\n",  // truncated base64
      good_pub.substr(0, good_pub.size() - 1) + "AAAA\n",  // too long
      good_pub + good_pub,                                  // two keys
      std::string("airlock-pub-v1 ed25519 ") + std::string(100000, 'A'),
      std::string("airlock-pub-v1 ed25519 \x01\xff\xfe\n"),
      good_secret,  // the wrong kind
  };
  for (const auto& text : bad_public) {
    const auto result = parse_public_key(text, "some.pub");
    EXPECT_ERROR_CODE(result, ErrorCode::invalid_input);
    EXPECT_NE(result.error().message().find("some.pub"), std::string::npos);
  }
  EXPECT_NE(parse_public_key(good_secret, "x").error().message().find("found a secret key"),
            std::string::npos);
  EXPECT_ERROR_CODE(parse_secret_key(good_pub, "some.key"), ErrorCode::invalid_input);

  // A secret key whose public half was changed is damaged.
  SecretKey tampered_source = pair.secret;
  std::array<std::uint8_t, 64> bytes{};
  std::copy(tampered_source.bytes().begin(), tampered_source.bytes().end(), bytes.begin());
  bytes[40] ^= 1;
  const std::string tampered = format_secret_key(SecretKey(std::span<const std::uint8_t, 64>(bytes)));
  const auto result = parse_secret_key(tampered, "k");
  EXPECT_ERROR_CODE(result, ErrorCode::invalid_input);
  EXPECT_NE(result.error().message().find("damaged"), std::string::npos);
}

TEST(KeyFileTest, HugeAndMissingFiles) {
  TempDir dir;
  ASSERT_OK(write_file_atomically(dir / "huge.pub", std::string(10 * 1024 * 1024, 'A')));
  EXPECT_ERROR_CODE(read_public_key_file(dir / "huge.pub"), ErrorCode::invalid_input);
  EXPECT_ERROR_CODE(read_public_key_file(dir / "missing.pub"), ErrorCode::not_found);
  EXPECT_ERROR_CODE(read_secret_key_file(dir / "missing.key"), ErrorCode::not_found);
}

}  // namespace
}  // namespace airlock
