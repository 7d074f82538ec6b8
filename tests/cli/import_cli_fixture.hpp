#pragma once
// The fixture of the black-box import tests (import_cli_test.cpp for
// Enterprise 6.x, import_v5_cli_test.cpp for 5.x): a scratch folder with a
// test image, keys, a store and a state, and the real airlock binary run
// against the in-repo fake Anchore server.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/fake_anchore.hpp"
#include "tests/support/image_builder.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock::testing {

class ImportCliTest : public ::testing::Test {
 protected:
  ImportCliTest() {
    const std::string status = "Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\n";
    const auto image = make_image({{{"etc/os-release", FileType::regular, "ID=debian\nVERSION_ID=12\n"},
                                    {"var/lib/dpkg/status", FileType::regular, status}}});
    write_oci_layout({image}, m_dir / "layout");
    EXPECT_EQ(run({"keygen", "--out", (m_dir / "keys").string()}).exit_code, 0);
  }

  ProcessResult run(std::vector<std::string> args, int kill_after_ms = -1) {
    ProcessOptions options;
    options.kill_after_ms = kill_after_ms;
    options.unset_env = {"AIRLOCK_STORE", "AIRLOCK_STATE", "ANCHORECTL_URL", "ANCHORECTL_USERNAME",
                         "ANCHORECTL_PASSWORD", "ANCHORECTL_ACCOUNT", "AIRLOCK_API_KEY", "AIRLOCK_TOKEN"};
    options.env = {{"HOME", m_dir.path().string()}};
    return run_airlock(args, options);
  }
  // Analyzes COUNT assets (a0, a1, …) for ACCOUNT into the store, in one batch.
  void analyze(int count, const std::string& account = "eng", const std::string& prefix = "a") {
    nlohmann::json batch = nlohmann::json::array();
    for (int i = 0; i < count; ++i) {
      batch.push_back({{"image", (m_dir / "layout").string()}, {"asset", prefix + std::to_string(i)}, {"account", account}});
    }
    const auto file = m_dir / ("batch-" + account + prefix + ".json");
    std::ofstream(file) << batch.dump();
    const auto r = run({"analyze", "--batch", file.string(), "--app", "shop", "--version", "1", "--store", store()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  std::string export_bundle(const std::string& name, std::vector<std::string> extra = {}) {
    const std::string path = (m_dir / name).string();
    std::vector<std::string> args = {"export", "--key", key(), "-o", path, "--store", store()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
  }
  void trust(const std::string& accounts) {
    const auto r = run({"trust", "add", (m_dir / "keys" / "airlock.pub").string(), "--accounts", accounts, "--name",
                        "plant-a", "--state", state()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ProcessResult import(const FakeAnchore& fake, std::vector<std::string> args, int kill_after_ms = -1) {
    std::vector<std::string> full = {"import", "--url", fake.url(), "--username", "admin", "--password", "foobar",
                                     "--state", state(), "--retry-delay", "10ms", "--poll-interval", "20ms",
                                     "--no-progress"};
    full.insert(full.end(), args.begin(), args.end());
    return run(full, kill_after_ms);
  }
  std::string store() const { return (m_dir / "store").string(); }
  std::string state() const { return (m_dir / "state").string(); }
  std::string key() const { return (m_dir / "keys" / "airlock.key").string(); }

  // Jobs the fake holds for each asset name, and their states.
  static std::map<std::string, std::vector<std::string>> jobs_by_asset(const nlohmann::json& state) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& job : state["jobs"]) out[job["asset_name"].get<std::string>()].push_back(job["status"].get<std::string>());
    return out;
  }

  TempDir m_dir;
};

}  // namespace airlock::testing
