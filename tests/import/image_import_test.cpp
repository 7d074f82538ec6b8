// Enterprise 5.x mode without a network: the ImageImportManifest, the content
// uploads (paths, media types, streamed bodies, digest checks) and what an
// import's send, lookup and poll make of the server's answers, against a
// scripted HttpClient.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "import/anchore_images_v5.hpp"
#include "import/image_import_submission.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/fake_http.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::FakeHttpClient;
using testing::FakeReply;

using testing::FakeClock;

// Reads each streamed request body into the recorded request (the scripted
// client only keeps the pointer), then lets the script answer.
class ReadingHttpClient final : public HttpClient {
 public:
  Result<std::unique_ptr<HttpResponse>> send(const HttpRequest& request) override {
    HttpRequest copy = request;
    if (request.body_source != nullptr) {
      std::vector<std::uint8_t> chunk(5);  // small: crosses every boundary
      for (;;) {
        AIRLOCK_TRY_ASSIGN(const std::size_t n, request.body_source->read(chunk));
        if (n == 0) break;
        copy.body.append(reinterpret_cast<const char*>(chunk.data()), n);
      }
      copy.body_source = nullptr;
    }
    return script.send(copy);
  }
  FakeHttpClient script;
};

std::string header(const HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

class ImageImportTest : public ::testing::Test {
 protected:
  ImageImportTest() : m_blobs(m_dir.path()), m_client(m_http, connection(), fast_retries(), m_clock) {
    add_part("sbom", R"({"artifacts":[]})", "");
    add_part("manifest", m_manifest, "application/vnd.docker.distribution.manifest.v2+json");
    add_part("image_config", m_config, "");
    add_part("dockerfile", "FROM scratch\n", "");
    m_item.id = "item-1";
    m_item.account = "eng";
    m_item.app = "shop";
    m_item.version = "1";
    m_item.asset = "api";
    m_item.image_digest = "sha256:" + sha256_hex(m_manifest);
    m_item.local_image_id = "sha256:" + sha256_hex(m_config);
    m_item.annotations = {{"team", "payments"}};
  }
  static AnchoreConnection connection() {
    AnchoreConnection c;
    c.url = "http://anchore.test:8228";
    c.username = "admin";
    c.password = "pw";
    return c;
  }
  static RetryPolicy fast_retries() {
    RetryPolicy r;
    r.retries = 3;
    return r;
  }
  static std::string sha256_hex(std::string_view bytes) { return sha256(bytes).hex(); }
  void add_part(const std::string& name, const std::string& bytes, const std::string& media_type) {
    auto stored = m_blobs.put(bytes);
    ASSERT_OK(stored);
    m_item.parts.push_back({name, stored->digest, stored->size, media_type});
  }
  // The server's answer to an upload of BYTES: its hex sha256.
  static FakeReply digest_reply(std::string_view bytes) {
    return {200, {}, nlohmann::json{{"digest", sha256_hex(bytes)}, {"created_at", "x"}}.dump(), false};
  }
  void script_uploads() {
    m_http.script.on("/v2/imports/images", {{200, {}, R"({"uuid":"op-1","status":"pending"})", false}});
    m_http.script.on("/op-1/packages", {digest_reply(R"({"artifacts":[]})")});
    m_http.script.on("/op-1/manifest", {digest_reply(m_manifest)});
    m_http.script.on("/op-1/image-config", {digest_reply(m_config)});
    m_http.script.on("/op-1/dockerfile", {digest_reply("FROM scratch\n")});
  }
  std::vector<HttpRequest> requests_to(std::string_view suffix) {
    std::vector<HttpRequest> out;
    for (const auto& r : m_http.script.requests()) {
      if (r.url.ends_with(suffix)) out.push_back(r);
    }
    return out;
  }

  testing::TempDir m_dir;
  BlobStore m_blobs;
  ReadingHttpClient m_http;
  FakeClock m_clock;
  AnchoreClient m_client;
  std::string m_config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  std::string m_manifest = R"({"schemaVersion":2,"config":{"digest":"sha256:c"}})";
  Item m_item;
};

TEST_F(ImageImportTest, TheManifestNamesEveryUploadedContentAndDefaultsTheTag) {
  const std::map<std::string, std::string> digests = {{"packages", "aa"}, {"manifest", "bb"}, {"image_config", "cc"}};
  auto manifest = image_import_manifest(m_item, "op-1", digests);
  EXPECT_EQ(manifest["contents"], nlohmann::json(digests));
  EXPECT_EQ(manifest["tags"], nlohmann::json::array({"localhost/api:latest"}));
  EXPECT_EQ(manifest["digest"], m_item.image_digest);
  EXPECT_EQ(manifest["local_image_id"], m_item.local_image_id);
  EXPECT_EQ(manifest["operation_uuid"], "op-1");
  EXPECT_FALSE(manifest.contains("parent_digest"));
  // The item's own tags win; parent_digest only travels with its parent manifest.
  m_item.tags = {"docker.io/acme/api:1.4"};
  m_item.parent_digest = "sha256:" + std::string(64, 'f');
  manifest = image_import_manifest(m_item, "op-1", digests);
  EXPECT_EQ(manifest["tags"], nlohmann::json::array({"docker.io/acme/api:1.4"}));
  EXPECT_FALSE(manifest.contains("parent_digest"));
  // Tags 5.x would misread (a bare "latest", a repository without its
  // registry) give way to the name the item was analyzed under.
  m_item.image_reference = "docker.io/acme/api:1.4@" + m_item.image_digest;
  m_item.tags = {"latest", "nginx:1.25", "example.test/app:1.0", "docker.io/acme/api:1.4"};
  EXPECT_EQ(import_tags(m_item), (std::vector<std::string>{"docker.io/acme/api:1.4", "example.test/app:1.0"}));
  m_item.image_reference = "localhost:5000/acme/api@" + m_item.image_digest;
  m_item.tags = {"latest"};
  EXPECT_EQ(import_tags(m_item), (std::vector<std::string>{"localhost:5000/acme/api:latest"}));
  auto with_parent = digests;
  with_parent["parent_manifest"] = "dd";
  EXPECT_EQ(image_import_manifest(m_item, "op-1", with_parent)["parent_digest"], m_item.parent_digest);
}

TEST_F(ImageImportTest, PartsGoUpInTableOrderAndAParentManifestOnlyWithItsDigest) {
  add_part("parent_manifest", R"({"manifests":[]})", "application/vnd.oci.image.index.v1+json");
  std::vector<std::string> paths;
  for (const auto& [content, part] : import_contents_of(m_item)) paths.emplace_back(content->path);
  EXPECT_EQ(paths, (std::vector<std::string>{"packages", "manifest", "image-config", "dockerfile"}));
  m_item.parent_digest = "sha256:" + sha256_hex(R"({"manifests":[]})");
  paths.clear();
  for (const auto& [content, part] : import_contents_of(m_item)) paths.emplace_back(content->path);
  EXPECT_EQ(paths, (std::vector<std::string>{"packages", "manifest", "image-config", "parent-manifest", "dockerfile"}));
}

TEST_F(ImageImportTest, UploadsStreamWithTheirMediaTypesAndAreRetried) {
  AnchoreImagesV5 images(m_client);
  m_http.script.on("/op-1/manifest", {{503, {}, "", false}, {0, {}, "", true}, digest_reply(m_manifest)});
  auto digest = images.upload("eng", "op-1", k_import_contents[1], m_item.parts[1], m_blobs);
  ASSERT_OK(digest);
  EXPECT_EQ(*digest, sha256_hex(m_manifest));
  const auto sent = requests_to("/v2/imports/images/op-1/manifest");
  ASSERT_EQ(sent.size(), 3u);  // a 503 and a lost answer: the same bytes again, from a fresh read
  for (const auto& r : sent) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.body, m_manifest);
    EXPECT_EQ(r.body_size, m_manifest.size());
    EXPECT_EQ(header(r, "Content-Type"), "application/vnd.docker.distribution.manifest.v2+json");
    EXPECT_EQ(header(r, "x-anchore-account"), "eng");
  }
  m_http.script.on("/op-1/dockerfile", {digest_reply("FROM scratch\n")});
  ASSERT_OK(images.upload("eng", "op-1", k_import_contents[4], m_item.parts[3], m_blobs));
  EXPECT_EQ(header(requests_to("/op-1/dockerfile").back(), "Content-Type"), "text/plain");
}

TEST_F(ImageImportTest, ADigestThatIsNotThePartsOwnIsRefused) {
  AnchoreImagesV5 images(m_client);
  m_http.script.on("/op-1/packages", {digest_reply("something else")});
  auto digest = images.upload("eng", "op-1", k_import_contents[0], m_item.parts[0], m_blobs);
  ASSERT_FALSE(digest.ok());
  EXPECT_NE(digest.error().message().find("altered on the way"), std::string::npos) << digest.error().message();
  // "sha256:<hex>" is the same digest spelled the OCI way: accepted.
  m_http.script.on("/op-1/packages",
                   {{200, {}, nlohmann::json{{"digest", "sha256:" + sha256_hex(R"({"artifacts":[]})")}}.dump(), false}});
  ASSERT_OK(images.upload("eng", "op-1", k_import_contents[0], m_item.parts[0], m_blobs));
}

TEST_F(ImageImportTest, SendUploadsThenFinalizesWithTheImportManifestAndAnnotations) {
  AnchoreImagesV5 images(m_client);
  ImageImportSubmission submission(images, m_blobs);
  script_uploads();
  m_http.script.on("/v2/images", {{200, {}, R"([{"imageDigest":"x","analysis_status":"not_analyzed"}])", false}});
  auto sent = submission.send(m_item, {});
  ASSERT_OK(sent);
  EXPECT_EQ(sent->kind, SendOutcome::Kind::accepted);
  EXPECT_EQ(sent->job_id, "image:" + m_item.image_digest);
  const auto finalize = requests_to("/v2/images");
  ASSERT_EQ(finalize.size(), 1u);
  const auto body = nlohmann::json::parse(finalize[0].body);
  EXPECT_EQ(body["annotations"], nlohmann::json({{"team", "payments"}}));
  const auto& manifest = body["source"]["import"];
  EXPECT_EQ(manifest["operation_uuid"], "op-1");
  EXPECT_EQ(manifest["contents"]["packages"], sha256_hex(R"({"artifacts":[]})"));
  EXPECT_EQ(manifest["contents"]["manifest"], sha256_hex(m_manifest));
  EXPECT_EQ(manifest["contents"]["image_config"], sha256_hex(m_config));
  EXPECT_EQ(manifest["contents"]["dockerfile"], sha256_hex("FROM scratch\n"));
  EXPECT_EQ(manifest["digest"], m_item.image_digest);
  // The operation was created without a body.
  const auto created = requests_to("/v2/imports/images");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].method, "POST");
  EXPECT_TRUE(created[0].body.empty());
}

TEST_F(ImageImportTest, OnlyTheFinalizeIsAmbiguous) {
  AnchoreImagesV5 images(m_client);
  ImageImportSubmission submission(images, m_blobs);
  script_uploads();
  // A lost finalize answer is not sent again by the client: the Importer looks first.
  m_http.script.on("/v2/images", {{0, {}, "", true}});
  auto lost = submission.send(m_item, {});
  ASSERT_OK(lost);
  EXPECT_EQ(lost->kind, SendOutcome::Kind::no_answer);
  EXPECT_EQ(requests_to("/v2/images").size(), 1u);
  m_http.script.on("/v2/images", {{409, {}, R"({"message":"import operation status does not allow finalizing"})", false}});
  auto conflict = submission.send(m_item, {});
  ASSERT_OK(conflict);
  EXPECT_EQ(conflict->kind, SendOutcome::Kind::conflict);
  // An upload the server refuses: nothing was imported, the item may go again.
  m_http.script.on("/op-1/manifest", {{415, {}, R"({"title":"Unsupported Media Type","detail":"Invalid Content-type"})", false}});
  auto refused = submission.send(m_item, {});
  ASSERT_OK(refused);
  EXPECT_EQ(refused->kind, SendOutcome::Kind::refused);
  EXPECT_NE(refused->error->message().find("HTTP 415"), std::string::npos) << refused->error->message();
  // Against a 6.x server the imports API is missing: the message says what to use.
  m_http.script.on("/v2/imports/images", {{404, {}, R"({"title":"Not Found","status":404})", false}});
  auto missing = submission.send(m_item, {});
  ASSERT_OK(missing);
  EXPECT_EQ(missing->kind, SendOutcome::Kind::refused);
  EXPECT_NE(missing->error->message().find("--api v6"), std::string::npos) << missing->error->message();
}

TEST_F(ImageImportTest, AnEarlierImportIsAdoptedOnlyWithThisItemsTags) {
  AnchoreImagesV5 images(m_client);
  ImageImportSubmission submission(images, m_blobs);
  const std::string path = "/v2/images/" + m_item.image_digest;
  const auto record = [&](const std::string& status, const std::string& tag) {
    nlohmann::json image = {{"imageDigest", m_item.image_digest}, {"analysis_status", status}};
    image["image_detail"] = nlohmann::json::array();
    image["image_detail"].push_back({{"fulltag", tag}});
    nlohmann::json list = nlohmann::json::array();
    list.push_back(image);
    return FakeReply{200, {}, list.dump(), false};
  };
  m_http.script.on(path, {{404, {}, R"({"message":"Resource not found","httpcode":404})", false}});
  auto none = submission.find_existing(m_item, {});
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  m_http.script.on(path, {record("analyzing", "localhost/api:latest")});
  auto found = submission.find_existing(m_item, {});
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->state, "submitted");
  EXPECT_EQ((*found)->job_id, "image:" + m_item.image_digest);
  m_http.script.on(path, {record("analyzed", "localhost/api:latest")});
  EXPECT_EQ((*submission.find_existing(m_item, {}))->state, "complete");
  // The same image imported for another asset is not this item's import…
  m_http.script.on(path, {record("analyzed", "localhost/web:latest")});
  EXPECT_FALSE(submission.find_existing(m_item, {})->has_value());
  // …and a failed analysis is imported again rather than adopted.
  m_http.script.on(path, {record("analysis_failed", "localhost/api:latest")});
  EXPECT_FALSE(submission.find_existing(m_item, {})->has_value());
}

TEST_F(ImageImportTest, PollingReadsTheAnalysisStatus) {
  AnchoreImagesV5 images(m_client);
  ImageImportSubmission submission(images, m_blobs);
  LedgerEntry entry;
  entry.job_id = "image:" + m_item.image_digest;
  EXPECT_EQ(submission.describe(entry), "image " + m_item.image_digest);
  const std::string path = "/v2/images/" + m_item.image_digest;
  m_http.script.on(path, {{200, {}, R"([{"analysis_status":"analyzing"}])", false},
                          {200, {}, R"([{"analysis_status":"analyzed"}])", false}});
  auto first = submission.state_of(m_item, entry);
  ASSERT_OK(first);
  EXPECT_FALSE(first->ended());
  EXPECT_EQ(first->server_status, "analyzing");
  auto second = submission.state_of(m_item, entry);
  ASSERT_OK(second);
  EXPECT_EQ(second->state, "complete");
  m_http.script.on(path, {{200, {}, R"({"analysis_status":"analysis_failed"})", false}});
  auto failed = submission.state_of(m_item, entry);
  ASSERT_OK(failed);
  EXPECT_EQ(failed->state, "failed");
  EXPECT_NE(failed->message.find("analysis"), std::string::npos);
  // A 6.x job id in the ledger cannot be followed here.
  entry.job_id = "42";
  EXPECT_ERROR_CODE(submission.state_of(m_item, entry), ErrorCode::invalid_input);
}

}  // namespace
}  // namespace airlock
