// docker: and podman: sources against a real Docker-API daemon: Podman's
// service, started by the test on a unix socket of its own, stopped by PID.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "analyze/image_walk.hpp"
#include "analyze/source_spec.hpp"
#include "crypto/sha256.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::run_process;

std::filesystem::path fixtures() {
  const char* dir = std::getenv("AIRLOCK_FIXTURES");
  return dir != nullptr ? dir : "";
}

std::string script(const std::string& name) { return std::string(AIRLOCK_SOURCE_DIR) + "/tests/services/" + name; }

std::map<std::string, std::string> files(const FileIndex& index) {
  std::map<std::string, std::string> out;
  for (const auto& [p, r] : index.files()) {
    out[p] = std::string(file_type_name(r.type)) + " " + std::to_string(r.size) + " " + r.link;
  }
  return out;
}

TEST(DaemonTest, DockerAndPodmanSourcesReadTheDaemonsExport) {
  ASSERT_FALSE(fixtures().empty()) << "AIRLOCK_FIXTURES is not set";
  testing::TempDir dir;
  const std::string socket = (dir / "podman.sock").string();
  const auto started = run_process(script("start-podman.sh"), {socket});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  struct Stop {
    std::string socket;
    ~Stop() { run_process(script("podman.sh"), {socket, "stop"}); }
  } stop{socket};
  for (const char* name : {"tiny", "debian-multilayer"}) {
    const auto loaded = run_process(script("podman.sh"), {socket, "load", (fixtures() / (std::string(name) + ".docker.tar")).string()});
    ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  }

  SourceOptions options;
  options.docker_host = "unix://" + socket;
  options.podman_host = "unix://" + socket;
  for (const std::string name : {"tiny", "debian-multilayer"}) {
    std::ifstream truth_file(fixtures() / (name + ".truth.json"));
    const auto truth = nlohmann::json::parse(truth_file);
    const std::string ref = "airlock-fixtures/" + name + ":latest";
    auto local = open_image_source(*parse_source_spec("oci-dir:" + (fixtures() / (name + ".oci")).string()), options);
    ASSERT_TRUE(local.ok());
    const auto expected = files(walk_image(**local)->squashed);
    for (const std::string scheme : {"docker:", "podman:"}) {
      SCOPED_TRACE(scheme + ref);
      auto image = open_image_source(*parse_source_spec(scheme + ref), options);
      ASSERT_TRUE(image.ok()) << image.error().message();
      auto walk = walk_image(**image);
      ASSERT_TRUE(walk.ok()) << walk.error().message();
      const ImageMetadata& meta = (*image)->metadata();
      EXPECT_EQ(meta.config_digest.oci(), truth["image"]["config_digest"]);
      EXPECT_EQ(files(walk->squashed), expected);
      EXPECT_TRUE(meta.manifest_synthesized);
      EXPECT_EQ(meta.tags, std::vector<std::string>{"docker.io/" + ref});
    }
    // The synthesized manifest is what skopeo reports for the same export.
    const std::string exported = (dir / (name + ".export.tar")).string();
    const auto curl = run_process("/usr/bin/curl", {"-sf", "--unix-socket", socket, "-o", exported,
                                                    "http://d/v1.41/images/" + ref + "/get"});
    ASSERT_EQ(curl.exit_code, 0) << curl.err;
    const auto skopeo = run_process("/usr/bin/skopeo", {"inspect", "--raw", "docker-archive:" + exported});
    ASSERT_EQ(skopeo.exit_code, 0) << skopeo.err;
    auto image = open_image_source(*parse_source_spec("docker:" + ref), options);
    ASSERT_TRUE(walk_image(**image).ok());
    EXPECT_EQ((*image)->metadata().manifest_bytes, skopeo.out);
  }

  // A bare reference is looked for in the daemons first.
  SourceOptions docker_only = options;
  docker_only.pull_order = {SourceKind::docker};
  auto bare = open_image_source(*parse_source_spec("airlock-fixtures/tiny:latest"), docker_only);
  ASSERT_TRUE(bare.ok()) << bare.error().message();
  EXPECT_EQ((*bare)->metadata().source, "docker:airlock-fixtures/tiny:latest");

  auto missing = open_image_source(*parse_source_spec("docker:airlock-fixtures/absent:1"), options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::not_found);
  SourceOptions arm = options;
  arm.platform = Platform{"linux", "arm64", ""};
  auto wrong_platform = open_image_source(*parse_source_spec("docker:airlock-fixtures/tiny:latest"), arm);
  ASSERT_FALSE(wrong_platform.ok());
  EXPECT_EQ(wrong_platform.error().code(), ErrorCode::not_found);
  SourceOptions nowhere = options;
  nowhere.docker_host = "unix://" + (dir / "no.sock").string();
  auto unreachable = open_image_source(*parse_source_spec("docker:airlock-fixtures/tiny:latest"), nowhere);
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.error().code(), ErrorCode::unavailable);
}

}  // namespace
}  // namespace airlock
