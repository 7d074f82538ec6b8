// Black-box tests of import into Anchore Enterprise 5.x (the imports API, no
// apps): the real binary against the fake server in --api v5 mode, with
// detection, re-imports, failed analyses, faults and kill -9.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "tests/cli/import_cli_fixture.hpp"

namespace airlock {
namespace {

using testing::FakeAnchore;

class ImportV5CliTest : public testing::ImportCliTest {
 protected:
  // Analyzes COUNT different images as assets a0, a1, … (5.x keeps one image
  // record per digest, so each item needs its own image to be told apart).
  void analyze_distinct(int count, const std::map<int, std::string>& annotations = {}) {
    nlohmann::json batch = nlohmann::json::array();
    for (int i = 0; i < count; ++i) {
      const auto layout = m_dir / ("layout-" + std::to_string(i));
      const auto image = testing::make_image({{{"etc/os-release", FileType::regular, "ID=debian\nVERSION_ID=12\n"},
                                               {"etc/build-id", FileType::regular, std::to_string(i) + "\n"}}});
      testing::write_oci_layout({image}, layout);
      nlohmann::json entry = {{"image", layout.string()}, {"asset", "a" + std::to_string(i)}, {"account", "eng"}};
      if (const auto it = annotations.find(i); it != annotations.end()) entry["annotations"] = it->second;
      batch.push_back(std::move(entry));
    }
    const auto file = m_dir / "batch-distinct.json";
    std::ofstream(file) << batch.dump();
    const auto r = run({"analyze", "--batch", file.string(), "--app", "shop", "--version", "1", "--store", store()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  // The fake's image records by their (only) tag.
  static std::map<std::string, nlohmann::json> images_by_tag(const nlohmann::json& state) {
    std::map<std::string, nlohmann::json> out;
    for (const auto& image : state["images"]) {
      EXPECT_EQ(image["image_detail"].size(), 1u) << image.dump();
      out[image["image_detail"][0]["fulltag"].get<std::string>()] = image;
    }
    return out;
  }
  // Import operations that were finalized: one per image sent.
  static int finalized_operations(const nlohmann::json& state) {
    int n = 0;
    for (const auto& op : state["import_operations"]) n += op["status"] == "complete";
    return n;
  }
  static nlohmann::json operation(const nlohmann::json& state, const std::string& uuid) {
    for (const auto& op : state["import_operations"]) {
      if (op["uuid"] == uuid) return op;
    }
    return nullptr;
  }
};

TEST_F(ImportV5CliTest, ImportsEachItemAsAnImageAndWaitsForItsAnalysis) {
  analyze_distinct(4, {{0, "team=payments,tier=gold"}});
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  auto fake = FakeAnchore::start({"--api", "v5"});
  const auto report_path = (m_dir / "report.json").string();
  const auto r = import(fake, {bundle, "--api", "v5", "--wait", "--report", report_path});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("4 submitted now"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("complete  eng:shop/1/a0  image sha256:"), std::string::npos) << r.out;

  const auto state = fake.state();
  EXPECT_EQ(state["api"], "v5");
  const auto images = images_by_tag(state);
  ASSERT_EQ(images.size(), 4u) << state.dump();
  EXPECT_EQ(finalized_operations(state), 4);
  for (const auto& [tag, image] : images) {
    SCOPED_TRACE(tag);
    EXPECT_EQ(image["account"], "eng");
    EXPECT_EQ(image["analysis_status"], "analyzed");
    // The import manifest (anchore-api.md §4.5) and the operation agree.
    const auto& m = image["import_manifest"];
    EXPECT_EQ(m["digest"], image["imageDigest"]);
    EXPECT_EQ(m["tags"], nlohmann::json::array({tag}));
    EXPECT_EQ(m["operation_uuid"], image["operation_uuid"]);
    EXPECT_TRUE(m["local_image_id"].get<std::string>().starts_with("sha256:")) << m.dump();
    EXPECT_FALSE(m.contains("parent_digest"));
    const auto op = operation(state, image["operation_uuid"]);
    ASSERT_TRUE(op.is_object());
    EXPECT_EQ(op["status"], "complete");
    std::map<std::string, nlohmann::json> uploaded;
    for (const auto& c : op["contents"]) uploaded[c["kind"].get<std::string>()] = c;
    EXPECT_EQ(uploaded.size(), m["contents"].size()) << op.dump() << m.dump();
    for (const auto& [key, digest] : m["contents"].items()) EXPECT_EQ(uploaded[key]["digest"], digest) << key;
    EXPECT_EQ(uploaded["packages"]["content_type"], "application/json");
    EXPECT_EQ(uploaded["manifest"]["content_type"], "application/vnd.oci.image.manifest.v1+json");
    EXPECT_EQ(uploaded["image_config"]["content_type"], "application/json");
    EXPECT_EQ("sha256:" + m["contents"]["manifest"].get<std::string>(), image["imageDigest"]);
  }
  EXPECT_EQ(images.at("localhost/a0:latest")["annotations"], (nlohmann::json{{"team", "payments"}, {"tier", "gold"}}));
  EXPECT_EQ(images.at("localhost/a1:latest")["annotations"], nlohmann::json::object());

  const auto report = nlohmann::json::parse(std::ifstream(report_path));
  EXPECT_EQ(report["api"], "v5");
  ASSERT_EQ(report["items"].size(), 4u);
  std::set<std::string> digests;
  for (const auto& [tag, image] : images) digests.insert(image["imageDigest"].get<std::string>());
  for (const auto& item : report["items"]) {
    EXPECT_EQ(item["state"], "complete");
    EXPECT_EQ(item["app"], "shop");  // the report keeps what 5.x has no place for
    const auto job = item["job_id"].get<std::string>();
    ASSERT_TRUE(job.starts_with("image:")) << job;
    EXPECT_TRUE(digests.contains(job.substr(6))) << job;
  }

  // Again: nothing is sent.
  const auto counters = state["counters"];
  const auto again = import(fake, {bundle, "--api", "v5", "--wait"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 submitted now"), std::string::npos) << again.out;
  const auto after = fake.state();
  EXPECT_EQ(after["counters"]["uploads"], counters["uploads"]);
  EXPECT_EQ(after["counters"]["image_posts"], counters["image_posts"]);
  EXPECT_EQ(after["import_operations"].size(), state["import_operations"].size());
}

TEST_F(ImportV5CliTest, AutoDetectsEnterprise5AndSaysSo) {
  analyze_distinct(2);
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  auto fake = FakeAnchore::start({"--api", "v5"});
  // A dry run detects, but creates nothing.
  const auto dry = import(fake, {bundle, "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.err.find("Anchore Enterprise 5.x"), std::string::npos) << dry.err;
  EXPECT_NE(dry.out.find("would import image sha256:"), std::string::npos) << dry.out;
  EXPECT_EQ(fake.state()["import_operations"].size(), 0u);
  EXPECT_EQ(fake.state()["counters"]["uploads"], 0);

  // --api v6 never asks: the apps API is simply missing.
  const auto v6 = import(fake, {bundle, "--api", "v6", "--create-missing"});
  EXPECT_EQ(v6.exit_code, 1) << v6.out << v6.err;
  EXPECT_NE(v6.out.find("HTTP 404"), std::string::npos) << v6.out;
  EXPECT_EQ(fake.state()["counters"]["image_posts"], 0);

  // The default (auto) switches to the imports API for the run, and the
  // items that failed above go in.
  const auto r = import(fake, {bundle, "--wait", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("GET /v2/apps"), std::string::npos) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["api"], "v5");
  for (const auto& item : report["items"]) EXPECT_EQ(item["state"], "complete") << item.dump();
  const auto images = images_by_tag(fake.state());
  EXPECT_EQ(images.size(), 2u);
  EXPECT_TRUE(images.contains("localhost/a1:latest"));
}

TEST_F(ImportV5CliTest, V5AgainstA6xServerSaysWhatToUse) {
  analyze_distinct(1);
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  auto fake = FakeAnchore::start();
  const auto r = import(fake, {bundle, "--api", "v5"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("use --api v6"), std::string::npos) << r.out;
  EXPECT_EQ(fake.state()["jobs"].size(), 0u);
  // The item is not stuck: the right API takes it.
  const auto fixed = import(fake, {bundle, "--create-missing", "--wait"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
  EXPECT_EQ(jobs_by_asset(fake.state())["a0"], std::vector<std::string>{"complete"});
}

TEST_F(ImportV5CliTest, AFailedAnalysisFailsItsItem) {
  analyze_distinct(3);
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  auto fake = FakeAnchore::start({"--api", "v5", "--job-fail-asset", "a1"});
  const auto r = import(fake, {bundle, "--wait", "--json"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  const auto report = nlohmann::json::parse(r.out);
  std::map<std::string, std::string> states;
  for (const auto& item : report["items"]) states[item["asset"]] = item["state"];
  EXPECT_EQ(states, (std::map<std::string, std::string>{{"a0", "complete"}, {"a1", "failed"}, {"a2", "complete"}}));
}

TEST_F(ImportV5CliTest, FaultsRetriedUntilEveryImageIsInOnce) {
  analyze_distinct(10);
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  auto fake = FakeAnchore::start(
      {"--api", "v5", "--fail-503", "0.3", "--rate-429", "0.2", "--drop", "0.1", "--retry-after", "0", "--seed", "11"});
  const auto r = import(fake, {bundle, "--wait", "--retries", "30"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto state = fake.state();
  const auto images = images_by_tag(state);
  EXPECT_EQ(images.size(), 10u);
  for (const auto& [tag, image] : images) EXPECT_EQ(image["analysis_status"], "analyzed") << tag;
  // A lost finalize answer was looked up, not sent again.
  EXPECT_EQ(finalized_operations(state), 10);
  EXPECT_GT(state["counters"]["faulted"].get<int>(), 0);
  EXPECT_GT(state["counters"]["dropped"].get<int>(), 0);
}

TEST_F(ImportV5CliTest, KillNineAtRandomPointsThenRerunGivesOneImportPerItem) {
  constexpr int items = 12;
  analyze_distinct(items);
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  const std::vector<std::string> slow = {"--api", "v5", "--latency-ms", "20"};
  // How long a run takes on this machine (this build: sanitizers are slow):
  // the fixed cost of a run with nothing to do, and the cost of an item.
  using clock = std::chrono::steady_clock;
  const auto ms = [](clock::duration d) { return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()); };
  int fixed_ms = 0, per_item_ms = 0;
  {
    auto scratch = FakeAnchore::start(slow);
    const std::string scratch_state = (m_dir / "scratch-state").string();
    ASSERT_EQ(run({"trust", "add", (m_dir / "keys" / "airlock.pub").string(), "--accounts", "eng", "--state",
                   scratch_state}).exit_code, 0);
    const std::vector<std::string> args = {"import", bundle, "--url", scratch.url(), "--username", "admin",
                                           "--password", "foobar", "--state", scratch_state, "--concurrency", "1",
                                           "--no-progress"};
    const auto t0 = clock::now();
    ASSERT_EQ(run(args).exit_code, 0);
    const auto t1 = clock::now();
    ASSERT_EQ(run(args).exit_code, 0);
    fixed_ms = ms(clock::now() - t1);
    per_item_ms = std::max(1, (ms(t1 - t0) - fixed_ms) / items);
  }
  std::cerr << "a run costs " << fixed_ms << " ms, an item " << per_item_ms << " ms\n";

  // Kill points from just before the first item to two items in: each
  // killed run gets about one item further, often mid-item.
  auto fake = FakeAnchore::start(slow);
  std::mt19937 rng(2026);
  std::uniform_int_distribution<int> kill_at(fixed_ms * 3 / 4, fixed_ms + 2 * per_item_ms);
  int killed = 0;
  for (int round = 0; round < 24; ++round) {
    const auto r = import(fake, {bundle, "--concurrency", "1"}, kill_at(rng));
    killed += r.exit_code == 128 + SIGKILL;
  }
  EXPECT_GE(killed, 8) << "too few runs were killed mid-way";
  std::cerr << killed << " of 24 runs killed mid-way\n";

  const auto last = import(fake, {bundle, "--wait"});
  EXPECT_EQ(last.exit_code, 0) << last.out << last.err;
  const auto state = fake.state();
  const auto images = images_by_tag(state);
  EXPECT_EQ(images.size(), static_cast<std::size_t>(items));
  for (const auto& [tag, image] : images) EXPECT_EQ(image["analysis_status"], "analyzed") << tag;
  // Each image was finalized once: an import whose answer the kill lost was
  // found by its digest, not sent again.
  EXPECT_EQ(finalized_operations(state), items);
  const auto again = import(fake, {bundle});
  EXPECT_NE(again.out.find("0 submitted now"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace airlock
