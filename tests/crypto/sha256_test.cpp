#include "crypto/sha256.hpp"

#include <gtest/gtest.h>

#include "tests/support/matchers.hpp"

namespace airlock {
namespace {

// FIPS 180-2 / NIST CSRC example vectors.
TEST(Sha256Test, NistVectors) {
  EXPECT_EQ(sha256("").hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256("abc").hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex(),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnop"
                   "qklmnopqrlmnopqrsmnopqrstnopqrstu")
                .hex(),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(sha256(std::string(1000000, 'a')).hex(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, StreamingInAnySplitMatchesOneShot) {
  std::string data;
  for (int i = 0; i < 200000; ++i) data.push_back(static_cast<char>(i * 31 + i / 7));
  const Sha256Digest whole = sha256(data);
  for (std::size_t step : {1u, 63u, 64u, 65u, 4096u, 100003u}) {
    Sha256 hash;
    for (std::size_t at = 0; at < data.size(); at += step) {
      hash.update(std::string_view(data).substr(at, step));
    }
    EXPECT_EQ(hash.finish(), whole) << "step " << step;
  }
  MemorySource source(data);
  auto streamed = sha256(source);
  ASSERT_OK(streamed);
  EXPECT_EQ(*streamed, whole);
}

TEST(Sha256Test, FinishStartsOver) {
  Sha256 hash;
  hash.update("abc");
  EXPECT_EQ(hash.finish(), sha256("abc"));
  hash.update("abc");
  EXPECT_EQ(hash.finish(), sha256("abc"));
}

TEST(Sha256Test, HashingSinkPassesBytesThrough) {
  StringSink inner;
  HashingSink sink(&inner);
  ASSERT_OK(sink.write(as_bytes("ab")));
  ASSERT_OK(sink.write(as_bytes("c")));
  EXPECT_EQ(sink.size(), 3u);
  EXPECT_EQ(sink.finish(), sha256("abc"));
  EXPECT_EQ(inner.data(), "abc");
}

TEST(Sha256Test, DigestParsing) {
  const auto d = sha256("abc");
  EXPECT_EQ(*Sha256Digest::parse(d.oci()), d);
  EXPECT_EQ(*Sha256Digest::parse(d.hex()), d);
  EXPECT_EQ(d.oci(), "sha256:" + d.hex());
  EXPECT_ERROR_CODE(Sha256Digest::parse("sha256:abc"), ErrorCode::invalid_input);
  EXPECT_ERROR_CODE(Sha256Digest::parse(std::string(64, 'g')), ErrorCode::invalid_input);
  EXPECT_ERROR_CODE(Sha256Digest::parse("sha512:" + d.hex()), ErrorCode::invalid_input);
}

}  // namespace
}  // namespace airlock
