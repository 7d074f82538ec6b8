// Black-box tests of `airlock sbom` on images built by the test image builder.
#include <gtest/gtest.h>

#include <fstream>
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
  const auto table = run_airlock({"sbom", "oci-archive:" + (m_dir / "image.oci.tar").string()});
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
  const auto r = run_airlock({"sbom", (m_dir / "image.oci.tar").string(), "-o", "table", "-o", "json=" + path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(path);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["image_digest"], testing::digest_of(m_image.manifest));
  EXPECT_EQ(doc["layers"].size(), 2u);
  const auto j = run_airlock({"--json", "sbom", (m_dir / "image.oci.tar").string()});
  EXPECT_EQ(nlohmann::json::parse(j.out)["files"].size(), 3u);
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
