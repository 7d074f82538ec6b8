// The rpm cataloger on real databases: rpm's own sqlite database through the
// whole pipeline, the same header blobs in BerkeleyDB-hash and NDB databases
// built from their layouts, and CBL-Mariner's manifest. The fixtures are in
// rpm_fixture.cpp; damaged databases are in rpm_damage_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "analyze/catalog/rpm_bdb.hpp"
#include "analyze/catalog/rpm_ndb.hpp"
#include "analyze/catalog/rpm_sqlite.hpp"
#include "analyze/syft_json.hpp"
#include "crypto/sha256.hpp"
#include "tests/analyze/rpm_fixture.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using namespace testing::rpm;
using testing::TarEntry;
using testing::TempDir;

// ---------------------------------------------------------------------------
// The real database through the real pipeline.

TEST(RpmTest, SqliteDatabaseMatchesRpmQuery) {
  REQUIRE_FIXTURE();
  const auto& f = fixture();
  auto sbom = sbom_of(rpm_image("var/lib/rpm/rpmdb.sqlite", f.sqlite));
  ASSERT_OK(sbom);
  EXPECT_TRUE(sbom->warnings.empty()) << sbom->warnings.front();
  EXPECT_EQ(as_rpm_qa(sbom->packages), f.truth);

  std::map<std::string, const Package*> by_name;
  for (const Package* p : rpms(*sbom)) by_name[p->name] = p;
  ASSERT_EQ(by_name.size(), 3u);
  const Package& hello = *by_name["hello-airlock"];
  const Package& lib = *by_name["libgreet"];
  const Package& data = *by_name["greet-data"];

  // Versions as syft prints them: [epoch:]version-release.
  EXPECT_EQ(hello.version, "2:1.2.3-4.fc39");
  EXPECT_EQ(lib.version, "0.9-1.fc39");
  EXPECT_EQ(data.version, "0:2024.1-3");
  // PURLs: namespace = distro ID, version without epoch, qualifiers sorted.
  EXPECT_EQ(hello.purl,
            "pkg:rpm/fedora/hello-airlock@1.2.3-4.fc39?arch=x86_64&distro=fedora-39&epoch=2"
            "&upstream=hello-airlock-1.2.3-4.fc39.src.rpm");
  EXPECT_EQ(lib.purl, "pkg:rpm/fedora/libgreet@0.9-1.fc39?arch=x86_64&distro=fedora-39&upstream=libgreet-0.9-1.fc39.src.rpm");
  EXPECT_EQ(data.purl, "pkg:rpm/fedora/greet-data@2024.1-3?arch=noarch&distro=fedora-39&epoch=0&upstream=greet-data-2024.1-3.src.rpm");
  EXPECT_EQ(hello.found_by, "rpm-db-cataloger");
  EXPECT_EQ(hello.metadata_type, "rpm-db-entry");
  ASSERT_EQ(hello.locations.size(), 1u);
  EXPECT_EQ(hello.locations[0].file.path, "/var/lib/rpm/rpmdb.sqlite");
  EXPECT_EQ(hello.locations[0].evidence, "primary");
  ASSERT_EQ(hello.licenses.size(), 1u);
  EXPECT_EQ(hello.licenses[0].value, "MIT");
  EXPECT_EQ(lib.licenses[0].value, "GPL-2.0-or-later");
  // The vendor is a CPE vendor candidate.
  bool vendor_cpe = false;
  for (const auto& c : hello.cpes) vendor_cpe = vendor_cpe || c.cpe.starts_with("cpe:2.3:a:airlocktest:hello-airlock:2\\:1.2.3-4.fc39:");
  EXPECT_TRUE(vendor_cpe);

  // Metadata, in syft's field order.
  const auto& m = hello.metadata;
  std::vector<std::string> keys;
  for (const auto& [k, v] : m.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "version", "epoch", "architecture", "release", "sourceRpm", "size",
                                            "vendor", "modularityLabel", "provides", "requires", "files"}));
  EXPECT_EQ(m["epoch"], 2);
  EXPECT_EQ(m["vendor"], "Airlock Test, Inc.");
  EXPECT_EQ(m["modularityLabel"], "");
  EXPECT_EQ(m["size"], 8);  // "hi\n" + "conf\n"
  const auto provides = m["provides"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(provides.begin(), provides.end(), "greeting"), provides.end());
  const auto requires_ = m["requires"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(requires_.begin(), requires_.end(), "libgreet"), requires_.end());
  EXPECT_NE(std::find(requires_.begin(), requires_.end(), "/bin/sh"), requires_.end());
  EXPECT_TRUE(lib.metadata["epoch"].is_null());
  EXPECT_EQ(data.metadata["requires"][0], "(libgreet or hello-airlock)");

  // File records: those rpm lists, for the files that exist in the image.
  EXPECT_EQ(f.digest_algorithm, "8");
  std::vector<std::string> records;
  for (const Package* p : rpms(*sbom)) {
    for (const auto& r : p->metadata["files"]) {
      EXPECT_EQ(r["digest"]["algorithm"], "sha256");
      records.push_back(p->name + " " + r["path"].get<std::string>() + " " + std::to_string(r["mode"].get<int>()) + " " +
                        std::to_string(r["size"].get<int>()) + " " + r["digest"]["value"].get<std::string>() + " " +
                        r["userName"].get<std::string>() + " " + r["groupName"].get<std::string>() + " " +
                        r["flags"].get<std::string>());
    }
  }
  std::sort(records.begin(), records.end());
  std::vector<std::string> expected;
  for (const auto& line : f.files) {
    if (line.find("/usr/share/greet/data.txt") == std::string::npos) expected.push_back(line);
  }
  // rpm prints an empty FILEFLAGS as nothing after the last space.
  for (auto& line : records) {
    if (line.back() == ' ') line.pop_back();
  }
  for (auto& line : expected) {
    if (line.back() == ' ') line.pop_back();
  }
  EXPECT_EQ(records, expected);
  EXPECT_EQ(hello.metadata["files"][1]["digest"]["value"], sha256(std::string("conf\n")).hex());
  EXPECT_TRUE(data.metadata["files"].empty());
  EXPECT_EQ(hello.owned_files, (std::vector<std::string>{"/etc/hello", "/etc/hello/hello.conf", "/usr/bin/hello"}));

  // Relationships: files the packages own, and libgreet → hello-airlock
  // (Requires: libgreet); greet-data's boolean requirement is not matched.
  std::set<std::string> file_ids;
  for (const auto& file : sbom->files) {
    if (file.location.path == "/usr/bin/hello") file_ids.insert(file.id);
  }
  ASSERT_EQ(file_ids.size(), 1u);
  bool contains = false, depends = false;
  std::size_t data_edges = 0;
  for (const auto& r : all_relationships(*sbom)) {
    contains = contains || (r.parent == hello.id && r.type == "contains" && file_ids.count(r.child) == 1);
    depends = depends || (r.parent == lib.id && r.child == hello.id && r.type == "dependency-of");
    if (r.type == "dependency-of" && r.child == data.id) ++data_edges;
  }
  EXPECT_TRUE(contains);
  EXPECT_TRUE(depends);
  EXPECT_EQ(data_edges, 0u);

  // The syft-json artifact.
  std::ostringstream out;
  write_syft_json(out, *sbom, {"test"});
  const auto doc = nlohmann::json::parse(out.str());
  bool found = false;
  for (const auto& a : doc["artifacts"]) {
    if (a["name"] != "hello-airlock") continue;
    found = true;
    EXPECT_EQ(a["type"], "rpm");
    EXPECT_EQ(a["metadataType"], "rpm-db-entry");
    EXPECT_EQ(a["metadata"]["files"].size(), 3u);
  }
  EXPECT_TRUE(found);
}

TEST(RpmTest, EveryDatabaseLocationSyftSearches) {
  REQUIRE_FIXTURE();
  for (const std::string path : {"usr/lib/sysimage/rpm/rpmdb.sqlite", "usr/share/rpm/rpmdb.sqlite",
                                 "opt/chroot/var/lib/rpm/rpmdb.sqlite"}) {
    auto sbom = sbom_of({{{"etc/os-release", FileType::regular, k_fedora}, {path, FileType::regular, fixture().sqlite}}});
    ASSERT_OK(sbom);
    EXPECT_EQ(rpms(*sbom).size(), 3u) << path;
    EXPECT_EQ(rpms(*sbom)[0]->locations[0].file.path, "/" + path);
  }
  // Not rpm databases: other names, other folders.
  for (const std::string path : {"var/lib/rpm/rpmdb.sqlite.bak", "var/lib/rpmx/rpmdb.sqlite", "var/lib/rpm/Name"}) {
    auto sbom = sbom_of({{{path, FileType::regular, fixture().sqlite}}});
    ASSERT_OK(sbom);
    EXPECT_TRUE(rpms(*sbom).empty()) << path;
  }
}

TEST(RpmTest, PurlNamespacesAndDistroQualifier) {
  REQUIRE_FIXTURE();
  auto purl_for = [](const std::string& os_release) {
    auto sbom = sbom_of({{{"etc/os-release", FileType::regular, os_release},
                          {"var/lib/rpm/rpmdb.sqlite", FileType::regular, fixture().sqlite}}});
    for (const Package* p : rpms(*sbom)) {
      if (p->name == "libgreet") return p->purl;
    }
    return std::string("none");
  };
  EXPECT_EQ(purl_for("ID=rhel\nVERSION_ID=9.3\n"),
            "pkg:rpm/redhat/libgreet@0.9-1.fc39?arch=x86_64&distro=rhel-9.3&upstream=libgreet-0.9-1.fc39.src.rpm");
  EXPECT_EQ(purl_for("ID=opensuse-leap\nVERSION_ID=15.5\n"),
            "pkg:rpm/opensuse/libgreet@0.9-1.fc39?arch=x86_64&distro=opensuse-leap-15.5&upstream=libgreet-0.9-1.fc39.src.rpm");
  EXPECT_EQ(purl_for("ID=mariner\nBUILD_ID=20240101\n"),
            "pkg:rpm/mariner/libgreet@0.9-1.fc39?arch=x86_64&distro=mariner-20240101&upstream=libgreet-0.9-1.fc39.src.rpm");
  // No release at all: no namespace, no distro qualifier (syft's dive example).
  auto sbom = sbom_of({{{"var/lib/rpm/rpmdb.sqlite", FileType::regular, fixture().sqlite}}});
  ASSERT_OK(sbom);
  for (const Package* p : rpms(*sbom)) {
    if (p->name == "libgreet") {
      EXPECT_EQ(p->purl, "pkg:rpm/libgreet@0.9-1.fc39?arch=x86_64&upstream=libgreet-0.9-1.fc39.src.rpm");
    }
  }
}

// ---------------------------------------------------------------------------
// BerkeleyDB hash and NDB, holding rpm's own header blobs.

TEST(RpmTest, BerkeleyDbAndNdbGiveTheSamePackagesAsSqlite) {
  REQUIRE_FIXTURE();
  const auto& f = fixture();
  auto reference = sbom_of(rpm_image("var/lib/rpm/rpmdb.sqlite", f.sqlite));
  ASSERT_OK(reference);
  const std::vector<std::pair<std::string, std::string>> databases = {
      {"var/lib/rpm/Packages", make_bdb(f.blobs, 4096, false)},
      {"var/lib/rpm/Packages", make_bdb(f.blobs, 512, true)},  // big-endian host, chains of many pages
      {"usr/lib/sysimage/rpm/Packages.db", make_ndb(f.blobs)},
  };
  for (const auto& [path, bytes] : databases) {
    auto sbom = sbom_of(rpm_image(path, bytes));
    ASSERT_OK(sbom);
    EXPECT_TRUE(sbom->warnings.empty()) << path << ": " << sbom->warnings.front();
    EXPECT_EQ(as_rpm_qa(sbom->packages), f.truth) << path;
    const auto got = rpms(*sbom);
    const auto want = rpms(*reference);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i]->purl, want[i]->purl);
      EXPECT_EQ(got[i]->metadata, want[i]->metadata) << path;
      EXPECT_EQ(got[i]->locations[0].file.path, "/" + path);
    }
  }
}

TEST(RpmTest, ReadersHandOverExactlyTheStoredBlobs) {
  REQUIRE_FIXTURE();
  const auto& f = fixture();
  for (std::uint32_t page : {512u, 1024u, 4096u, 65536u}) {
    for (bool be : {false, true}) {
      std::vector<std::string> out;
      RpmProblems problems;
      ASSERT_OK(read_rpm_bdb(make_bdb(f.blobs, page, be), [&](std::string_view b) { out.emplace_back(b); }, problems));
      EXPECT_EQ(out, f.blobs) << page << (be ? " big-endian" : "");
      EXPECT_EQ(problems.count(), 0u);
    }
  }
  std::vector<std::string> out;
  RpmProblems problems;
  ASSERT_OK(read_rpm_ndb(make_ndb(f.blobs), [&](std::string_view b) { out.emplace_back(b); }, problems));
  EXPECT_EQ(out, f.blobs);
  out.clear();
  ASSERT_OK(read_rpm_sqlite(f.sqlite, [&](std::string_view b) { out.emplace_back(b); }, problems));
  EXPECT_EQ(out, f.blobs);
  EXPECT_EQ(problems.count(), 0u);
  EXPECT_EQ(rpm_db_format(f.sqlite), "sqlite");
  EXPECT_EQ(rpm_db_format(make_ndb(f.blobs)), "ndb");
  EXPECT_EQ(rpm_db_format(make_bdb(f.blobs, 4096, true)), "bdb");
  EXPECT_EQ(rpm_db_format("hello"), "");
}

// ---------------------------------------------------------------------------
// CBL-Mariner's distroless manifest (lines from syft's own fixture).

TEST(RpmTest, MarinerContainerManifest) {
  const std::string manifest =
      "mariner-release\t2.0-12.cm2\t1653816591\t1653753130\tMicrosoft Corporation\t(none)\t580\tnoarch\t0\t"
      "mariner-release-2.0-12.cm2.src.rpm\n"
      "filesystem\t1.1-9.cm2\t1653816591\t1653628924\tMicrosoft Corporation\t(none)\t7596\tx86_64\t0\t"
      "filesystem-1.1-9.cm2.src.rpm\n"
      "broken line\n"
      "\n"
      "vim\t9.0-1.cm2\t1653816591\t1653753130\tMicrosoft Corporation\t2\t45000\tx86_64\t2\tvim-9.0-1.cm2.src.rpm\n"
      "dash-version\t1.0-1-2\t1\t1\tv\t(none)\t1\tx86_64\t0\tx.src.rpm\n"
      "unterminated\t1.0-1\t1\t1\tv\t(none)\t1\tx86_64\t0\tx.src.rpm";
  auto sbom = sbom_of({{{"etc/os-release", FileType::regular, "ID=mariner\nVERSION_ID=2.0\n"},
                        {"var/lib/rpmmanifest/container-manifest-2", FileType::regular, manifest}}});
  ASSERT_OK(sbom);
  const auto found = rpms(*sbom);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0]->name, "filesystem");
  EXPECT_EQ(found[0]->purl, "pkg:rpm/filesystem@1.1-9.cm2?arch=x86_64&upstream=filesystem-1.1-9.cm2.src.rpm");
  EXPECT_EQ(found[1]->name, "mariner-release");
  EXPECT_EQ(found[1]->version, "2.0-12.cm2");
  EXPECT_EQ(found[1]->metadata["size"], 580);
  EXPECT_EQ(found[1]->metadata["vendor"], "Microsoft Corporation");
  EXPECT_TRUE(found[1]->metadata["epoch"].is_null());
  EXPECT_FALSE(found[1]->metadata.contains("modularityLabel"));
  EXPECT_EQ(found[2]->version, "2:9.0-1.cm2");
  EXPECT_EQ(found[2]->purl, "pkg:rpm/vim@9.0-1.cm2?arch=x86_64&epoch=2&upstream=vim-9.0-1.cm2.src.rpm");
  ASSERT_EQ(sbom->warnings.size(), 3u);  // broken line, dash-version, unterminated
  for (const auto& w : sbom->warnings) EXPECT_EQ(w.rfind("/var/lib/rpmmanifest/container-manifest-2: line ", 0), 0u) << w;
}

}  // namespace
}  // namespace airlock
