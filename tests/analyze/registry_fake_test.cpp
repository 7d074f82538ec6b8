// The registry client against a scripted server: auth flows, retries and
// hostile answers that a real registry in a test cannot be made to give.
#include <gtest/gtest.h>

#include "analyze/image_walk.hpp"
#include "analyze/registry_source.hpp"
#include "tests/support/fake_http.hpp"
#include "tests/support/image_builder.hpp"
#include "tests/support/matchers.hpp"

namespace airlock {
namespace {

using testing::FakeHttpClient;
using testing::FakeReply;

class RegistryFakeTest : public ::testing::Test {
 protected:
  RegistryFakeTest() {
    m_image = testing::make_image({{{"etc/os-release", FileType::regular, "ID=test\n"}}});
    m_options.retry_base = std::chrono::milliseconds(1);
  }
  FakeReply manifest() const {
    return {200, {{"content-type", "application/vnd.oci.image.manifest.v1+json"}}, m_image.manifest, false};
  }
  void serve_blobs() {
    m_http->on("/blobs/" + testing::digest_of(m_image.config), {{200, {}, m_image.config, false}});
    m_http->on("/blobs/" + testing::digest_of(m_image.blobs[0]), {{200, {}, m_image.blobs[0], false}});
  }
  Result<ImageWalk> pull(const std::string& ref = "registry.test/team/app:1") {
    AIRLOCK_TRY_ASSIGN(auto image, open_registry_image(m_http, *parse_image_reference(ref), m_options, std::nullopt));
    return walk_image(*image);
  }

  std::shared_ptr<FakeHttpClient> m_http = std::make_shared<FakeHttpClient>();
  testing::TestImage m_image;
  RegistryOptions m_options;
};

TEST_F(RegistryFakeTest, BearerTokenFlow) {
  FakeReply challenge{401, {{"www-authenticate", R"(Bearer realm="https://auth.test/token",service="registry.test",scope="repository:team/app:pull")"}}, "", false};
  m_http->on("/manifests/1", {challenge, manifest()});
  m_http->on("/token", {{200, {}, R"({"token":"t0k3n"})", false}});
  serve_blobs();
  ASSERT_OK(pull());
  bool token_used = false, scope_sent = false;
  for (const auto& r : m_http->requests()) {
    for (const auto& [k, v] : r.headers) token_used |= k == "Authorization" && v == "Bearer t0k3n";
    scope_sent |= r.url.find("scope=repository%3Ateam%2Fapp%3Apull") != std::string::npos;
  }
  EXPECT_TRUE(token_used);
  EXPECT_TRUE(scope_sent);
}

TEST_F(RegistryFakeTest, RetriesOn429And5xxThenGivesUp) {
  FakeReply busy{429, {{"retry-after", "0"}}, "", false};
  FakeReply down{503, {}, R"({"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]})", false};
  m_http->on("/manifests/1", {busy, down, manifest()});
  serve_blobs();
  ASSERT_OK(pull());

  m_http->on("/manifests/2", {down});
  const auto failed = pull("registry.test/team/app:2");
  EXPECT_ERROR_CODE(failed, ErrorCode::unavailable);
  EXPECT_NE(failed.error().message().find("maintenance"), std::string::npos) << failed.error().message();
}

TEST_F(RegistryFakeTest, ForbiddenAndUnknownAuthSchemes) {
  m_http->on("/manifests/1", {{403, {}, R"({"errors":[{"code":"DENIED","message":"no"}]})", false}});
  EXPECT_ERROR_CODE(pull(), ErrorCode::unauthorized);
  m_http->on("/manifests/1", {{401, {{"www-authenticate", "Negotiate"}}, "", false}});
  EXPECT_ERROR_CODE(pull(), ErrorCode::unauthorized);
  m_http->on("/manifests/1", {{401, {{"www-authenticate", R"(Basic realm="r")"}}, "", false}});
  const auto basic = pull();
  EXPECT_ERROR_CODE(basic, ErrorCode::unauthorized);
  EXPECT_NE(basic.error().message().find("log in"), std::string::npos);
}

TEST_F(RegistryFakeTest, HostileAnswers) {
  // A blob longer than its descriptor says.
  m_http->on("/manifests/1", {manifest()});
  m_http->on("/blobs/" + testing::digest_of(m_image.config), {{200, {}, m_image.config, false}});
  m_http->on("/blobs/" + testing::digest_of(m_image.blobs[0]), {{200, {}, m_image.blobs[0] + "more", false}});
  EXPECT_ERROR_CODE(pull(), ErrorCode::verification);
  // A config that does not match its digest.
  m_http->on("/blobs/" + testing::digest_of(m_image.config), {{200, {}, m_image.config + " ", false}});
  EXPECT_FALSE(pull().ok());
  // A manifest that is not what a digest reference pins.
  m_http->on("/manifests/sha256:" + std::string(64, 'b'), {manifest()});
  EXPECT_ERROR_CODE(pull("registry.test/team/app@sha256:" + std::string(64, 'b')), ErrorCode::verification);
  // A huge manifest.
  m_http->on("/manifests/3", {{200, {}, std::string(9 * 1024 * 1024, '{'), false}});
  EXPECT_ERROR_CODE(pull("registry.test/team/app:3"), ErrorCode::invalid_input);
  // Garbage instead of a manifest.
  m_http->on("/manifests/4", {{200, {}, "<html>proxy error</html>", false}});
  EXPECT_ERROR_CODE(pull("registry.test/team/app:4"), ErrorCode::invalid_input);
  // The connection drops.
  m_http->on("/manifests/5", {{0, {}, "", true}});
  EXPECT_ERROR_CODE(pull("registry.test/team/app:5"), ErrorCode::unavailable);
}

TEST(ImageReferenceTest, DockerNormalisation) {
  EXPECT_EQ(parse_image_reference("debian")->to_string(), "docker.io/library/debian:latest");
  EXPECT_EQ(parse_image_reference("acme/api:1.4.0")->to_string(), "docker.io/acme/api:1.4.0");
  EXPECT_EQ(parse_image_reference("localhost:5000/x")->registry, "localhost:5000");
  EXPECT_EQ(parse_image_reference("reg.example/a/b/c:t")->repository, "a/b/c");
  const std::string digest = "sha256:" + std::string(64, 'a');
  EXPECT_EQ(parse_image_reference("x@" + digest)->version(), digest);
  EXPECT_EQ(parse_image_reference("x:1@" + digest)->to_string(), "docker.io/library/x:1@" + digest);
  for (const char* bad : {"", "UPPER/case", "a//b", "x:bad tag", "x@sha256:12", "-x", "x:"}) {
    EXPECT_ERROR_CODE(parse_image_reference(bad), ErrorCode::usage);
  }
}

TEST(RegistryCredentialsTest, FilesAndHosts) {
  EXPECT_FALSE(find_registry_credentials({"/no/such/file"}, "h")->has_value());
}

}  // namespace
}  // namespace airlock
