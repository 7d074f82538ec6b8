// registry: sources against a real registry (Debian's docker-registry) that
// the test starts on loopback, with and without basic auth, and stops by PID.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "analyze/image_walk.hpp"
#include "analyze/source_spec.hpp"
#include "crypto/base64.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::run_process;

std::filesystem::path fixtures() {
  const char* dir = std::getenv("AIRLOCK_FIXTURES");
  return dir != nullptr ? dir : "";
}

nlohmann::json truth(const std::string& name) {
  std::ifstream in(fixtures() / (name + ".truth.json"));
  return nlohmann::json::parse(in);
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// One running registry; started by the suite, stopped by PID at its end.
struct Registry {
  std::unique_ptr<testing::TempDir> state = std::make_unique<testing::TempDir>();
  std::string addr;
  pid_t pid = 0;

  void start(bool auth) {
    const std::string port = std::to_string(free_port());
    std::vector<std::string> args = {"--port", port, "--state", (state->path() / "registry").string()};
    if (auth) args.insert(args.begin(), "--auth");
    const auto r = run_process(std::string(AIRLOCK_SOURCE_DIR) + "/tests/services/start-registry.sh", args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (std::istringstream lines(r.out); !lines.eof();) {
      std::string line;
      std::getline(lines, line);
      if (line.starts_with("PID=")) pid = std::stoi(line.substr(4));
      if (line.starts_with("ADDR=")) addr = line.substr(5);
    }
    ASSERT_GT(pid, 0);
    ASSERT_FALSE(addr.empty());
  }
  void push(const std::string& name, bool auth) {
    std::vector<std::string> args = {"copy", "-q", "--all", "--dest-tls-verify=false"};
    if (auth) args.push_back("--dest-creds=airlock:airlock-password");
    args.push_back("oci:" + (fixtures() / (name + ".oci")).string() + ":latest");
    args.push_back("docker://" + addr + "/" + name + ":latest");
    const auto r = run_process("/usr/bin/skopeo", args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void stop() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      pid = 0;
    }
  }
};

Registry* g_open = nullptr;
Registry* g_auth = nullptr;

class RegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_FALSE(fixtures().empty()) << "AIRLOCK_FIXTURES is not set";
    g_open = new Registry;
    g_open->start(false);
    for (const char* name : {"tiny", "debian-multilayer", "multiarch"}) g_open->push(name, false);
    g_auth = new Registry;
    g_auth->start(true);
    g_auth->push("tiny", true);
  }
  static void TearDownTestSuite() {
    for (Registry* r : {g_open, g_auth}) {
      if (r != nullptr) r->stop();
      delete r;
    }
    g_open = g_auth = nullptr;
  }

  static Result<ImageWalk> walk(const std::string& spec_text, SourceOptions options,
                                std::unique_ptr<ImageSource>* keep = nullptr) {
    AIRLOCK_TRY_ASSIGN(const SourceSpec spec, parse_source_spec(spec_text));
    AIRLOCK_TRY_ASSIGN(auto image, open_image_source(spec, options));
    auto result = walk_image(*image);
    if (keep != nullptr) *keep = std::move(image);
    return result;
  }

  static std::map<std::string, std::string> files(const FileIndex& index) {
    std::map<std::string, std::string> out;
    for (const auto& [p, r] : index.files()) out[p] = std::string(file_type_name(r.type)) + std::to_string(r.size) + r.link;
    return out;
  }
};

TEST_F(RegistryTest, PulledImagesMatchTheirLayouts) {
  for (const std::string name : {"tiny", "debian-multilayer"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<ImageSource> image;
    auto pulled = walk("registry:" + g_open->addr + "/" + name + ":latest", {}, &image);
    ASSERT_TRUE(pulled.ok()) << pulled.error().message();
    EXPECT_EQ(image->metadata().manifest_digest.oci(), truth(name)["image"]["manifest_digest_oci"]);
    EXPECT_EQ(image->metadata().repo_digests.at(0),
              g_open->addr + "/" + name + "@" + truth(name)["image"]["manifest_digest_oci"].get<std::string>());
    auto local = walk("oci-dir:" + (fixtures() / (name + ".oci")).string(), {});
    ASSERT_TRUE(local.ok());
    EXPECT_EQ(files(pulled->squashed), files(local->squashed));
  }
  // A bare reference goes to the registry too, and a digest pins the manifest.
  const std::string digest = truth("tiny")["image"]["manifest_digest_oci"];
  EXPECT_TRUE(walk(g_open->addr + "/tiny@" + digest, {}).ok());
}

TEST_F(RegistryTest, MultiArchIndexPlatformsAndParent) {
  const auto t = truth("multiarch");
  for (const auto& p : t["platforms"]) {
    SourceOptions options;
    options.platform = Platform{p["os"], p["architecture"], ""};
    std::unique_ptr<ImageSource> image;
    auto pulled = walk("registry:" + g_open->addr + "/multiarch:latest", options, &image);
    ASSERT_TRUE(pulled.ok()) << pulled.error().message();
    EXPECT_EQ(image->metadata().manifest_digest.oci(), p["manifest_digest"]);
    EXPECT_EQ(image->metadata().parent_digest->oci(), t["index_digest"]);
  }
  SourceOptions s390x;
  s390x.platform = Platform{"linux", "s390x", ""};
  auto missing = walk("registry:" + g_open->addr + "/multiarch:latest", s390x);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::not_found);
}

TEST_F(RegistryTest, MissingImagesAndUnreachableRegistries) {
  auto missing = walk("registry:" + g_open->addr + "/no-such-image:1", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::not_found);
  auto wrong_digest = walk(g_open->addr + "/tiny@sha256:" + std::string(64, 'a'), {});
  EXPECT_FALSE(wrong_digest.ok());
  auto nobody = walk("registry:127.0.0.1:" + std::to_string(free_port()) + "/x:1", {});
  ASSERT_FALSE(nobody.ok());
  EXPECT_EQ(nobody.error().code(), ErrorCode::unavailable);
}

TEST_F(RegistryTest, BasicAuthUsesCredentialFiles) {
  const std::string ref = "registry:" + g_auth->addr + "/tiny:latest";
  auto anonymous = walk(ref, {});
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.error().code(), ErrorCode::unauthorized);
  EXPECT_NE(anonymous.error().message().find("log in"), std::string::npos) << anonymous.error().message();

  testing::TempDir dir;
  auto write_auth = [&](const std::string& file, const std::string& user_pass) {
    std::ofstream(dir / file) << R"({"auths":{")" << g_auth->addr << R"(":{"auth":")"
                              << to_base64(user_pass) << R"("}}})";
    return dir / file;
  };
  SourceOptions good;
  good.registry.auth_files = {dir / "missing.json", write_auth("good.json", "airlock:airlock-password")};
  auto with_login = walk(ref, good);
  EXPECT_TRUE(with_login.ok()) << with_login.error().message();

  SourceOptions bad;
  bad.registry.auth_files = {write_auth("bad.json", "airlock:wrong")};
  auto refused = walk(ref, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::unauthorized);

  SourceOptions broken;
  std::ofstream(dir / "broken.json") << "{nope";
  broken.registry.auth_files = {dir / "broken.json"};
  EXPECT_FALSE(walk(ref, broken).ok());
}

}  // namespace
}  // namespace airlock
