#include <sys/stat.h>

#include <fstream>

#include "base/byte_stream.hpp"
#include "base/environment.hpp"
#include "base/error.hpp"
#include "base/file.hpp"
#include "base/hex.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using airlock::testing::TempDir;

TEST(ErrorTest, ExitCodesFollowTheDesignTable) {
  EXPECT_EQ(exit_code_for(ErrorCode::usage), ExitCode::usage);
  EXPECT_EQ(exit_code_for(ErrorCode::verification), ExitCode::verification);
  EXPECT_EQ(exit_code_for(ErrorCode::partial), ExitCode::partial);
  for (ErrorCode code : {ErrorCode::not_found, ErrorCode::io, ErrorCode::invalid_input,
                         ErrorCode::permission, ErrorCode::unauthorized, ErrorCode::conflict,
                         ErrorCode::unavailable, ErrorCode::internal}) {
    EXPECT_EQ(exit_code_for(code), ExitCode::operational) << error_code_name(code);
  }
  EXPECT_EQ(static_cast<int>(ExitCode::verification), 3);
  EXPECT_EQ(http_status_for(ErrorCode::unauthorized), 401);
  EXPECT_EQ(http_status_for(ErrorCode::conflict), 409);
  EXPECT_EQ(http_status_for(ErrorCode::not_found), 404);
}

TEST(ErrorTest, ContextIsPrefixed) {
  const Error e = Error(ErrorCode::io, "disk full").with_context("writing blob abc");
  EXPECT_EQ(e.message(), "writing blob abc: disk full");
  EXPECT_EQ(e.code(), ErrorCode::io);
}

Result<int> parse_positive(int v) {
  if (v <= 0) return Error(ErrorCode::usage, "not positive");
  return v;
}

Result<int> doubled(int v) {
  AIRLOCK_TRY_ASSIGN(const int x, parse_positive(v));
  return 2 * x;
}

TEST(ResultTest, TryAssignPropagatesErrorsAndValues) {
  ASSERT_OK(doubled(4));
  EXPECT_EQ(*doubled(4), 8);
  EXPECT_ERROR_CODE(doubled(-1), ErrorCode::usage);
  Status ok;
  EXPECT_TRUE(ok.ok());
}

TEST(HexTest, RoundTripsAndRejectsBadInput) {
  const std::vector<std::uint8_t> bytes = {0x00, 0x7f, 0xff, 0xab};
  EXPECT_EQ(to_hex(bytes), "007fffab");
  EXPECT_EQ(*from_hex("007FFFab"), bytes);
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
  EXPECT_TRUE(from_hex("")->empty());
}

TEST(ByteStreamTest, ReadFullyAndCopy) {
  const std::string text(3000000, 'x');
  MemorySource source(text);
  StringSink sink;
  auto copied = copy_stream(source, sink);
  ASSERT_OK(copied);
  EXPECT_EQ(*copied, text.size());
  EXPECT_EQ(sink.data(), text);
}

TEST(FileTest, AtomicFileIsInvisibleUntilCommit) {
  TempDir dir;
  const auto path = dir / "out.txt";
  {
    auto file = AtomicFile::create(path, 0600);
    ASSERT_OK(file);
    ASSERT_OK((*file)->write(as_bytes("hello")));
    EXPECT_FALSE(std::filesystem::exists(path));
    ASSERT_OK((*file)->commit());
  }
  EXPECT_EQ(*read_small_file(path, 100), "hello");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(FileTest, AbandonedAtomicFileLeavesNothingBehind) {
  TempDir dir;
  const auto path = dir / "out.txt";
  ASSERT_OK(write_file_atomically(path, "old"));
  {
    auto file = AtomicFile::create(path);
    ASSERT_OK(file);
    ASSERT_OK((*file)->write(as_bytes("new but never committed")));
  }
  EXPECT_EQ(*read_small_file(path, 100), "old");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(FileTest, ReadSmallFileEnforcesItsLimitAndNamesMissingFiles) {
  TempDir dir;
  ASSERT_OK(write_file_atomically(dir / "big", std::string(1001, 'a')));
  EXPECT_ERROR_CODE(read_small_file(dir / "big", 1000), ErrorCode::invalid_input);
  ASSERT_OK(read_small_file(dir / "big", 1001));
  const auto missing = read_small_file(dir / "nope", 10);
  EXPECT_ERROR_CODE(missing, ErrorCode::not_found);
  EXPECT_NE(missing.error().message().find("nope"), std::string::npos);
  EXPECT_ERROR_CODE(read_small_file(dir.path(), 10), ErrorCode::invalid_input);
}

TEST(FileTest, AtomicFileInMissingFolderFails) {
  TempDir dir;
  EXPECT_ERROR_CODE(AtomicFile::create(dir / "no/such/dir/file"), ErrorCode::not_found);
}

TEST(EnvironmentTest, EmptyCountsAsUnset) {
  MapEnvironment env({{"A", "1"}, {"B", ""}});
  EXPECT_EQ(env.get("A"), "1");
  EXPECT_FALSE(env.get("B"));
  EXPECT_FALSE(env.get("C"));
}

}  // namespace
}  // namespace airlock
