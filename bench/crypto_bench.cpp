// crypto_bench: streaming SHA-256 and sealed-stream encryption throughput,
// measured against `openssl sha256` over the same file in the same run.
//
// usage: crypto_bench [--size-mib N] [--file PATH] [--runs N]
// Without --file it writes an N MiB (default 1024) file of pseudo-random bytes
// to $TMPDIR and removes it afterwards. Prints throughputs and the ratio
// airlock SHA-256 ÷ openssl sha256 (target ≥ 0.9).
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "base/file.hpp"
#include "crypto/sealed_stream.hpp"
#include "crypto/sha256.hpp"
#include "crypto/system_random.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using airlock::ByteSink;
using airlock::Status;

class NullSink final : public ByteSink {
 public:
  Status write(std::span<const std::uint8_t> data) override {
    m_bytes += data.size();
    return {};
  }
  std::uint64_t m_bytes = 0;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void die(const std::string& message) {
  std::cerr << "crypto_bench: " << message << '\n';
  std::exit(1);
}

void make_file(const std::filesystem::path& path, std::uint64_t size) {
  auto file = airlock::AtomicFile::create(path);
  if (!file) die(file.error().message());
  std::vector<std::uint8_t> block(1 << 20);
  std::uint64_t x = 88172645463325252ull;
  for (std::uint64_t written = 0; written < size; written += block.size()) {
    for (std::size_t i = 0; i + 8 <= block.size(); i += 8) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::memcpy(block.data() + i, &x, 8);
    }
    if (!(*file)->write(block)) die("cannot write " + path.string());
  }
  if (!(*file)->commit(airlock::Durability::none)) die("cannot commit " + path.string());
}

double time_our_sha256(const std::filesystem::path& path, std::string& hex) {
  auto source = airlock::FileSource::open(path);
  if (!source) die(source.error().message());
  const auto start = Clock::now();
  auto digest = airlock::sha256(**source);
  const double elapsed = seconds_since(start);
  if (!digest) die(digest.error().message());
  hex = digest->hex();
  return elapsed;
}

double time_openssl(const std::filesystem::path& path, std::string& hex) {
  const std::string command = "openssl sha256 -r '" + path.string() + "'";
  const auto start = Clock::now();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) die("cannot run openssl");
  char line[256] = {};
  const bool got = std::fgets(line, sizeof line, pipe) != nullptr;
  const int status = ::pclose(pipe);
  const double elapsed = seconds_since(start);
  if (!got || status != 0) die("openssl sha256 failed (is the openssl package installed?)");
  hex = std::string(line).substr(0, 64);
  return elapsed;
}

double time_encrypt(const std::filesystem::path& path) {
  airlock::SystemRandom random;
  const auto pair = airlock::generate_key_pair(random);
  auto source = airlock::FileSource::open(path);
  if (!source) die(source.error().message());
  NullSink sink;
  const std::vector<airlock::PublicKey> to = {pair.public_key};
  const auto start = Clock::now();
  if (!airlock::encrypt_stream(**source, sink, to, random)) die("encryption failed");
  return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t size_mib = 1024;
  int runs = 3;
  std::filesystem::path file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--size-mib" && i + 1 < argc) {
      size_mib = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--file" && i + 1 < argc) {
      file = argv[++i];
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else {
      die("usage: crypto_bench [--size-mib N] [--file PATH] [--runs N]");
    }
  }
  const bool own_file = file.empty();
  if (own_file) {
    file = std::filesystem::temp_directory_path() / ("airlock-crypto-bench-" + std::to_string(::getpid()));
    std::cerr << "writing " << size_mib << " MiB test file " << file << "\n";
    make_file(file, size_mib << 20);
  }
  const double mib = static_cast<double>(std::filesystem::file_size(file)) / (1 << 20);

  std::string ours_hex, openssl_hex;
  time_our_sha256(file, ours_hex);  // warm the page cache: both sides then read from memory
  double ours = 1e9, openssl = 1e9, encrypt = 1e9;
  for (int r = 0; r < runs; ++r) {
    ours = std::min(ours, time_our_sha256(file, ours_hex));
    openssl = std::min(openssl, time_openssl(file, openssl_hex));
    encrypt = std::min(encrypt, time_encrypt(file));
  }
  if (own_file) std::filesystem::remove(file);
  if (ours_hex != openssl_hex) die("digest mismatch with openssl: " + ours_hex + " vs " + openssl_hex);

  std::printf("file: %.0f MiB, best of %d runs, page cache warm\n", mib, runs);
  std::printf("%-28s %8.3f s  %8.1f MiB/s\n", "airlock sha256 (streaming)", ours, mib / ours);
  std::printf("%-28s %8.3f s  %8.1f MiB/s\n", "openssl sha256", openssl, mib / openssl);
  std::printf("%-28s %8.3f s  %8.1f MiB/s\n", "airlock sealed-stream encrypt", encrypt, mib / encrypt);
  std::printf("ratio sha256 throughput airlock/openssl: %.2f (target >= 0.90)\n", openssl / ours);
  return 0;
}
