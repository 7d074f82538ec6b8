// Black-box tests of trust and import: the real binary against the in-repo
// fake Anchore server (tests/fake_anchore), with faults, crashes and bad
// bundles.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "tests/cli/import_cli_fixture.hpp"

namespace airlock {
namespace {

using testing::FakeAnchore;
using testing::ImportCliTest;

TEST_F(ImportCliTest, HappyPathAcrossPagesThenReimportSendsNothing) {
  analyze(5);
  const auto bundle = export_bundle("t1.airlock");
  trust("eng");
  auto fake = FakeAnchore::start({"--page-size", "2"});
  const auto report_path = (m_dir / "report.json").string();
  const auto r = import(fake, {bundle, "--wait", "--create-missing", "--report", report_path});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("5 submitted now"), std::string::npos) << r.out;
  const auto state = fake.state();
  const auto jobs = jobs_by_asset(state);
  ASSERT_EQ(jobs.size(), 5u);
  for (const auto& [asset, states] : jobs) EXPECT_EQ(states, std::vector<std::string>{"complete"}) << asset;
  // The parts as DESIGN §6.1 names them.
  const auto& job = state["jobs"][0];
  std::map<std::string, nlohmann::json> parts;
  for (const auto& p : job["parts"]) parts[p["name"].get<std::string>()] = p;
  EXPECT_EQ(parts["sbom"]["filename"], "sbom.json");
  EXPECT_EQ(parts["sbom"]["content_type"], "application/json");
  EXPECT_EQ(parts["manifest"]["filename"], "manifest.json");
  EXPECT_EQ(parts["manifest"]["content_type"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(parts["image_config"]["filename"], "config.json");
  EXPECT_EQ(job["account"], "eng");
  const auto report = nlohmann::json::parse(std::ifstream(report_path));
  ASSERT_EQ(report["items"].size(), 5u);
  for (const auto& item : report["items"]) {
    EXPECT_EQ(item["state"], "complete");
    EXPECT_FALSE(item["job_id"].get<std::string>().empty());
  }

  // Again: nothing is sent, exit 0.
  const auto again = import(fake, {bundle, "--wait"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 submitted now"), std::string::npos) << again.out;
  EXPECT_EQ(jobs_by_asset(fake.state()).size(), 5u);
  EXPECT_EQ(fake.state()["jobs"].size(), 5u);
  // A later bundle with --all repeats the items: still nothing new.
  const auto all = export_bundle("t2.airlock", {"--all"});
  const auto third = import(fake, {all});
  EXPECT_EQ(third.exit_code, 0) << third.out << third.err;
  EXPECT_EQ(fake.state()["jobs"].size(), 5u);
}

TEST_F(ImportCliTest, TamperedOrUntrustedBundlesReachNoServer) {
  analyze(2);
  const auto bundle = export_bundle("t.airlock");
  auto fake = FakeAnchore::start();
  // Not trusted yet.
  auto r = import(fake, {bundle});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("not trusted"), std::string::npos) << r.out << r.err;
  trust("eng");
  // One flipped byte in the middle.
  const auto tampered = (m_dir / "tampered.airlock").string();
  {
    std::ifstream in(bundle, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    bytes[bytes.size() / 2] ^= 0x01;
    std::ofstream(tampered, std::ios::binary) << bytes;
  }
  r = import(fake, {tampered, "--create-missing"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(fake.state()["counters"]["requests"], 0) << fake.state().dump();
  // Revoked: refused too.
  ASSERT_EQ(run({"trust", "revoke", "plant-a", "--state", state()}).exit_code, 0);
  r = import(fake, {bundle, "--create-missing"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("revoked"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(fake.state()["counters"]["requests"], 0);
}

TEST_F(ImportCliTest, ItemsForAccountsTheKeyIsNotTrustedForAreRefused) {
  analyze(2, "eng");
  analyze(1, "finance", "f");
  const auto bundle = export_bundle("t.airlock");
  trust("eng,ops");
  auto fake = FakeAnchore::start();
  const auto r = import(fake, {bundle, "--create-missing", "--json"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  const auto report = nlohmann::json::parse(r.out);
  int refused = 0;
  for (const auto& item : report["items"]) {
    if (item["account"] == "finance") {
      EXPECT_EQ(item["state"], "refused");
      ++refused;
    } else {
      EXPECT_EQ(item["state"], "submitted");
    }
  }
  EXPECT_EQ(refused, 1);
  const auto jobs = jobs_by_asset(fake.state());
  EXPECT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs.count("f0"), 0u);
  // Every item refused: exit 3.
  const auto only = (m_dir / "state2").string();
  ASSERT_EQ(run({"trust", "add", (m_dir / "keys" / "airlock.pub").string(), "--accounts", "ops", "--state", only}).exit_code, 0);
  const auto none = run({"import", bundle, "--url", fake.url(), "--username", "admin", "--password", "foobar", "--state", only});
  EXPECT_EQ(none.exit_code, 3) << none.out << none.err;
}

TEST_F(ImportCliTest, FaultsRetriedUntilEveryItemIsInExactlyOnce) {
  analyze(20);
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  auto fake = FakeAnchore::start({"--fail-503", "0.3", "--rate-429", "0.2", "--drop", "0.1", "--retry-after", "0", "--seed", "11"});
  const auto r = import(fake, {bundle, "--wait", "--create-missing", "--retries", "30"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto state = fake.state();
  const auto jobs = jobs_by_asset(state);
  EXPECT_EQ(jobs.size(), 20u);
  for (const auto& [asset, states] : jobs) EXPECT_EQ(states, std::vector<std::string>{"complete"}) << asset;
  EXPECT_GT(state["counters"]["faulted"].get<int>(), 0);
  EXPECT_GT(state["counters"]["dropped"].get<int>(), 0);
}

TEST_F(ImportCliTest, KillNineAtRandomPointsThenRerunGivesOneJobPerItem) {
  // Enough items, one at a time against a slow server, that each killed run
  // gets a few items further: at least 20 runs die mid-way.
  analyze(40);
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  auto fake = FakeAnchore::start({"--latency-ms", "40"});
  std::mt19937 rng(2026);
  int killed = 0;
  for (int round = 0; round < 32; ++round) {
    const int delay = 40 + static_cast<int>(rng() % 160);
    const auto r = import(fake, {bundle, "--create-missing", "--concurrency", "1"}, delay);
    killed += r.exit_code == 128 + SIGKILL;
  }
  EXPECT_GE(killed, 20) << "too few runs were killed mid-way";
  std::cerr << killed << " of 32 runs killed mid-way\n";
  const auto last = import(fake, {bundle, "--wait", "--create-missing"});
  EXPECT_EQ(last.exit_code, 0) << last.out << last.err;
  const auto jobs = jobs_by_asset(fake.state());
  EXPECT_EQ(jobs.size(), 40u);
  for (const auto& [asset, states] : jobs) {
    int live = 0;
    for (const auto& s : states) live += s != "failed" && s != "cancelled";
    EXPECT_EQ(live, 1) << asset;
  }
  const auto again = import(fake, {bundle});
  EXPECT_NE(again.out.find("0 submitted now"), std::string::npos) << again.out;
}

TEST_F(ImportCliTest, DryRunSendsNoJobAndRecordsNothing) {
  analyze(3);
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  auto fake = FakeAnchore::start();
  const auto dry = import(fake, {bundle, "--dry-run", "--create-missing"});
  EXPECT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("would-submit"), std::string::npos) << dry.out;
  EXPECT_EQ(fake.state()["counters"]["job_posts"], 0);
  std::size_t apps = 0;
  const auto after_dry_run = fake.state();  // kept: a loop over a temporary's member would outlive it
  for (const auto& [name, account] : after_dry_run["accounts"].items()) apps += account["apps"].size();
  EXPECT_EQ(apps, 0u) << "a dry run creates nothing";
  const auto real = import(fake, {bundle, "--create-missing"});
  EXPECT_EQ(real.exit_code, 0) << real.out << real.err;
  EXPECT_EQ(fake.state()["jobs"].size(), 3u);
}

TEST_F(ImportCliTest, WrongPasswordAndMissingAppsAreClearErrors) {
  analyze(2);
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  auto fake = FakeAnchore::start();
  const auto bad = run({"import", bundle, "--url", fake.url(), "--username", "admin", "--password", "wrong", "--state",
                        state(), "--create-missing"});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE((bad.out + bad.err).find("HTTP 401"), std::string::npos) << bad.out << bad.err;
  EXPECT_EQ(fake.state()["counters"]["job_posts"], 0);
  const auto missing = import(fake, {bundle});
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_NE(missing.out.find("app 'shop' does not exist in account 'eng'"), std::string::npos) << missing.out;
  // The failed items are retried by the next run.
  const auto fixed = import(fake, {bundle, "--create-missing"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
  EXPECT_EQ(fake.state()["jobs"].size(), 2u);
  // No URL, no credentials: usage errors.
  EXPECT_EQ(run({"import", bundle, "--state", state()}).exit_code, 2);
  EXPECT_EQ(run({"import", bundle, "--state", state(), "--url", fake.url()}).exit_code, 2);
}

TEST_F(ImportCliTest, SequenceGapsAreReportedOrRefused) {
  analyze(1);
  const auto first = export_bundle("s1.airlock");
  analyze(1, "eng", "b");
  const auto second = export_bundle("s2.airlock");
  trust("eng");
  auto fake = FakeAnchore::start();
  const auto refused = import(fake, {second, "--create-missing", "--require-contiguous"});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_EQ(fake.state()["counters"]["job_posts"], 0);
  const auto gap = import(fake, {second, "--create-missing"});
  EXPECT_EQ(gap.exit_code, 0) << gap.out << gap.err;
  EXPECT_NE(gap.err.find("arrived before sequence(s) 1"), std::string::npos) << gap.err;
  const auto rest = import(fake, {first, "--require-contiguous"});
  EXPECT_EQ(rest.exit_code, 0) << rest.out << rest.err;
  EXPECT_EQ(fake.state()["jobs"].size(), 2u);
}

TEST_F(ImportCliTest, EncryptedBundlesNeedTheRecipientsKey) {
  analyze(1);
  ASSERT_EQ(run({"keygen", "--out", (m_dir / "receiver").string()}).exit_code, 0);
  const auto bundle = export_bundle("sealed.airlock", {"--recipient", (m_dir / "receiver" / "airlock.pub").string()});
  trust("eng");
  auto fake = FakeAnchore::start();
  const auto without = import(fake, {bundle, "--create-missing"});
  EXPECT_EQ(without.exit_code, 2) << without.out << without.err;
  EXPECT_NE(without.out.find("is encrypted to key(s)"), std::string::npos) << without.out;
  const auto with = import(fake, {bundle, "--create-missing", "--wait", "--key", (m_dir / "receiver" / "airlock.key").string()});
  EXPECT_EQ(with.exit_code, 0) << with.out << with.err;
  EXPECT_EQ(jobs_by_asset(fake.state())["a0"], std::vector<std::string>{"complete"});
}

}  // namespace
}  // namespace airlock

namespace airlock {
namespace {

TEST_F(ImportCliTest, ReceiptsAcknowledgeWhatWentInAndResendTheRest) {
  analyze(3);
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  ASSERT_EQ(run({"keygen", "--out", (m_dir / "receiver").string()}).exit_code, 0);
  auto fake = FakeAnchore::start({"--job-fail-asset", "a1"});
  const auto receipt = (m_dir / "receipt.json").string();
  const auto r = import(fake, {bundle, "--create-missing", "--wait", "--receipt", receipt, "--receipt-key",
                               (m_dir / "receiver" / "airlock.key").string()});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;  // a1's job failed
  // The isolated side: only the receiver's key is trusted for receipts.
  const auto wrong = run({"receipt", "apply", receipt, "--trust", (m_dir / "keys" / "airlock.pub").string(), "--store", store()});
  EXPECT_EQ(wrong.exit_code, 3) << wrong.err;
  const auto applied = run({"receipt", "apply", receipt, "--trust", (m_dir / "receiver" / "airlock.pub").string(),
                            "--store", store(), "--json"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_EQ(nlohmann::json::parse(applied.out)["acknowledged"].size(), 2u);
  const auto ls = nlohmann::json::parse(run({"ls", "--json", "--store", store()}).out);
  std::map<std::string, std::string> states;
  for (const auto& item : ls) states[item["asset"]] = item["state"];
  EXPECT_EQ(states, (std::map<std::string, std::string>{{"a0", "acknowledged"}, {"a1", "exported"}, {"a2", "acknowledged"}}));
  // Only the unacknowledged item goes again.
  const auto resend = run({"export", "--key", key(), "-o", (m_dir / "t2.airlock").string(), "--store", store(),
                           "--resend-unacknowledged", "--json"});
  ASSERT_EQ(resend.exit_code, 0) << resend.err;
  const auto sent = nlohmann::json::parse(resend.out);
  ASSERT_EQ(sent["items"].size(), 1u);
  EXPECT_EQ(sent["items"][0]["asset"], "a1");
  // A tampered receipt is refused.
  std::ifstream in(receipt);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("complete"), 8, "complets");
  std::ofstream(m_dir / "bad.json") << text;
  EXPECT_EQ(run({"receipt", "apply", (m_dir / "bad.json").string(), "--trust", (m_dir / "receiver" / "airlock.pub").string(),
                 "--store", store()}).exit_code, 3);
  EXPECT_EQ(run({"receipt", "apply", bundle, "--trust", (m_dir / "receiver" / "airlock.pub").string(), "--store", store()}).exit_code, 1);
}

// An item without an account would land in the importing user's own
// account: only a key trusted for every account may send it.
TEST_F(ImportCliTest, ItemsWithoutAnAccountNeedAKeyTrustedForAll) {
  analyze(1, "");
  const auto bundle = export_bundle("t.airlock");
  trust("eng");
  auto fake = FakeAnchore::start();
  const auto refused = import(fake, {bundle, "--create-missing"});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_NE(refused.out.find("has no account"), std::string::npos) << refused.out;
  const auto everyone = (m_dir / "state-all").string();
  ASSERT_EQ(run({"trust", "add", (m_dir / "keys" / "airlock.pub").string(), "--accounts", "*", "--state", everyone}).exit_code, 0);
  const auto sent = run({"import", bundle, "--url", fake.url(), "--username", "admin", "--password", "foobar", "--state",
                         everyone, "--create-missing"});
  EXPECT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  ASSERT_EQ(fake.state()["jobs"].size(), 1u);
  EXPECT_EQ(fake.state()["jobs"][0]["account"], "admin");  // the user's own account
}

}  // namespace
}  // namespace airlock
