// Black-box tests of split bundles: export --split-size, verify and inspect
// of single volumes and whole sets, and import of volumes in any order, with
// some missing, over several runs — the real binary against the in-repo fake
// Anchore server.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/fake_anchore.hpp"
#include "tests/support/image_builder.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::FakeAnchore;
using testing::TempDir;

class SplitCliTest : public ::testing::Test {
 protected:
  SplitCliTest() { EXPECT_EQ(run({"keygen", "--out", (m_dir / "keys").string()}).exit_code, 0); }

  testing::ProcessResult run(std::vector<std::string> args) {
    testing::ProcessOptions options;
    options.unset_env = {"AIRLOCK_STORE", "AIRLOCK_STATE", "ANCHORECTL_URL", "ANCHORECTL_USERNAME",
                         "ANCHORECTL_PASSWORD", "ANCHORECTL_ACCOUNT", "AIRLOCK_API_KEY", "AIRLOCK_TOKEN"};
    options.env = {{"HOME", m_dir.path().string()}};
    return testing::run_airlock(args, options);
  }
  // COUNT different images (their own packages, so their own SBOMs, manifests
  // and configs: parts no two items share), analyzed as assets a0, a1, ….
  void analyze(int count) {
    nlohmann::json batch = nlohmann::json::array();
    for (int i = 0; i < count; ++i) {
      std::string status;
      for (int p = 0; p < 60; ++p) {
        status += "Package: pkg" + std::to_string(i) + "-" + std::to_string(p) +
                  "\nStatus: install ok installed\nVersion: 1." + std::to_string(p) + "\nArchitecture: amd64\n\n";
      }
      const auto image = testing::make_image({{{"etc/os-release", FileType::regular, "ID=debian\nVERSION_ID=12\n"},
                                               {"var/lib/dpkg/status", FileType::regular, status}}});
      const auto layout = m_dir / ("layout" + std::to_string(i));
      testing::write_oci_layout({image}, layout);
      batch.push_back({{"image", layout.string()}, {"asset", "a" + std::to_string(i)}, {"account", "eng"}});
    }
    std::ofstream(m_dir / "batch.json") << batch.dump();
    const auto r = run({"analyze", "--batch", (m_dir / "batch.json").string(), "--app", "shop", "--version", "1",
                        "--store", store()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  testing::ProcessResult export_split(const std::string& name, const std::string& size, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"export", "--key", key(), "-o", (m_dir / name).string(), "--store", store(),
                                     "--split-size", size};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }
  // The smallest --split-size the store's items allow, as export names it
  // when refusing a tiny one: the most volumes.
  std::string smallest_size() {
    const auto refused = export_split("tiny.airlock", "1K");
    EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
    std::smatch match;
    EXPECT_TRUE(std::regex_search(refused.err, match, std::regex("use --split-size ([0-9]+) or more"))) << refused.err;
    EXPECT_FALSE(std::filesystem::exists(m_dir / "tiny.001.airlock"));
    return match.empty() ? "0" : match[1].str();
  }
  // The volume files NAME.*.airlock in the test folder, by number.
  std::vector<std::string> volumes(const std::string& stem) {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir.path())) {
      const std::string file = entry.path().filename().string();
      if (std::regex_match(file, std::regex(stem + "\\.[0-9]{3}\\.airlock"))) out.push_back(entry.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  void trust() {
    const auto r = run({"trust", "add", (m_dir / "keys" / "airlock.pub").string(), "--accounts", "eng", "--name",
                        "plant-a", "--state", state()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  testing::ProcessResult import(const FakeAnchore& fake, std::vector<std::string> args) {
    std::vector<std::string> full = {"import", "--url", fake.url(), "--username", "admin", "--password", "foobar",
                                     "--state", state(), "--retry-delay", "10ms", "--poll-interval", "20ms",
                                     "--no-progress", "--create-missing"};
    full.insert(full.end(), args.begin(), args.end());
    return run(full);
  }
  static std::map<std::string, std::vector<std::string>> jobs_by_asset(const nlohmann::json& state) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& job : state["jobs"]) out[job["asset_name"].get<std::string>()].push_back(job["status"].get<std::string>());
    return out;
  }
  std::string store() const { return (m_dir / "store").string(); }
  std::string state() const { return (m_dir / "state").string(); }
  std::string key() const { return (m_dir / "keys" / "airlock.key").string(); }
  std::string pub() const { return (m_dir / "keys" / "airlock.pub").string(); }

  TempDir m_dir;
};

TEST_F(SplitCliTest, VolumesVerifyAloneAndImportInAnyOrderExactlyOnce) {
  analyze(5);
  const std::string size = smallest_size();
  const auto exported = export_split("t.airlock", size);
  ASSERT_EQ(exported.exit_code, 0) << exported.out << exported.err;
  const auto files = volumes("t");
  ASSERT_GE(files.size(), 3u) << exported.out;
  EXPECT_NE(exported.out.find("wrote " + std::to_string(files.size()) + " volumes of at most " + size + " bytes"),
            std::string::npos) << exported.out;
  EXPECT_FALSE(std::filesystem::exists(m_dir / "t.airlock"));
  const std::string count = std::to_string(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_LE(std::filesystem::file_size(files[i]), std::stoull(size));
    const auto alone = run({"verify", files[i], "--trust", pub()});
    EXPECT_EQ(alone.exit_code, 0) << alone.out << alone.err;
    EXPECT_NE(alone.out.find("volume " + std::to_string(i + 1) + " of " + count), std::string::npos) << alone.out;
    EXPECT_NE(alone.out.find("INCOMPLETE"), std::string::npos) << alone.out;
  }
  std::vector<std::string> verify_all = {"verify"};
  verify_all.insert(verify_all.end(), files.rbegin(), files.rend());
  verify_all.insert(verify_all.end(), {"--trust", pub()});
  const auto whole = run(verify_all);
  EXPECT_EQ(whole.exit_code, 0) << whole.out << whole.err;
  EXPECT_NE(whole.out.find("COMPLETE  bundle"), std::string::npos) << whole.out;
  const auto inspect = run({"inspect", files[1], "--trust", pub()});
  EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("volume:      2 of " + count), std::string::npos) << inspect.out;
  const auto json = nlohmann::json::parse(run({"inspect", files[1], "--json"}).out);
  EXPECT_EQ(json["volume"]["index"], 2);
  EXPECT_EQ(json["items"].size(), 5u);

  trust();
  auto fake = FakeAnchore::start();
  std::vector<std::string> reversed(files.rbegin(), files.rend());
  reversed.push_back("--wait");
  const auto imported = import(fake, reversed);
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_NE(imported.out.find("5 items in 1 bundle(s): 5 submitted now"), std::string::npos) << imported.out;
  const auto jobs = jobs_by_asset(fake.state());
  ASSERT_EQ(jobs.size(), 5u);
  for (const auto& [asset, states] : jobs) EXPECT_EQ(states, std::vector<std::string>{"complete"}) << asset;

  // Again, whole or one volume alone: nothing is sent.
  const auto again = import(fake, files);
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 submitted now"), std::string::npos) << again.out;
  const auto one = import(fake, {files[1]});
  EXPECT_EQ(one.exit_code, 0) << one.out << one.err;
  EXPECT_EQ(fake.state()["jobs"].size(), 5u);
}

TEST_F(SplitCliTest, AMissingVolumeIsNamedAndALaterRunFinishesTheSet) {
  analyze(5);
  const auto exported = export_split("t", smallest_size(), {"--json"});
  ASSERT_EQ(exported.exit_code, 0) << exported.out << exported.err;
  const auto report = nlohmann::json::parse(exported.out);
  ASSERT_GE(report["volumes"].size(), 3u);
  const auto files = volumes("t");
  ASSERT_EQ(files.size(), report["volumes"].size());
  EXPECT_EQ(report["volumes"][0]["path"], files[0]);
  trust();
  auto fake = FakeAnchore::start();
  std::vector<std::string> without_two = files;
  without_two.erase(without_two.begin() + 1);
  const auto partial = import(fake, without_two);
  EXPECT_EQ(partial.exit_code, 1) << partial.out << partial.err;
  EXPECT_NE(partial.out.find("volume 2 is missing (" + files[1] + ")"), std::string::npos) << partial.out;
  EXPECT_NE(partial.out.find("nothing of it was imported"), std::string::npos) << partial.out;
  EXPECT_EQ(fake.state()["counters"]["job_posts"], 0);
  EXPECT_EQ(fake.state()["jobs"].size(), 0u);

  // Volume 2 alone, later: the others' parts were kept, the set is complete.
  const auto rest = import(fake, {files[1], "--wait"});
  EXPECT_EQ(rest.exit_code, 0) << rest.out << rest.err;
  EXPECT_NE(rest.out.find("5 submitted now"), std::string::npos) << rest.out;
  EXPECT_EQ(jobs_by_asset(fake.state()).size(), 5u);
  const auto again = import(fake, files);
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(fake.state()["jobs"].size(), 5u);
}

TEST_F(SplitCliTest, DryRunSizesEncryptionAndTampering) {
  analyze(4);
  const std::string size = smallest_size();
  // Sizes: bad units and parts that cannot fit are usage errors.
  EXPECT_EQ(export_split("x", "4.7X").exit_code, 2);
  EXPECT_EQ(export_split("x", "0").exit_code, 2);
  const auto dry = export_split("t.airlock", size, {"--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("would write"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find((m_dir / "t.001.airlock").string()), std::string::npos) << dry.out;
  EXPECT_TRUE(volumes("t").empty());

  // Encrypted and split: volumes verify without secrets; import needs the key.
  ASSERT_EQ(run({"keygen", "--out", (m_dir / "receiver").string()}).exit_code, 0);
  const auto sealed = export_split("s.airlock", "1M", {"--recipient", (m_dir / "receiver" / "airlock.pub").string()});
  ASSERT_EQ(sealed.exit_code, 0) << sealed.out << sealed.err;
  const auto files = volumes("s");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) EXPECT_EQ(run({"verify", f, "--trust", pub()}).exit_code, 0) << f;
  trust();
  auto fake = FakeAnchore::start();
  const auto without = import(fake, files);
  EXPECT_EQ(without.exit_code, 2) << without.out << without.err;

  // A flipped byte in volume 1 of another split export: verify names it,
  // import sends nothing of that bundle.
  const auto plain = export_split("p", size, {"--all"});
  ASSERT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  const auto parts = volumes("p");
  ASSERT_GE(parts.size(), 2u);
  {
    std::fstream f(parts[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(2000);
    char c = 0;
    f.get(c);
    f.seekp(2000);
    f.put(static_cast<char>(c ^ 0x01));
  }
  const auto bad = run({"verify", parts[0], "--trust", pub()});
  EXPECT_EQ(bad.exit_code, 3) << bad.out << bad.err;
  EXPECT_NE(bad.err.find(parts[0]), std::string::npos) << bad.err;
  const auto refused = import(fake, parts);
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_EQ(fake.state()["counters"]["job_posts"], 0);

  const auto with = import(fake, {files.back(), files.front(), "--key", (m_dir / "receiver" / "airlock.key").string()});
  EXPECT_EQ(with.exit_code, 0) << with.out << with.err;
  EXPECT_EQ(jobs_by_asset(fake.state()).size(), 4u);
}

}  // namespace
}  // namespace airlock
