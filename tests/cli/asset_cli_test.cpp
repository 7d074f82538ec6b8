// Black-box tests of the direct paths (`app version asset add
// container-image[-remote]`) against the fake Anchore server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/fake_anchore.hpp"
#include "tests/support/image_builder.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::FakeAnchore;

class AssetCliTest : public ::testing::Test {
 protected:
  AssetCliTest() : m_fake(FakeAnchore::start()) {
    const std::string status = "Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\n";
    const auto image = testing::make_image({{{"etc/os-release", FileType::regular, "ID=debian\nVERSION_ID=12\n"},
                                              {"var/lib/dpkg/status", FileType::regular, status}}});
    testing::write_oci_layout({image}, m_dir / "layout");
  }
  testing::ProcessResult run(std::vector<std::string> args) {
    testing::ProcessOptions options;
    options.unset_env = {"AIRLOCK_STORE", "ANCHORECTL_ACCOUNT", "ANCHORECTL_APP", "ANCHORECTL_VERSION", "AIRLOCK_API_KEY"};
    options.env = {{"HOME", m_dir.path().string()}, {"ANCHORECTL_URL", m_fake.url()},
                   {"ANCHORECTL_USERNAME", "admin"}, {"ANCHORECTL_PASSWORD", "foobar"}};
    return testing::run_airlock(args, options);
  }
  // Creates an app and a version through the API, as an Anchore user would.
  void create_app_version(const std::string& app, const std::string& version) {
    const auto a = testing::run_process("/usr/bin/curl", {"-sf", "-u", "admin:foobar", "-H", "Content-Type: application/json",
                                                          "-d", nlohmann::json{{"name", app}, {"contact", {{"name", "t"}}}}.dump(),
                                                          m_fake.url() + "/v2/apps"});
    ASSERT_EQ(a.exit_code, 0) << a.err;
    const std::string app_id = nlohmann::json::parse(a.out)["system_metadata"]["id"];
    const auto v = testing::run_process("/usr/bin/curl", {"-sf", "-u", "admin:foobar", "-H", "Content-Type: application/json",
                                                          "-d", nlohmann::json{{"name", version}}.dump(),
                                                          m_fake.url() + "/v2/apps/" + app_id + "/versions"});
    ASSERT_EQ(v.exit_code, 0) << v.err;
  }
  testing::TempDir m_dir;
  FakeAnchore m_fake;
};

TEST_F(AssetCliTest, ContainerImageAnalyzesHereAndSubmitsOneJob) {
  const std::vector<std::string> add = {"app", "version", "asset", "add", "container-image", "acme/api:1.4",
                                        "--from", "oci-dir:" + (m_dir / "layout").string(), "--app", "shop",
                                        "--version", "1.4", "--annotations", "owner=dba", "--wait",
                                        "--poll-interval", "50ms"};
  const auto missing = run(add);
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("app 'shop' does not exist"), std::string::npos) << missing.err;
  create_app_version("shop", "1.4");
  const auto r = run(add);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("complete"), std::string::npos) << r.out;
  const auto state = m_fake.state();
  ASSERT_EQ(state["jobs"].size(), 1u);
  const auto& job = state["jobs"][0];
  EXPECT_EQ(job["job_type"], "add-imported-image-asset");
  EXPECT_EQ(job["asset_name"], "acme/api");
  EXPECT_EQ(job["annotations"], (nlohmann::json{{"owner", "dba"}}));
  EXPECT_TRUE(job["image_reference"].get<std::string>().starts_with("docker.io/acme/api:1.4@sha256:"));
  // The same asset again: Anchore's 409, said plainly.
  const auto again = run(add);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("HTTP 409"), std::string::npos) << again.err;
  EXPECT_EQ(m_fake.state()["jobs"].size(), 1u);
}

TEST_F(AssetCliTest, ContainerImageRemoteSendsADigestPinnedReference) {
  create_app_version("web", "2");
  const std::string pinned = "docker.io/library/nginx:1.27@sha256:" + std::string(64, 'a');
  const auto r = run({"app", "version", "asset", "add", "container-image-remote", "nginx:1.27@sha256:" + std::string(64, 'a'),
                      "--app", "web", "--version", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["status"], "pending");
  const auto state = m_fake.state();
  ASSERT_EQ(state["jobs"].size(), 1u);
  EXPECT_EQ(state["jobs"][0]["job_type"], "add-container-image-asset");
  EXPECT_EQ(state["jobs"][0]["image_reference"], pinned);
  EXPECT_EQ(state["jobs"][0]["asset_name"], "nginx");
  // Usage errors before any request.
  EXPECT_EQ(run({"app", "version", "asset", "add", "container-image-remote", "nginx", "--version", "2"}).exit_code, 2);
}

}  // namespace
}  // namespace airlock
