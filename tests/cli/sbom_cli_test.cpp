// Black-box tests of `airlock sbom` on images built by the test image builder.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/support/image_builder.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::run_airlock;
using testing::TarEntry;
using testing::TempDir;

class SbomCliTest : public ::testing::Test {
 protected:
  SbomCliTest() {
    m_image = testing::make_image({{{"etc/", FileType::directory},
                                    {"etc/os-release", FileType::regular, "ID=debian\n"},
                                    {"etc/motd", FileType::regular, "hi"}},
                                   {{"etc/.wh.motd", FileType::regular},
                                    {"bin/tool", FileType::regular, "#!/bin/sh\n", "", 0755}}});
    testing::write_oci_layout({m_image}, m_dir / "layout");
    testing::tar_directory(m_dir / "layout", m_dir / "image.oci.tar");
  }
  TempDir m_dir;
  testing::TestImage m_image;
};

TEST_F(SbomCliTest, TableSummaryAndFileListing) {
  const auto table = run_airlock({"sbom", "oci-archive:" + (m_dir / "image.oci.tar").string(), "-o", "summary"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("image:     " + testing::digest_of(m_image.manifest)), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("platform:  linux/amd64"), std::string::npos);
  EXPECT_NE(table.out.find("1 deleted"), std::string::npos);

  const auto files = run_airlock({"sbom", (m_dir / "layout").string(), "-o", "files"});
  ASSERT_EQ(files.exit_code, 0) << files.err;
  EXPECT_NE(files.out.find("/etc/os-release"), std::string::npos);
  EXPECT_EQ(files.out.find("/etc/motd"), std::string::npos);
  const auto all = run_airlock({"sbom", (m_dir / "layout").string(), "-o", "files", "--scope", "all-layers"});
  EXPECT_NE(all.out.find("/etc/motd"), std::string::npos);
}

TEST_F(SbomCliTest, JsonToFileAndStdout) {
  const auto path = (m_dir / "out.json").string();
  const auto r = run_airlock({"sbom", (m_dir / "image.oci.tar").string(), "-o", "summary", "-o", "json=" + path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(path);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["image_digest"], testing::digest_of(m_image.manifest));
  EXPECT_EQ(doc["layers"].size(), 2u);
  const auto j = run_airlock({"--json", "sbom", (m_dir / "image.oci.tar").string()});
  EXPECT_EQ(nlohmann::json::parse(j.out)["files"].size(), 3u);
}

TEST_F(SbomCliTest, PackagesFromADpkgStatusFile) {
  TempDir dir;
  const std::string status =
      "Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\n"
      "Maintainer: M <m@example.org>\nInstalled-Size: 280\nDepends: libc6 (>= 2.34)\n\n"
      "Package: libc6\nStatus: install ok installed\nSource: glibc\nVersion: 2.36-9+deb12u4\n"
      "Architecture: amd64\nProvides: libc6-x\n\n"
      "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: amd64\n";
  const auto image = testing::make_image({{{"etc/os-release", FileType::regular, "ID=debian\nVERSION_ID=\"12\"\n"},
                                           {"var/lib/dpkg/status", FileType::regular, status},
                                           {"var/lib/dpkg/info/hello.md5sums", FileType::regular,
                                            "0123456789abcdef0123456789abcdef  usr/bin/hello\n"},
                                           {"usr/bin/hello", FileType::regular, "ELF", "", 0755}}});
  testing::write_oci_layout({image}, dir / "layout");
  const auto table = run_airlock({"sbom", (dir / "layout").string()});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out,
            "NAME   VERSION         TYPE\n"
            "hello  2.10-3          deb\n"
            "libc6  2.36-9+deb12u4  deb\n");
  const auto json = run_airlock({"sbom", (dir / "layout").string(), "-o", "syft-json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["artifacts"][1]["purl"], "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc");
  bool owns = false, depends = false;
  for (const auto& r : doc["artifactRelationships"]) {
    if (r["type"] == "contains" && r["parent"] == doc["artifacts"][0]["id"]) {
      for (const auto& f : doc["files"]) owns |= f["id"] == r["child"] && f["location"]["path"] == "/usr/bin/hello";
    }
    depends |= r["type"] == "dependency-of" && r["parent"] == doc["artifacts"][1]["id"] && r["child"] == doc["artifacts"][0]["id"];
  }
  EXPECT_TRUE(owns);
  EXPECT_TRUE(depends);
}

// syft's all-layers scope: a package a later layer removed is reported, each
// location says whether the finished image still shows it, and a record both
// layers' databases hold is one package found twice.
TEST_F(SbomCliTest, AllLayersScopeReportsRemovedPackagesAndVisibility) {
  auto stanza = [](const std::string& name, const std::string& version) {
    return "Package: " + name + "\nStatus: install ok installed\nVersion: " + version + "\nArchitecture: amd64\n\n";
  };
  const std::string os_release = "ID=debian\nVERSION_ID=12\n";
  const auto image = testing::make_image(
      {{{"etc/os-release", FileType::regular, os_release},
        {"var/lib/dpkg/status", FileType::regular, stanza("kept", "1.0") + stanza("removed", "2.0")},
        {"var/lib/dpkg/info/kept.md5sums", FileType::regular, "d41d8cd98f00b204e9800998ecf8427e  usr/bin/kept\n"},
        {"usr/bin/kept", FileType::regular, "k"}},
       {{"var/lib/dpkg/status", FileType::regular, stanza("kept", "1.0") + stanza("added", "3.0")}}});
  testing::write_oci_layout({image}, m_dir / "scoped");
  const std::string layout = "oci-dir:" + (m_dir / "scoped").string();

  auto names = [](const nlohmann::json& doc) {
    std::vector<std::string> out;
    for (const auto& a : doc["artifacts"]) out.push_back(a["name"].get<std::string>() + "@" + a["version"].get<std::string>());
    return out;
  };
  const auto squashed = run_airlock({"sbom", layout, "-o", "syft-json"});
  ASSERT_EQ(squashed.exit_code, 0) << squashed.err;
  const auto squashed_doc = nlohmann::json::parse(squashed.out);
  EXPECT_EQ(names(squashed_doc), (std::vector<std::string>{"added@3.0", "kept@1.0"}));
  EXPECT_EQ(squashed_doc["descriptor"]["configuration"]["scope"], "squashed");

  const auto all = run_airlock({"sbom", layout, "--scope", "all-layers", "-o", "syft-json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const auto doc = nlohmann::json::parse(all.out);
  EXPECT_EQ(names(doc), (std::vector<std::string>{"added@3.0", "kept@1.0", "removed@2.0"}));
  EXPECT_EQ(doc["descriptor"]["configuration"]["scope"], "all-layers");
  const std::string layer0 = image.diff_ids[0];
  for (const auto& a : doc["artifacts"]) {
    std::vector<std::string> where;  // layer index : visible, for the status file
    for (const auto& l : a["locations"]) {
      if (l["path"] != "/var/lib/dpkg/status") continue;
      where.push_back(std::string(l["layerID"] == layer0 ? "0" : "1") + ":" + l["annotations"]["visible"].get<std::string>());
    }
    std::vector<std::string> expected;
    if (a["name"] == "kept") expected = {"0:false", "1:true"};
    if (a["name"] == "removed") expected = {"0:false"};
    if (a["name"] == "added") expected = {"1:true"};
    EXPECT_EQ(where, expected) << a["name"];
  }
  // files[] describes each layer's status file as that layer wrote it, in
  // path order, then layer order.
  std::map<std::string, std::uint64_t> status_size;  // layer → size
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& f : doc["files"]) {
    order.emplace_back(f["location"]["path"], f["location"]["layerID"]);
    if (f["location"]["path"] == "/var/lib/dpkg/status") {
      status_size[f["location"]["layerID"] == layer0 ? "0" : "1"] = f["metadata"]["size"].get<std::uint64_t>();
    }
  }
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_EQ(status_size["0"], (stanza("kept", "1.0") + stanza("removed", "2.0")).size());
  EXPECT_EQ(status_size["1"], (stanza("kept", "1.0") + stanza("added", "3.0")).size());
  EXPECT_EQ(status_size.size(), 2u);

  const auto table = run_airlock({"sbom", layout, "--scope", "all-layers", "-o", "table"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("removed"), std::string::npos) << table.out;
}

TEST_F(SbomCliTest, ErrorsHaveTheRightExitCodes) {
  // Usage errors: 2.
  EXPECT_EQ(run_airlock({"sbom"}).exit_code, 2);
  EXPECT_EQ(run_airlock({"sbom", (m_dir / "layout").string(), "-o", "xml"}).exit_code, 2);
  EXPECT_EQ(run_airlock({"sbom", (m_dir / "layout").string(), "-o", "table", "-o", "json"}).exit_code, 2);
  EXPECT_EQ(run_airlock({"sbom", (m_dir / "layout").string(), "--scope", "deep"}).exit_code, 2);
  EXPECT_EQ(run_airlock({"sbom", (m_dir / "layout").string(), "--platform", "a/b/c/d"}).exit_code, 2);
  EXPECT_EQ(run_airlock({"sbom", (m_dir / "Nothing Here").string()}).exit_code, 2);
  // A platform the image does not have: 1, naming the ones it has.
  const auto wrong = run_airlock({"sbom", "oci-dir:" + (m_dir / "layout").string(), "--platform", "linux/arm64"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("linux/amd64"), std::string::npos) << wrong.err;
  // A tampered layer: verification failed, 3, and nothing on stdout.
  const auto blob = m_dir / "layout/blobs/sha256" / testing::digest_of(m_image.blobs[0]).substr(7);
  {
    std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('\x01');
  }
  const auto tampered = run_airlock({"sbom", "oci-dir:" + (m_dir / "layout").string()});
  EXPECT_EQ(tampered.exit_code, 3) << tampered.err;
  EXPECT_TRUE(tampered.out.empty());
  EXPECT_NE(tampered.err.find("layer 1"), std::string::npos) << tampered.err;
  // A truncated archive: 1 or 3, never a crash.
  std::ifstream in(m_dir / "image.oci.tar", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(m_dir / "cut.tar", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const auto cut = run_airlock({"sbom", "oci-archive:" + (m_dir / "cut.tar").string()});
  EXPECT_TRUE(cut.exit_code == 1 || cut.exit_code == 3) << cut.exit_code << " " << cut.err;
  // Writing to a folder that does not exist leaves nothing behind.
  const auto nowhere = run_airlock({"sbom", (m_dir / "image.oci.tar").string(), "-o", "json=" + (m_dir / "no/dir/x.json").string()});
  EXPECT_EQ(nowhere.exit_code, 1);
}

}  // namespace
}  // namespace airlock
