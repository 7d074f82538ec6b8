#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <mutex>

#include "base/background_sink.hpp"
#include "base/byte_stream.hpp"
#include "base/environment.hpp"
#include "base/error.hpp"
#include "base/file.hpp"
#include "base/hex.hpp"
#include "base/parallel.hpp"
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

TEST(ParallelForTest, RunsEveryIndexOnceOnAtMostThreadsWorkers) {
  for (unsigned threads : {0u, 1u, 2u, 7u}) {
    for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{1000}}) {
      std::vector<std::atomic<int>> runs(count);
      std::atomic<unsigned> highest_worker{0};
      parallel_for(count, threads, [&](std::size_t i, unsigned worker) {
        runs[i].fetch_add(1);
        unsigned seen = highest_worker.load();
        while (worker > seen && !highest_worker.compare_exchange_weak(seen, worker)) {
        }
      });
      for (std::size_t i = 0; i < count; ++i) EXPECT_EQ(runs[i].load(), 1) << "index " << i;
      EXPECT_LT(highest_worker.load(), std::max(1u, threads));
    }
  }
}

// A sink that takes what it is given, slowly, or fails after a while.
class RecordingSink final : public ByteSink {
 public:
  explicit RecordingSink(std::size_t fail_after = SIZE_MAX) : m_fail_after(fail_after) {}
  Status write(std::span<const std::uint8_t> data) override {
    std::lock_guard lock(m_mutex);
    if (m_data.size() + data.size() > m_fail_after) return Error(ErrorCode::io, "disk full");
    m_data.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  std::string data() {
    std::lock_guard lock(m_mutex);
    return m_data;
  }

 private:
  std::mutex m_mutex;
  std::string m_data;
  std::size_t m_fail_after;
};

TEST(BackgroundSinkTest, HandsOverEveryByteInOrder) {
  std::string expected;
  for (int i = 0; i < 20000; ++i) expected += std::to_string(i) + ",";
  for (std::size_t chunk : {std::size_t{61}, std::size_t{4096}, std::size_t{1} << 20}) {
    RecordingSink inner;
    BackgroundSink sink(inner, chunk, 2);
    // Writes of uneven sizes, some larger than a chunk.
    std::size_t at = 0;
    for (std::size_t n = 1; at < expected.size(); n = n * 3 % 10007 + 1) {
      const std::size_t take = std::min(n, expected.size() - at);
      ASSERT_OK(sink.write(as_bytes(std::string_view(expected).substr(at, take))));
      at += take;
    }
    ASSERT_OK(sink.finish());
    EXPECT_EQ(inner.data(), expected) << "chunk " << chunk;
    EXPECT_TRUE(sink.finish().ok());  // a second finish changes nothing
  }
}

TEST(BackgroundSinkTest, TheInnerSinksErrorReachesTheWriter) {
  RecordingSink inner(100000);
  BackgroundSink sink(inner, 4096, 2);
  const std::string block(1000, 'x');
  Status status;
  for (int i = 0; i < 1000 && status.ok(); ++i) status = sink.write(as_bytes(block));
  const Status finished = sink.finish();
  ASSERT_FALSE(finished.ok());
  EXPECT_NE(finished.error().message().find("disk full"), std::string::npos) << finished.error().message();
  EXPECT_LE(inner.data().size(), 100000u);
}

TEST(BackgroundSinkTest, DestroyedWithoutFinishWaitsForItsThread) {
  RecordingSink inner;
  {
    BackgroundSink sink(inner, 16, 1);
    ASSERT_OK(sink.write(as_bytes(std::string_view("written before the end"))));
  }
  EXPECT_EQ(inner.data(), "written before the end");
}

}  // namespace
}  // namespace airlock
