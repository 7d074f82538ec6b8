// The Anchore client without a network: error shapes, multipart bodies, the
// retry policy, pagination and job parsing, against a scripted HttpClient.
#include <gtest/gtest.h>

#include "import/anchore_apps.hpp"
#include "import/anchore_error.hpp"
#include "import/multipart_body.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/fake_http.hpp"
#include "tests/support/matchers.hpp"

namespace airlock {
namespace {

using testing::FakeHttpClient;
using testing::FakeReply;

using testing::FakeClock;

std::string read_all(ByteSource& source) {
  std::string out;
  std::vector<std::uint8_t> chunk(7);  // odd size: crosses every segment boundary
  for (;;) {
    auto n = source.read(chunk);
    if (!n) return "ERROR: " + n.error().message();
    if (*n == 0) return out;
    out.append(reinterpret_cast<const char*>(chunk.data()), *n);
  }
}

TEST(AnchoreErrorTest, EveryBodyShapeBecomesOneMessage) {
  EXPECT_EQ(anchore_error_message(R"({"message":"Not authorized. Requires permissions: domain=a action=createAssets target=*","httpcode":403,"detail":{"error_codes":[]}})"),
            "Not authorized. Requires permissions: domain=a action=createAssets target=*");
  EXPECT_EQ(anchore_error_message(R"({"message":"bad","httpcode":400,"detail":{"error_codes":["X"]}})"), R"(bad (["X"]))");
  EXPECT_EQ(anchore_error_message(R"({"type":"about:blank","title":"Not Found","status":404,"detail":"The requested URL was not found"})"),
            "Not Found: The requested URL was not found");
  EXPECT_EQ(anchore_error_message(R"({"code":400,"error_type":"x","message":"m","detail":"d"})"), "m: d");
  EXPECT_EQ(anchore_error_message("Unauthorized"), "Unauthorized");
  // A proxy's HTML page: one bounded line.
  const std::string html = "<html>\n<body>" + std::string(5000, 'x') + "</body></html>";
  const std::string summary = anchore_error_message(html);
  EXPECT_LT(summary.size(), 260u);
  EXPECT_EQ(summary.find('\n'), std::string::npos);
  EXPECT_EQ(anchore_http_error(401, "Unauthorized", "GET /v2/apps").code(), ErrorCode::unauthorized);
  EXPECT_NE(anchore_http_error(401, "Unauthorized", "GET /v2/apps").message().find("HTTP 401: Unauthorized"), std::string::npos);
  EXPECT_EQ(anchore_http_error(409, "{}", "x").code(), ErrorCode::conflict);
  EXPECT_EQ(anchore_http_error(503, "", "x").code(), ErrorCode::unavailable);
  EXPECT_EQ(anchore_http_error(400, "[1,2", "x").code(), ErrorCode::invalid_input);
}

TEST(MultipartBodyTest, SizeMatchesTheBytesAndPartsStream) {
  const std::string sbom = "{\"artifacts\":[]}";
  MultipartBody body("BOUNDARY");
  body.add_text("asset_name", "api");
  body.add_file("sbom", "sbom.json", "application/json", sbom.size(),
                [&] { return Result<std::unique_ptr<ByteSource>>(std::make_unique<MemorySource>(sbom)); });
  auto source = body.open();
  const std::string bytes = read_all(*source);
  EXPECT_EQ(bytes.size(), body.size());
  EXPECT_EQ(bytes,
            "--BOUNDARY\r\nContent-Disposition: form-data; name=\"asset_name\"\r\n\r\napi\r\n"
            "--BOUNDARY\r\nContent-Disposition: form-data; name=\"sbom\"; filename=\"sbom.json\"\r\n"
            "Content-Type: application/json\r\n\r\n{\"artifacts\":[]}\r\n--BOUNDARY--\r\n");
  EXPECT_EQ(body.content_type(), "multipart/form-data; boundary=BOUNDARY");
  // Opened again (a retry): the same bytes.
  auto again = body.open();
  EXPECT_EQ(read_all(*again), bytes);
}

TEST(MultipartBodyTest, APartThatIsNotItsRecordedSizeFails) {
  const std::string data = "12345";
  for (const std::uint64_t declared : {4u, 6u}) {
    MultipartBody body("B");
    body.add_file("sbom", "sbom.json", "application/json", declared,
                  [&] { return Result<std::unique_ptr<ByteSource>>(std::make_unique<MemorySource>(data)); });
    auto source = body.open();
    EXPECT_NE(read_all(*source).find("ERROR: an upload part is"), std::string::npos) << declared;
  }
}

TEST(MultipartBodyTest, QuotesCannotEndTheHeaderEarly) {
  MultipartBody body("B");
  body.add_text("a\"b\r\nX-Evil: 1", "v");
  auto source = body.open();
  const std::string bytes = read_all(*source);
  EXPECT_NE(bytes.find("name=\"a\\\"bX-Evil: 1\""), std::string::npos) << bytes;
}

class AnchoreClientTest : public ::testing::Test {
 protected:
  AnchoreClient client(RetryPolicy retry = {}) {
    AnchoreConnection c;
    c.url = "http://anchore.test:8228/";
    c.username = "admin";
    c.password = "pw";
    return AnchoreClient(m_http, c, retry, m_clock);
  }
  FakeHttpClient m_http;
  FakeClock m_clock;
};

TEST_F(AnchoreClientTest, BaseUrlWithOrWithoutV2AndTheHeadersOfEveryRequest) {
  auto c = client();
  EXPECT_EQ(c.url_for("/apps"), "http://anchore.test:8228/v2/apps");
  AnchoreConnection with_v2;
  with_v2.url = "https://a/v2";
  EXPECT_EQ(AnchoreClient(m_http, with_v2, {}, m_clock).url_for("/x"), "https://a/v2/x");
  m_http.on("/v2/health", {{200, {}, "", false}});
  ASSERT_OK(c.get("/health", "eng"));
  const auto request = m_http.requests().back();
  std::map<std::string, std::string> headers(request.headers.begin(), request.headers.end());
  EXPECT_EQ(headers["Authorization"], "Basic YWRtaW46cHc=");
  EXPECT_EQ(headers["x-anchore-account"], "eng");
  EXPECT_FALSE(request.follow_redirects);
  AnchoreConnection bearer;
  bearer.url = "https://a";
  bearer.bearer_token = "tok";
  AnchoreClient b(m_http, bearer, {}, m_clock);
  m_http.on("/v2/version", {{200, {}, "{}", false}});
  ASSERT_OK(b.get("/version", ""));
  const auto second = m_http.requests().back();
  std::map<std::string, std::string> h2(second.headers.begin(), second.headers.end());
  EXPECT_EQ(h2["Authorization"], "Bearer tok");
  EXPECT_EQ(h2.count("x-anchore-account"), 0u);
}

TEST_F(AnchoreClientTest, RetriesWhatMayHealAndHonoursRetryAfter) {
  auto c = client();
  m_http.on("/v2/apps", {{503, {}, "", false},
                          {429, {{"retry-after", "7"}}, "", false},
                          {0, {}, "", true},
                          {200, {}, R"({"items":[]})", false}});
  auto reply = c.get("/apps", "");
  ASSERT_OK(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(m_http.requests().size(), 4u);
  ASSERT_EQ(m_clock.sleeps.size(), 3u);
  EXPECT_EQ(m_clock.sleeps[1], std::chrono::milliseconds(7000));
  // Backoff grows, with jitter between half and all of each step.
  EXPECT_GE(m_clock.sleeps[0].count(), 500);
  EXPECT_LE(m_clock.sleeps[0].count(), 1000);
  EXPECT_GE(m_clock.sleeps[2].count(), 2000);
  EXPECT_LE(m_clock.sleeps[2].count(), 4000);
}

TEST_F(AnchoreClientTest, NeverRetriesARefusalAndA500OnlyThreeTimes) {
  auto c = client();
  m_http.on("/v2/apps", {{400, {}, R"({"message":"no"})", false}});
  auto reply = c.get("/apps", "");
  ASSERT_OK(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(m_http.requests().size(), 1u);
  m_http.on("/v2/version", {{500, {}, "", false}});
  ASSERT_OK(c.get("/version", ""));
  EXPECT_EQ(m_http.requests().size(), 1u + 4u);
  // Retries run out: the last answer is returned.
  RetryPolicy two;
  two.retries = 2;
  auto limited = client(two);
  m_http.on("/v2/health", {{503, {}, "", false}});
  auto last = limited.get("/health", "");
  ASSERT_OK(last);
  EXPECT_EQ(last->status, 503);
  EXPECT_EQ(m_http.requests().size(), 5u + 3u);
}

TEST_F(AnchoreClientTest, AnUploadWithoutAnAnswerIsNotSentAgain) {
  auto c = client();
  m_http.on("/jobs/add-imported-image-asset", {{0, {}, "", true}});
  MultipartBody body("B");
  body.add_text("asset_name", "api");
  EXPECT_ERROR_CODE(c.post_multipart("/apps/1/jobs/add-imported-image-asset", "", body), ErrorCode::unavailable);
  EXPECT_EQ(m_http.requests().size(), 1u);
  // …but a 503 (not processed) is.
  m_http.on("/jobs/add-imported-image-asset", {{503, {}, "", false}, {201, {}, "{}", false}});
  auto reply = c.post_multipart("/apps/1/jobs/add-imported-image-asset", "", body);
  ASSERT_OK(reply);
  EXPECT_EQ(reply->status, 201);
  const auto sent = m_http.requests().back();
  EXPECT_EQ(sent.body_size, body.size());
}

TEST_F(AnchoreClientTest, ListsFollowEveryPageAndNamesMatchExactly) {
  auto c = client();
  AnchoreApps apps(c);
  // The server's name filter is loose; only "shop" itself may match.
  m_http.on("/v2/apps", {{200, {}, R"({"items":[{"name":"shop-old","system_metadata":{"id":"1"}}],"pagination":{"next_cursor":"p2"}})", false},
                          {200, {}, R"({"items":[{"name":"shop","system_metadata":{"id":"2"}}],"pagination":{"next_cursor":""}})", false}});
  auto id = apps.find_app("", "shop");
  ASSERT_OK(id);
  ASSERT_TRUE(id->has_value());
  EXPECT_EQ(**id, "2");
  EXPECT_NE(m_http.requests()[1].url.find("cursor=p2"), std::string::npos);
  m_http.on("/v2/apps", {{200, {}, R"({"items":[{"name":"x","system_metadata":{"id":"1"}}],"pagination":{"next_cursor":"same"}})", false}});
  EXPECT_ERROR_CODE(apps.find_app("", "shop"), ErrorCode::invalid_input);  // a cursor that repeats forever
  m_http.on("/v2/apps", {{200, {}, "<html>login</html>", false}});
  EXPECT_ERROR_CODE(apps.find_app("", "shop"), ErrorCode::invalid_input);
}

TEST(AnchoreJobTest, JobIdComesFromJobIdElseSystemMetadata) {
  auto a = parse_anchore_job(nlohmann::json::parse(R"({"status":"pending","system_metadata":{"id":"m"}})"), "x");
  ASSERT_OK(a);
  EXPECT_EQ(a->id, "m");
  EXPECT_TRUE(a->warning.empty());
  auto b = parse_anchore_job(nlohmann::json::parse(R"({"job_id":"j","status":"complete","system_metadata":{"id":"m"}})"), "x");
  ASSERT_OK(b);
  EXPECT_EQ(b->id, "j");
  EXPECT_TRUE(b->terminal());
  EXPECT_FALSE(b->warning.empty());
  EXPECT_ERROR_CODE(parse_anchore_job(nlohmann::json::parse(R"({"status":"pending"})"), "x"), ErrorCode::invalid_input);
  EXPECT_ERROR_CODE(parse_anchore_job(nlohmann::json::parse("[]"), "x"), ErrorCode::invalid_input);
}

}  // namespace
}  // namespace airlock
