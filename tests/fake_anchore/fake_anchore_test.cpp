// Tests of the fake Anchore Enterprise server itself: the contract the
// black-box import tests rely on (auth, accounts, pagination, strict
// multipart validation, job progress, 5.x imports, faults, /_fake/state).
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "crypto/sha256.hpp"
#include "tests/support/fake_anchore.hpp"

namespace airlock {
namespace {

using nlohmann::json;
using testing::FakeAnchore;

constexpr const char* oci_manifest_type = "application/vnd.oci.image.manifest.v1+json";

httplib::Client client(const FakeAnchore& fake, const std::string& user = "admin",
                       const std::string& password = "foobar") {
  httplib::Client c(fake.host(), fake.port());
  c.set_read_timeout(std::chrono::seconds(10));
  if (!user.empty()) c.set_basic_auth(user, password);
  return c;
}

json body_of(const httplib::Result& res) { return json::parse(res->body); }

// Shape 1 (business error) and shape 2 (framework error) of anchore-api.md §7.1.
void expect_shape1(const httplib::Result& res, int status, const std::string& message_part) {
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, status) << res->body;
  const auto body = body_of(res);
  EXPECT_EQ(body["httpcode"], status);
  EXPECT_TRUE(body["detail"]["error_codes"].is_array());
  EXPECT_NE(body["message"].get<std::string>().find(message_part), std::string::npos) << res->body;
}

void expect_shape2(const httplib::Result& res, int status, const std::string& detail_part) {
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, status) << res->body;
  const auto body = body_of(res);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["status"], status);
  EXPECT_TRUE(body["title"].is_string());
  EXPECT_NE(body["detail"].get<std::string>().find(detail_part), std::string::npos) << res->body;
}

std::string create_app(httplib::Client& c, const std::string& name) {
  const json request = {{"name", name}, {"description", "test"}, {"contact", {{"name", "tester"}}}};
  const auto res = c.Post("/v2/apps", request.dump(), "application/json");
  EXPECT_TRUE(res && res->status == 201) << (res ? res->body : httplib::to_string(res.error()));
  return body_of(res)["system_metadata"]["id"];
}

std::string create_version(httplib::Client& c, const std::string& app_id, const std::string& name) {
  const auto res = c.Post("/v2/apps/" + app_id + "/versions", json{{"name", name}}.dump(), "application/json");
  EXPECT_TRUE(res && res->status == 201) << (res ? res->body : httplib::to_string(res.error()));
  return body_of(res)["system_metadata"]["id"];
}

// A small but consistent image: config, OCI manifest pointing at it, syft-json SBOM.
struct Image {
  std::string config;
  std::string manifest;
  std::string sbom;
  std::string digest;         // sha256:<manifest>
  std::string config_digest;  // sha256:<config>
};

Image make_image(const std::string& architecture = "amd64") {
  Image image;
  image.config = json{{"architecture", architecture},
                      {"os", "linux"},
                      {"rootfs", {{"type", "layers"}, {"diff_ids", {sha256("layer").oci()}}}}}
                     .dump();
  image.config_digest = sha256(image.config).oci();
  image.manifest = json{{"schemaVersion", 2},
                        {"mediaType", oci_manifest_type},
                        {"config",
                         {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                          {"digest", image.config_digest},
                          {"size", image.config.size()}}},
                        {"layers",
                         {{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                           {"digest", sha256("gz").oci()},
                           {"size", 2}}}}}
                       .dump();
  image.digest = sha256(image.manifest).oci();
  image.sbom = json{{"artifacts", json::array()},
                    {"artifactRelationships", json::array()},
                    {"source", {{"type", "image"}, {"metadata", {{"manifestDigest", image.digest}}}}},
                    {"distro", {{"name", "debian"}}},
                    {"descriptor", {{"name", "airlock"}, {"version", "0.1.0"}}},
                    {"schema",
                     {{"version", "16.1.10"},
                      {"url", "https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.1.10.json"}}}}
                   .dump();
  return image;
}

httplib::MultipartFormDataItems imported_parts(const std::string& version_id, const std::string& asset,
                                               const Image& image) {
  return {
      {"app_version_id", version_id, "", ""},
      {"asset_name", asset, "", ""},
      {"asset_type", "container", "", ""},
      {"annotations", R"({"team":"a"})", "", ""},
      {"image_reference", "docker.io/library/" + asset + ":1@" + image.digest, "", ""},
      {"image_digest", image.digest, "", ""},
      {"tags", json::array({"docker.io/library/" + asset + ":1"}).dump(), "", ""},
      {"local_image_id", image.config_digest, "", ""},
      {"platform", "linux/amd64", "", ""},
      {"sbom", image.sbom, "sbom.json", "application/json"},
      {"manifest", image.manifest, "manifest.json", oci_manifest_type},
      {"image_config", image.config, "config.json", "application/json"},
      {"dockerfile", "FROM scratch\n", "Dockerfile", "text/plain"},
  };
}

void set_part(httplib::MultipartFormDataItems& items, const httplib::MultipartFormData& part) {
  for (auto& item : items) {
    if (item.name == part.name) {
      item = part;
      return;
    }
  }
  items.push_back(part);
}

void remove_part(httplib::MultipartFormDataItems& items, const std::string& name) {
  std::erase_if(items, [&](const auto& item) { return item.name == name; });
}

std::string jobs_path(const std::string& app_id) { return "/v2/apps/" + app_id + "/jobs/add-imported-image-asset"; }

TEST(FakeAnchoreTest, RejectsMissingAndWrongCredentials) {
  auto fake = FakeAnchore::start();
  auto anonymous = client(fake, "");
  auto res = anonymous.Get("/v2/apps");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->body, "Unauthorized");
  EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "basic realm=\"Authentication required\"");
  auto wrong = client(fake, "admin", "nope");
  res = wrong.Get("/v2/apps");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->body, "Unauthorized");
  EXPECT_EQ(fake.state()["counters"]["unauthorized"], 2);
}

TEST(FakeAnchoreTest, AcceptsApiKeysAndBearerTokens) {
  auto fake = FakeAnchore::start({"--api-key", "k3y:admin", "--bearer", "t0ken:admin"});
  auto with_key = client(fake, "_api_key", "k3y");
  auto res = with_key.Get("/v2/apps");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  auto wrong_key = client(fake, "_api_key", "other");
  EXPECT_EQ(wrong_key.Get("/v2/apps")->status, 401);

  auto with_token = client(fake, "");
  with_token.set_bearer_token_auth("t0ken");
  EXPECT_EQ(with_token.Get("/v2/apps")->status, 200);
  auto wrong_token = client(fake, "");
  wrong_token.set_bearer_token_auth("nope");
  EXPECT_EQ(wrong_token.Get("/v2/apps")->status, 401);
}

TEST(FakeAnchoreTest, ScopesAccountsLikeTheEngine) {
  auto fake = FakeAnchore::start({"--user", "admin:foobar:admin:admin", "--user", "bob:pw:team-a", "--account",
                                  "team-b"});
  auto bob = client(fake, "bob", "pw");
  EXPECT_EQ(bob.Get("/v2/apps", {{"x-anchore-account", "team-a"}})->status, 200);
  expect_shape1(bob.Get("/v2/apps", {{"x-anchore-account", "team-b"}}), 403,
                "Not authorized. Requires permissions: domain=team-b action=readApplications target=*");
  expect_shape1(bob.Post("/v2/apps", {{"x-anchore-account", "ghost"}}, "{}", "application/json"), 403,
                "domain=ghost action=createApplications");

  // An admin may act in any account, even one that does not exist yet.
  auto admin = client(fake);
  admin.set_default_headers({{"x-anchore-account", "team-b"}});
  create_app(admin, "in-b");
  admin.set_default_headers({{"x-anchore-account", "ghost"}});
  EXPECT_EQ(admin.Get("/v2/apps")->status, 200);
  const auto state = fake.state();
  EXPECT_EQ(state["accounts"]["team-b"]["apps"][0]["name"], "in-b");
  EXPECT_TRUE(state["accounts"].contains("team-a"));
  EXPECT_EQ(state["counters"]["forbidden"], 2);
}

TEST(FakeAnchoreTest, CreatesAppsAndRefusesDuplicates) {
  auto fake = FakeAnchore::start();
  auto c = client(fake);
  const json request = {{"name", "shop"}, {"contact", {{"name", "ops"}}}};
  auto res = c.Post("/v2/apps", request.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  const auto app = body_of(res);
  EXPECT_EQ(app["name"], "shop");
  EXPECT_EQ(app["contact"]["name"], "ops");
  EXPECT_EQ(app["version_count"], 0);
  EXPECT_EQ(app["system_metadata"]["id"].get<std::string>().size(), 36u);
  EXPECT_TRUE(app["system_metadata"].contains("created_at"));
  expect_shape1(c.Post("/v2/apps", request.dump(), "application/json"), 409, "already exists");
  expect_shape2(c.Post("/v2/apps", json{{"name", "x"}}.dump(), "application/json"), 400, "contact");
  expect_shape2(c.Post("/v2/apps", "not json", "application/json"), 400, "JSON");

  const std::string app_id = app["system_metadata"]["id"];
  create_version(c, app_id, "1.0");
  expect_shape1(c.Post("/v2/apps/" + app_id + "/versions", json{{"name", "1.0"}}.dump(), "application/json"), 409,
                "already exists");
  expect_shape1(c.Post("/v2/apps/no-such-app/versions", json{{"name", "1.0"}}.dump(), "application/json"), 404,
                "Resource no-such-app not found");
  expect_shape2(c.Get("/v2/no-such-route"), 404, "requested URL was not found");

  res = c.Get("/v2/version");
  ASSERT_TRUE(res);
  EXPECT_EQ(body_of(res)["service"]["version"], "6.0.0-fake");
  EXPECT_EQ(c.Get("/v2/health")->status, 200);
}

TEST(FakeAnchoreTest, PaginatesAndFiltersNamesBySubstring) {
  auto fake = FakeAnchore::start();  // default page size 2
  auto c = client(fake);
  for (const char* name : {"web", "web-api", "db", "webshop", "cache", "old-web"}) create_app(c, name);

  std::set<std::string> names;
  std::string cursor;
  int pages = 0;
  do {
    httplib::Params params = {{"name", "web"}, {"limit", "100"}};
    if (!cursor.empty()) params.emplace("cursor", cursor);
    const auto res = c.Get("/v2/apps", params, {});
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const auto page = body_of(res);
    EXPECT_LE(page["items"].size(), 2u);
    EXPECT_EQ(page["pagination"]["item_count"], page["items"].size());
    for (const auto& item : page["items"]) names.insert(item["name"]);
    cursor = page["pagination"].value("next_cursor", "");
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(names, (std::set<std::string>{"web", "web-api", "webshop", "old-web"}));

  const auto one = c.Get("/v2/apps", httplib::Params{{"limit", "1"}}, {});
  EXPECT_EQ(body_of(one)["items"].size(), 1u);
  expect_shape2(c.Get("/v2/apps", httplib::Params{{"limit", "0"}}, {}), 400, "limit");
  expect_shape2(c.Get("/v2/apps", httplib::Params{{"cursor", "garbage!"}}, {}), 400, "cursor");
}

TEST(FakeAnchoreTest, ImportedImageJobRunsToCompleteAndBlocksASecondSubmit) {
  auto fake = FakeAnchore::start();
  auto c = client(fake);
  const auto app_id = create_app(c, "shop");
  const auto version_id = create_version(c, app_id, "1.0");
  const auto image = make_image();

  auto res = c.Post(jobs_path(app_id), imported_parts(version_id, "nginx", image));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  const auto job = body_of(res);
  EXPECT_EQ(job["status"], "pending");
  EXPECT_EQ(job["job_type"], "add-imported-image-asset");
  EXPECT_EQ(job["job_spec"]["asset"]["name"], "nginx");
  EXPECT_EQ(job["job_spec"]["asset"]["type"], "container");
  EXPECT_EQ(job["job_spec"]["app_version_id"], version_id);
  EXPECT_TRUE(job["failure_reason"].is_null());
  const std::string job_id = job["system_metadata"]["id"];

  // In flight: a second submit for the same asset name is refused.
  expect_shape1(c.Post(jobs_path(app_id), imported_parts(version_id, "nginx", image)), 409, "nginx");

  const auto first = body_of(c.Get("/v2/apps/" + app_id + "/jobs/" + job_id));
  EXPECT_TRUE(first["status"] == "processing" || first["status"] == "complete") << first;
  const auto second = body_of(c.Get("/v2/apps/" + app_id + "/jobs/" + job_id));
  EXPECT_EQ(second["status"], "complete") << second;

  const auto assets = body_of(c.Get("/v2/apps/" + app_id + "/versions/" + version_id + "/assets"));
  ASSERT_EQ(assets["items"].size(), 1u);
  EXPECT_EQ(assets["items"][0]["name"], "nginx");
  EXPECT_EQ(assets["items"][0]["image_reference"], "docker.io/library/nginx:1@" + image.digest);
  EXPECT_EQ(assets["items"][0]["annotations"]["team"], "a");

  // Complete: still refused, now because the asset exists.
  expect_shape1(c.Post(jobs_path(app_id), imported_parts(version_id, "nginx", image)), 409, "already exists");

  const auto listed = body_of(c.Get(jobs_path(app_id), httplib::Params{{"version_id", version_id}}, {}));
  EXPECT_EQ(listed["items"].size(), 1u);
  expect_shape1(c.Get("/v2/apps/" + app_id + "/jobs/no-such-job"), 404, "Resource no-such-job not found");

  const auto state = fake.state();
  ASSERT_EQ(state["jobs"].size(), 1u);
  const auto& seen = state["jobs"][0];
  EXPECT_EQ(seen["asset_name"], "nginx");
  EXPECT_EQ(seen["status"], "complete");
  EXPECT_EQ(seen["fields"]["image_digest"], image.digest);
  bool manifest_seen = false;
  for (const auto& part : seen["parts"]) {
    if (part["name"] != "manifest") continue;
    manifest_seen = true;
    EXPECT_EQ(part["filename"], "manifest.json");
    EXPECT_EQ(part["content_type"], oci_manifest_type);
    EXPECT_EQ(part["size"], image.manifest.size());
    EXPECT_EQ("sha256:" + part["sha256"].get<std::string>(), image.digest);
  }
  EXPECT_TRUE(manifest_seen);
  EXPECT_EQ(state["counters"]["job_posts"], 3);
  EXPECT_EQ(state["counters"]["jobs_created"], 1);
}

TEST(FakeAnchoreTest, RejectsInvalidPartsNamingThem) {
  auto fake = FakeAnchore::start({"--max-part-bytes", "65536"});
  auto c = client(fake);
  const auto app_id = create_app(c, "shop");
  const auto version_id = create_version(c, app_id, "1.0");
  const auto image = make_image();
  const auto other = make_image("arm64");
  using Mutation = std::function<void(httplib::MultipartFormDataItems&)>;
  const std::vector<std::pair<std::string, Mutation>> cases = {
      {"image_digest", [&](auto& p) { set_part(p, {"image_digest", other.digest, "", ""}); }},
      {"image_reference", [&](auto& p) { set_part(p, {"image_reference", "docker.io/library/nginx:1", "", ""}); }},
      {"'sbom' is required", [&](auto& p) { remove_part(p, "sbom"); }},
      {"'app_version_id' is required", [&](auto& p) { remove_part(p, "app_version_id"); }},
      {"sbom", [&](auto& p) { set_part(p, {"sbom", R"({"artifacts":[]})", "sbom.json", "application/json"}); }},
      {"sbom", [&](auto& p) { set_part(p, {"sbom", image.sbom, "bom.json", "application/json"}); }},
      {"manifest", [&](auto& p) { set_part(p, {"manifest", image.manifest, "manifest.json", "application/json"}); }},
      {"image_config",
       [&](auto& p) { set_part(p, {"image_config", other.config, "config.json", "application/json"}); }},
      {"asset_name", [&](auto& p) { set_part(p, {"asset_name", "nginx", "name.txt", "text/plain"}); }},
      {"asset_type", [&](auto& p) { set_part(p, {"asset_type", "banana", "", ""}); }},
      {"annotations",
       [&](auto& p) {
         json many = json::object();
         for (int i = 0; i < 11; ++i) many["k" + std::to_string(i)] = "v";
         set_part(p, {"annotations", many.dump(), "", ""});
       }},
      {"annotations", [&](auto& p) { set_part(p, {"annotations", R"({"n":1})", "", ""}); }},
      {"tags", [&](auto& p) { set_part(p, {"tags", "nginx:1", "", ""}); }},
      {"parent_digest", [&](auto& p) { set_part(p, {"parent_digest", other.digest, "", ""}); }},
      {"local_image_id", [&](auto& p) { set_part(p, {"local_image_id", other.config_digest, "", ""}); }},
      {"bogus", [&](auto& p) { set_part(p, {"bogus", "x", "", ""}); }},
      {"dockerfile", [&](auto& p) { set_part(p, {"dockerfile", "FROM x", "Dockerfile", "application/json"}); }},
      {"too large",
       [&](auto& p) { set_part(p, {"dockerfile", std::string(70000, '#'), "Dockerfile", "text/plain"}); }},
  };
  for (const auto& [needle, mutate] : cases) {
    auto parts = imported_parts(version_id, "nginx", image);
    mutate(parts);
    SCOPED_TRACE(needle);
    expect_shape2(c.Post(jobs_path(app_id), parts), 400, needle);
  }
  expect_shape1(c.Post(jobs_path(app_id), imported_parts("no-such-version", "nginx", image)), 404,
                "Resource no-such-version not found");
  EXPECT_TRUE(fake.state()["jobs"].empty());
  // The valid request still goes through afterwards.
  EXPECT_EQ(c.Post(jobs_path(app_id), imported_parts(version_id, "nginx", image))->status, 201);
}

// A client that lost a job id (crash, dropped answer) only looks at assets;
// jobs must finish without being polled.
TEST(FakeAnchoreTest, JobsAlsoFinishWithTime) {
  auto fake = FakeAnchore::start({"--job-steps", "2"});
  auto c = client(fake);
  const auto app_id = create_app(c, "shop");
  const auto version_id = create_version(c, app_id, "1.0");
  ASSERT_EQ(c.Post(jobs_path(app_id), imported_parts(version_id, "nginx", make_image()))->status, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // > 2 steps of 300 ms
  const auto assets = body_of(c.Get("/v2/apps/" + app_id + "/versions/" + version_id + "/assets"));
  ASSERT_EQ(assets["items"].size(), 1u);
  const auto jobs = body_of(c.Get("/v2/apps/" + app_id + "/jobs"));
  EXPECT_EQ(jobs["items"][0]["status"], "complete");
  EXPECT_EQ(fake.state()["jobs"][0]["polls"], 0);
}

TEST(FakeAnchoreTest, FailedJobsCreateNoAssetAndDoNotBlockResubmission) {
  auto fake = FakeAnchore::start({"--job-fail-asset", "broken", "--job-steps", "1"});
  auto c = client(fake);
  const auto app_id = create_app(c, "shop");
  const auto version_id = create_version(c, app_id, "1.0");
  const auto image = make_image();
  const auto job = body_of(c.Post(jobs_path(app_id), imported_parts(version_id, "broken", image)));
  const auto polled = body_of(c.Get("/v2/apps/" + app_id + "/jobs/" + job["system_metadata"]["id"].get<std::string>()));
  EXPECT_EQ(polled["status"], "failed");
  EXPECT_TRUE(polled["failure_reason"].is_string());
  EXPECT_TRUE(body_of(c.Get("/v2/apps/" + app_id + "/versions/" + version_id + "/assets"))["items"].empty());
  EXPECT_EQ(c.Post(jobs_path(app_id), imported_parts(version_id, "broken", image))->status, 201);
  const auto failed = body_of(c.Get("/v2/apps/" + app_id + "/jobs", httplib::Params{{"status", "failed"}}, {}));
  EXPECT_EQ(failed["items"].size(), 1u);
}

TEST(FakeAnchoreTest, ContainerImageJobNeedsADigestPinnedReference) {
  auto fake = FakeAnchore::start();
  auto c = client(fake);
  const auto app_id = create_app(c, "shop");
  const auto version_id = create_version(c, app_id, "1.0");
  const std::string path = "/v2/apps/" + app_id + "/jobs/add-container-image-asset";
  httplib::MultipartFormDataItems parts = {{"app_version_id", version_id, "", ""},
                                           {"asset_name", "redis", "", ""},
                                           {"asset_type", "container", "", ""},
                                           {"image_reference", "docker.io/library/redis:7", "", ""},
                                           {"annotations", "{}", "", ""}};
  expect_shape2(c.Post(path, parts), 400, "image_reference");
  set_part(parts, {"image_reference", "docker.io/library/redis:7@" + make_image().digest, "", ""});
  const auto res = c.Post(path, parts);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  EXPECT_EQ(body_of(res)["job_type"], "add-container-image-asset");
}

TEST(FakeAnchoreTest, V5ModeServesTheImportsApi) {
  auto fake = FakeAnchore::start({"--api", "v5", "--job-steps", "2"});
  auto c = client(fake);
  expect_shape2(c.Get("/v2/apps"), 404, "not found");
  const auto image = make_image();

  const auto op = body_of(c.Post("/v2/imports/images"));
  EXPECT_EQ(op["status"], "pending");
  const std::string base = "/v2/imports/images/" + op["uuid"].get<std::string>();
  auto upload = [&](const std::string& kind, const std::string& body, const std::string& type) {
    const auto res = c.Post(base + "/" + kind, body, type);
    EXPECT_TRUE(res && res->status == 200) << kind << ": " << (res ? res->body : "");
    return body_of(res)["digest"].get<std::string>();
  };
  const auto sbom = upload("packages", image.sbom, "application/json");
  EXPECT_EQ("sha256:" + sbom, sha256(image.sbom).oci());
  expect_shape2(c.Post(base + "/manifest", image.manifest, "application/json"), 415, "Content-type");
  const auto manifest = upload("manifest", image.manifest, oci_manifest_type);
  const auto config = upload("image-config", image.config, "application/json");
  expect_shape1(c.Post("/v2/imports/images/no-such-op/manifest", image.manifest, oci_manifest_type), 404,
                "not found");

  json import = {{"contents", {{"packages", sbom}, {"manifest", manifest}, {"image_config", sha256("x").hex()}}},
                 {"tags", {"docker.io/library/nginx:1"}},
                 {"digest", image.digest},
                 {"local_image_id", image.config_digest},
                 {"operation_uuid", op["uuid"]}};
  expect_shape1(c.Post("/v2/images", json{{"source", {{"import", import}}}}.dump(), "application/json"), 400,
                "One or more referenced content digests not found for the operation id");
  import["contents"]["image_config"] = config;
  const auto res = c.Post("/v2/images", json{{"source", {{"import", import}}}, {"annotations", {{"k", "v"}}}}.dump(),
                          "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto record = body_of(res)[0];
  EXPECT_EQ(record["imageDigest"], image.digest);
  EXPECT_EQ(record["analysis_status"], "not_analyzed");
  EXPECT_EQ(record["annotations"]["k"], "v");
  EXPECT_EQ(record["image_detail"][0]["fulltag"], "docker.io/library/nginx:1");

  const auto first = body_of(c.Get("/v2/images/" + image.digest))[0];
  EXPECT_TRUE(first["analysis_status"] == "analyzing" || first["analysis_status"] == "analyzed");
  EXPECT_EQ(body_of(c.Get("/v2/images/" + image.digest))[0]["analysis_status"], "analyzed");
  const auto state = fake.state();
  EXPECT_EQ(state["api"], "v5");
  EXPECT_EQ(state["import_operations"][0]["status"], "complete");
  EXPECT_EQ(state["images"].size(), 1u);
}

TEST(FakeAnchoreTest, DroppedConnectionsAreTransportErrorsEvenWhenProcessed) {
  auto fake = FakeAnchore::start({"--drop", "1.0", "--seed", "7"});
  auto c = client(fake);
  constexpr int attempts = 12;
  for (int i = 0; i < attempts; ++i) {
    const json request = {{"name", "app-" + std::to_string(i)}, {"contact", {{"name", "x"}}}};
    const auto res = c.Post("/v2/apps", request.dump(), "application/json");
    EXPECT_FALSE(res) << "attempt " << i << " got HTTP " << res->status;
  }
  const auto state = fake.state();
  EXPECT_EQ(state["counters"]["dropped"], attempts);
  EXPECT_EQ(state["counters"]["requests"], attempts);
  // Some were processed before their answer was lost, some never were.
  const auto created = state["accounts"]["admin"]["apps"].size();
  EXPECT_GT(created, 0u);
  EXPECT_LT(created, static_cast<std::size_t>(attempts));
}

TEST(FakeAnchoreTest, InjectsRateLimitsAndServerErrors) {
  auto limited = FakeAnchore::start({"--rate-429", "1.0", "--retry-after", "7"});
  auto c = client(limited);
  auto res = c.Get("/v2/apps");
  expect_shape1(res, 429, "");
  EXPECT_EQ(res->get_header_value("Retry-After"), "7");
  EXPECT_EQ(limited.state()["counters"]["faulted"], 1);

  auto failing = FakeAnchore::start({"--fail-503", "0.5", "--fail-500", "0.5"});
  auto f = client(failing);
  std::set<int> statuses;
  for (int i = 0; i < 20; ++i) statuses.insert(f.Get("/v2/apps")->status);
  EXPECT_EQ(statuses, (std::set<int>{500, 503}));
}

TEST(FakeAnchoreTest, StopsCleanlyAndRejectsBadFlags) {
  const auto dir = std::filesystem::temp_directory_path() / ("fake-anchore-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto fake = FakeAnchore::start({"--port-file", (dir / "port").string()});
  std::ifstream port_file(dir / "port");
  int port = 0;
  port_file >> port;
  EXPECT_EQ(port, fake.port());
  EXPECT_EQ(fake.stop(), 0);
  std::filesystem::remove_all(dir);

  EXPECT_THROW(FakeAnchore::start({"--no-such-flag"}), std::runtime_error);
  const int status = std::system((FakeAnchore::binary() + " --page-size zero 2>/dev/null").c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace airlock
