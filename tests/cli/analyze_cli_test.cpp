// Black-box tests of analyze, ls, rm, gc and store check on the real binary,
// including crashes (kill -9) in the middle of writing.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <chrono>
#include <random>
#include <unistd.h>
#include <set>
#include <thread>
#include <csignal>

#include "tests/support/image_builder.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::run_airlock;
using testing::TarEntry;
using testing::TempDir;

class AnalyzeCliTest : public ::testing::Test {
 protected:
  AnalyzeCliTest() {
    const std::string status = "Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\n";
    std::string bulk(8 * 1024 * 1024, '\0');  // enough bytes that a kill lands mid-analysis
    std::mt19937 rng(7);
    for (auto& c : bulk) c = static_cast<char>(rng());
    const auto image = testing::make_image({{{"etc/os-release", FileType::regular, "ID=debian\nVERSION_ID=12\n"},
                                              {"var/lib/dpkg/status", FileType::regular, status},
                                              {"opt/bulk.bin", FileType::regular, bulk}}});
    testing::write_oci_layout({image}, m_dir / "layout");
    testing::tar_directory(m_dir / "layout", m_dir / "app.oci.tar");
    m_store = (m_dir / "store").string();
  }
  testing::ProcessResult airlock(std::vector<std::string> args, int kill_after_ms = -1) {
    args.push_back("--store");
    args.push_back(m_store);
    testing::ProcessOptions options;
    options.kill_after_ms = kill_after_ms;
    options.unset_env = {"AIRLOCK_STORE", "ANCHORECTL_ACCOUNT", "ANCHORECTL_APP", "ANCHORECTL_VERSION"};
    return run_airlock(args, options);
  }
  nlohmann::json items() {
    const auto ls = airlock({"ls", "--json"});
    EXPECT_EQ(ls.exit_code, 0) << ls.err;
    return nlohmann::json::parse(ls.out);
  }

  TempDir m_dir;
  std::string m_store;
};

TEST_F(AnalyzeCliTest, BothSpellingsRecordOneItemPerAsset) {
  const auto a = airlock({"analyze", "docker.io/acme/api:1.4.0", "--from", "oci-archive:" + (m_dir / "app.oci.tar").string(),
                          "--app", "shop", "--version", "1.4.0", "--annotations", "owner=dba,tier=gold,tier="});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const std::string id = a.out.substr(0, a.out.find('\n'));
  EXPECT_EQ(id.size(), 16u);
  auto list = items();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["asset"], "acme/api");
  EXPECT_EQ(list[0]["annotations"], (nlohmann::json{{"owner", "dba"}}));
  EXPECT_TRUE(list[0]["image_reference"].get<std::string>().starts_with("docker.io/acme/api:1.4.0@sha256:"));
  for (const char* part : {"sbom", "manifest", "image_config"}) EXPECT_TRUE(list[0]["parts"].contains(part)) << part;
  EXPECT_EQ(list[0]["packages"], 1);

  // syft's spelling for the same asset replaces the pending item.
  const auto b = airlock({"analyze", "oci-archive:" + (m_dir / "app.oci.tar").string(), "--ref", "acme/api:1.4.0",
                          "--app", "shop", "--version", "1.4.0", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(b.out)["replaced"], id);
  EXPECT_EQ(items().size(), 1u);
  // Another asset name makes a second item.
  ASSERT_EQ(airlock({"analyze", (m_dir / "layout").string(), "--asset", "other", "--app", "shop", "--version", "1.4.0"}).exit_code, 0);
  list = items();
  ASSERT_EQ(list.size(), 2u);
  const auto& other = list[0]["asset"] == "other" ? list[0] : list[1];
  EXPECT_TRUE(other["image_reference"].get<std::string>().starts_with("localhost/other:latest@sha256:")) << other;
  EXPECT_EQ(airlock({"store", "check"}).exit_code, 0);
}

TEST_F(AnalyzeCliTest, BadArgumentsAreRefusedBeforeAnyWork) {
  const std::string src = "oci-archive:" + (m_dir / "app.oci.tar").string();
  struct Case {
    std::vector<std::string> args;
    std::string needle;
  };
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += "k" + std::to_string(i) + "=v,";
  const std::vector<Case> cases = {
      {{"analyze", src, "--version", "1"}, "--app"},
      {{"analyze", src, "--app", "a"}, "--version"},
      {{"analyze", src, "--app", "a", "--version", "1", "--annotations", eleven}, "at most 10"},
      {{"analyze", src, "--app", "a", "--version", "1", "--annotations", "bad key=v"}, "annotation key"},
      {{"analyze", src, "--app", "a", "--version", "1", "--annotations", "novalue"}, "key=value"},
      {{"analyze", src, "--app", "a", "--version", "1", "--annotations", "anchore.system/x=1"}, "reserved"},
      {{"analyze", "x", "--from", "ftp", "--app", "a", "--version", "1"}, "--from must be"},
      {{"analyze", "x", "--from", "registry", "--ref", "y", "--app", "a", "--version", "1"}, "--ref"},
  };
  for (const auto& c : cases) {
    const auto r = airlock(c.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(m_store)) << "nothing may be written for a usage error";
  EXPECT_EQ(airlock({"ls"}).exit_code, 1);  // no store yet
}

TEST_F(AnalyzeCliTest, RmGcAndCheckFindDamage) {
  ASSERT_EQ(airlock({"analyze", (m_dir / "app.oci.tar").string(), "--ref", "acme/a:1", "--app", "s", "--version", "1"}).exit_code, 0);
  // From the layout folder: the SBOM names another source, so its blob differs.
  const auto second = airlock({"analyze", (m_dir / "layout").string(), "--ref", "acme/b:1", "--app", "s", "--version", "1"});
  const std::string id = second.out.substr(0, 8);
  ASSERT_EQ(airlock({"rm", id}).exit_code, 0);
  EXPECT_EQ(items().size(), 1u);
  const auto gc = airlock({"gc"});
  EXPECT_EQ(gc.exit_code, 0) << gc.err;
  // Both items shared manifest and config blobs; only b's sbom differs.
  EXPECT_NE(gc.out.find("removed 1 unused"), std::string::npos) << gc.out;
  // Damage a blob on disk.
  const std::string sbom = items()[0]["parts"]["sbom"]["digest"].get<std::string>().substr(7);
  std::ofstream(std::filesystem::path(m_store) / "blobs/sha256" / sbom.substr(0, 2) / sbom, std::ios::trunc) << "x";
  const auto check = airlock({"store", "check"});
  EXPECT_EQ(check.exit_code, 3);
  EXPECT_NE(check.out.find("damaged"), std::string::npos) << check.out;
  EXPECT_NE(check.err.find("damaged"), std::string::npos) << check.err;
}

TEST_F(AnalyzeCliTest, TwoAnalysesAtOnceBothLand) {
  std::vector<std::thread> runs;
  std::vector<int> codes(2, -1);
  for (int i = 0; i < 2; ++i) {
    runs.emplace_back([&, i] {
      codes[i] = airlock({"analyze", (m_dir / "app.oci.tar").string(), "--ref", "acme/c" + std::to_string(i) + ":1",
                          "--app", "s", "--version", "1"}).exit_code;
    });
  }
  for (auto& t : runs) t.join();
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
  EXPECT_EQ(items().size(), 2u);
  EXPECT_EQ(airlock({"store", "check"}).exit_code, 0);
}

TEST_F(AnalyzeCliTest, BatchAnalyzesInParallelAndReportsFailures) {
  const std::string archive = (m_dir / "app.oci.tar").string();
  std::ofstream(m_dir / "batch.yaml") << "- image: oci-archive:" << archive << "\n  ref: acme/one:1\n"
                                      << "- image: docker.io/acme/two:2\n  from: oci-archive:" << archive
                                      << "\n  annotations: {owner: dba}\n"
                                      << "- image: oci-archive:" << (m_dir / "missing.tar").string() << "\n  ref: acme/three:1\n";
  const auto r = airlock({"analyze", "--batch", (m_dir / "batch.yaml").string(), "--app", "shop", "--version", "2"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.out.find("FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("missing.tar"), std::string::npos) << r.err;
  auto list = items();
  ASSERT_EQ(list.size(), 2u);
  std::set<std::string> assets;
  for (const auto& i : list) assets.insert(i["asset"].get<std::string>());
  EXPECT_EQ(assets, (std::set<std::string>{"acme/one", "acme/two"}));

  std::ofstream(m_dir / "bad.json") << R"([{"image": "x", "colour": "red"}])";
  EXPECT_EQ(airlock({"analyze", "--batch", (m_dir / "bad.json").string(), "--app", "a", "--version", "1"}).exit_code, 2);
  std::ofstream(m_dir / "badannotation.json") << R"([{"image": "x", "annotations": "no value"}])";
  EXPECT_EQ(airlock({"analyze", "--batch", (m_dir / "badannotation.json").string(), "--app", "a", "--version", "1"}).exit_code, 2);
  EXPECT_EQ(airlock({"analyze", "x", "--batch", (m_dir / "bad.json").string(), "--app", "a", "--version", "1"}).exit_code, 2);
}

// An image sharing its base layer with one analyzed before reads only its new
// layer, and its SBOM is the same, byte for byte, as without the cache.
TEST_F(AnalyzeCliTest, SharedBaseLayersComeFromTheLayerCache) {
  const std::vector<TarEntry> base = {{"etc/os-release", FileType::regular, "ID=debian\nVERSION_ID=12\n"},
                                      {"var/lib/dpkg/status", FileType::regular,
                                       "Package: base\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n"}};
  const std::vector<TarEntry> top = {{"var/lib/dpkg/status", FileType::regular,
                                      "Package: base\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n"
                                      "Package: app\nStatus: install ok installed\nVersion: 2\nArchitecture: all\n"}};
  testing::write_oci_layout({testing::make_image({base})}, m_dir / "base");
  const auto app = testing::make_image({base, top});
  testing::write_oci_layout({app}, m_dir / "app");
  testing::write_oci_layout({app}, m_dir / "app-copy");

  // Without the cache, in a store of its own.
  const std::string own_store = (m_dir / "own").string();
  ASSERT_EQ(run_airlock({"analyze", "oci-dir:" + (m_dir / "app").string(), "--ref", "acme/app:1", "--app", "s",
                         "--version", "1", "--store", own_store}).exit_code, 0);
  // With the base analyzed first. The copy's base layer blob is then damaged:
  // it is not read, its results come from the cache (by diff_id).
  ASSERT_EQ(airlock({"analyze", "oci-dir:" + (m_dir / "base").string(), "--ref", "acme/base:1", "--app", "s", "--version", "1"}).exit_code, 0);
  {
    std::fstream f(m_dir / "app-copy/blobs/sha256" / testing::digest_of(app.blobs[0]).substr(7),
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    f.put('\x55');
  }
  const auto cached = airlock({"analyze", "oci-dir:" + (m_dir / "app-copy").string(), "--ref", "acme/app:1", "--app", "s", "--version", "1"});
  ASSERT_EQ(cached.exit_code, 0) << cached.err;
  const auto own = nlohmann::json::parse(run_airlock({"ls", "--json", "--store", own_store}).out);
  std::string cached_sbom;
  for (const auto& i : items()) {
    if (i["asset"] == "acme/app") cached_sbom = i["parts"]["sbom"]["digest"];
  }
  // The SBOMs differ only in userInput (the folder's name): compare the parts
  // that do not depend on it.
  EXPECT_FALSE(cached_sbom.empty());
  EXPECT_EQ(own[0]["packages"], 2);
  EXPECT_EQ(airlock({"store", "check"}).exit_code, 0);
  // Same folder name, fresh store, no cache: byte-identical to the cached one.
  const std::string fresh = (m_dir / "fresh").string();
  std::filesystem::rename(m_dir / "app-copy", m_dir / "app-copy-damaged");
  std::filesystem::copy(m_dir / "app", m_dir / "app-copy", std::filesystem::copy_options::recursive);
  ASSERT_EQ(run_airlock({"analyze", "oci-dir:" + (m_dir / "app-copy").string(), "--ref", "acme/app:1", "--app", "s",
                         "--version", "1", "--store", fresh}).exit_code, 0);
  const auto fresh_items = nlohmann::json::parse(run_airlock({"ls", "--json", "--store", fresh}).out);
  EXPECT_EQ(fresh_items[0]["parts"]["sbom"]["digest"], cached_sbom);
}

// A full disk: a clear error, exit 1, and the store as it was. Needs root to
// mount a small tmpfs (CI runs as root).
TEST_F(AnalyzeCliTest, DiskFullLeavesTheStoreIntact) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  const auto mount_point = m_dir / "small";
  std::filesystem::create_directories(mount_point);
  ASSERT_EQ(testing::run_process("/bin/mount", {"-t", "tmpfs", "-o", "size=1m", "tmpfs", mount_point.string()}).exit_code, 0);
  struct Unmount {
    std::filesystem::path at;
    ~Unmount() { testing::run_process("/bin/umount", {at.string()}); }
  } unmount{mount_point};
  m_store = (mount_point / "store").string();
  ASSERT_EQ(airlock({"analyze", (m_dir / "app.oci.tar").string(), "--ref", "acme/a:1", "--app", "s", "--version", "1"}).exit_code, 0);
  // Fill the disk to the last few kilobytes.
  {
    std::ofstream filler(mount_point / "filler", std::ios::binary);
    const std::string block(4096, 'f');
    while (filler.write(block.data(), block.size())) {
    }
  }
  const auto full = airlock({"analyze", (m_dir / "layout").string(), "--ref", "acme/b:1", "--app", "s", "--version", "1"});
  EXPECT_EQ(full.exit_code, 1) << full.err;
  EXPECT_NE(full.err.find("space"), std::string::npos) << full.err;
  std::filesystem::remove(mount_point / "filler");
  EXPECT_EQ(airlock({"store", "check"}).exit_code, 0);
  ASSERT_EQ(items().size(), 1u);
  EXPECT_EQ(airlock({"analyze", (m_dir / "layout").string(), "--ref", "acme/b:1", "--app", "s", "--version", "1"}).exit_code, 0);
}

// kill -9 at random points of analyze and gc: the store always opens, checks
// clean, shows no half item, and a re-run completes.
TEST_F(AnalyzeCliTest, KillNineNeverLeavesAHalfItem) {
  std::mt19937 rng(2026);
  const auto elapsed_ms = [](auto since) {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count());
  };
  // Kill points spread over the time a whole analysis takes on this machine:
  // the shortest of the runs seen so far, so a slow first (cold) run does not
  // push the kill points past the end of later, faster ones.
  int shortest = 1 << 30;
  for (int warm = 0; warm < 3; ++warm) {
    const auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(airlock({"analyze", (m_dir / "app.oci.tar").string(), "--ref", "acme/k:1", "--app", "s", "--version", "1"})
                  .exit_code,
              0);
    shortest = std::min(shortest, elapsed_ms(start));
  }
  int killed = 0;
  int analyze_rounds = 0;
  for (int round = 0; round < 60; ++round) {
    const bool gc = round % 6 == 5;
    const int span = std::max(5, shortest * 9 / 10);
    const int delay = static_cast<int>(rng() % static_cast<unsigned>(gc ? 10 : span));
    const auto start = std::chrono::steady_clock::now();
    testing::ProcessResult r = gc ? airlock({"gc"}, delay)
                                  : airlock({"analyze", (m_dir / "app.oci.tar").string(), "--ref",
                                             "acme/k" + std::to_string(round % 3) + ":1", "--app", "s", "--version", "1"},
                                            delay);
    if (!gc) {
      ++analyze_rounds;
      killed += r.exit_code == 128 + SIGKILL;
      if (r.exit_code == 0) shortest = std::min(shortest, elapsed_ms(start));
    }
    const auto check = airlock({"store", "check"});
    ASSERT_EQ(check.exit_code, 0) << "round " << round << ": " << check.out << check.err;
    for (const auto& item : items()) {
      for (const char* part : {"sbom", "manifest", "image_config"}) {
        ASSERT_TRUE(item["parts"].contains(part)) << "half item after round " << round;
      }
    }
  }
  EXPECT_GT(killed, analyze_rounds / 3) << "too few runs were actually killed mid-way";
  const auto rerun = airlock({"analyze", (m_dir / "app.oci.tar").string(), "--ref", "acme/k0:1", "--app", "s", "--version", "1"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(airlock({"gc"}).exit_code, 0);
  EXPECT_EQ(airlock({"store", "check"}).exit_code, 0);
}

}  // namespace
}  // namespace airlock

namespace airlock {
namespace {

// Tags are full references: an OCI layout's bare ref.name ("latest") never
// goes out as a tag of its own.
TEST_F(AnalyzeCliTest, TagsAreFullReferences) {
  const auto r = airlock({"analyze", "oci-dir:" + (m_dir / "layout").string(), "--ref", "registry.enclave:5000/team/api:1.4",
                          "--app", "s", "--version", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["tags"], nlohmann::json::array({"registry.enclave:5000/team/api:1.4"}));
}

}  // namespace
}  // namespace airlock
