// Catalogers, distro detection and syft-json through the real pipeline on
// images made by the test image builder, including damaged package databases.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "analyze/catalog/dpkg.hpp"
#include "analyze/distro.hpp"
#include "analyze/sbom.hpp"
#include "analyze/source_spec.hpp"
#include "analyze/syft_json.hpp"
#include "tests/support/image_builder.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::TarEntry;
using testing::TempDir;

Result<Sbom> catalog(const std::vector<std::vector<TarEntry>>& layers) {
  TempDir dir;
  testing::write_oci_layout({testing::make_image(layers)}, dir / "layout");
  AIRLOCK_TRY_ASSIGN(auto image, open_image_source({SourceKind::oci_dir, (dir / "layout").string()}, {}));
  return build_sbom(*image, {1, nullptr, "test"});
}

const std::string k_debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n";

std::string stanza(const std::string& name, const std::string& extra = "") {
  return "Package: " + name + "\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n" + extra + "\n";
}

TEST(DpkgTest, DamagedStatusFilesKeepWhatCanBeRead) {
  const std::string status =
      stanza("good-one") +
      "Package: no-version\nStatus: install ok installed\nArchitecture: amd64\n\n" +
      "Version: 1\nStatus: install ok installed\n\n" +                                    // no Package
      "Package: twice\nPackage: twice\nVersion: 1\n\n" +                                    // duplicate field
      " continuation without a field\n\n" +
      "not a field line\n\n" + stanza("good-one") +                                          // duplicate stanza
      "Package: bin\xff\xfe\nStatus: install ok installed\nVersion: 2\nArchitecture: all\n\n" +  // not UTF-8
      "Package: huge\nStatus: install ok installed\nVersion: 3\nArchitecture: all\nDescription: " +
      std::string(10 * 1024 * 1024, 'x') + "\n\n" + stanza("last");
  auto sbom = catalog({{{"etc/os-release", FileType::regular, k_debian}, {"var/lib/dpkg/status", FileType::regular, status}}});
  ASSERT_OK(sbom);
  std::vector<std::string> names;
  for (const auto& p : sbom->packages) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"bin\xff\xfe", "good-one", "huge", "last"}));
  EXPECT_GE(sbom->warnings.size(), 5u);
  for (const auto& w : sbom->warnings) EXPECT_NE(w.find("/var/lib/dpkg/status"), std::string::npos) << w;
  // The output is valid JSON even with bytes that are not UTF-8.
  std::ostringstream out;
  EXPECT_NO_THROW(write_syft_json(out, *sbom, {"test"}));
}

TEST(DpkgTest, OnlyInstalledPackagesAndDistrolessStatusD) {
  auto sbom = catalog({{{"etc/os-release", FileType::regular, k_debian},
                        {"var/lib/dpkg/status", FileType::regular,
                         stanza("kept") +
                             "Package: removed\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: amd64\n\n" +
                             "Package: half\nStatus: install ok half-installed\nVersion: 1\nArchitecture: amd64\n"},
                        {"var/lib/dpkg/status.d/base", FileType::regular,
                         "Package: base-files\nVersion: 12.4\nArchitecture: amd64\nSource: base-files (12.4)\n"},
                        {"var/lib/dpkg/status.d/base.md5sums", FileType::regular,
                         "d41d8cd98f00b204e9800998ecf8427e  etc/issue\n"},
                        {"etc/issue", FileType::regular, "Debian\n"}}});
  ASSERT_OK(sbom);
  ASSERT_EQ(sbom->packages.size(), 2u);
  EXPECT_EQ(sbom->packages[0].name, "base-files");
  EXPECT_EQ(sbom->packages[0].locations[0].file.path, "/var/lib/dpkg/status.d/base");
  EXPECT_EQ(sbom->packages[1].name, "kept");
}

TEST(DpkgTest, LaterLayersWinAndSymlinkedDocDirsResolve) {
  auto sbom = catalog({{{"etc/os-release", FileType::regular, k_debian},
                        {"var/lib/dpkg/status", FileType::regular, stanza("old")},
                        {"usr/share/doc/libx1/copyright", FileType::regular,
                         "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                         "Files: *\nLicense: MIT\n\nFiles: x/*\nLicense: GPL-2+ or Artistic\n"}},
                       {{"var/lib/dpkg/status", FileType::regular, stanza("new") + stanza("libx1-dev")},
                        {"usr/share/doc/libx1-dev", FileType::symlink, "", "libx1"}}});
  ASSERT_OK(sbom);
  ASSERT_EQ(sbom->packages.size(), 2u);
  EXPECT_EQ(sbom->packages[0].name, "libx1-dev");
  ASSERT_EQ(sbom->packages[0].licenses.size(), 2u);
  EXPECT_EQ(sbom->packages[0].licenses[0].value, "GPL-2+");
  EXPECT_EQ(sbom->packages[0].licenses[1].value, "MIT");
  EXPECT_EQ(sbom->packages[0].licenses[0].locations[0].path, "/usr/share/doc/libx1/copyright");
  EXPECT_EQ(sbom->packages[1].name, "new");
}

// A Debian package that lists the file another package was found in owns it
// (syft's ownership-by-file-overlap), through the whole pipeline on two
// threads, and the syft-json names the overlapping file.
TEST(SbomTest, OwnershipByFileOverlapReachesTheSyftJson) {
  const std::string manifest =
      "mariner-release\t2.0-12.cm2\t1653816591\t1653753130\tMicrosoft Corporation\t(none)\t580\tnoarch\t0\t"
      "mariner-release-2.0-12.cm2.src.rpm\n";
  TempDir dir;
  testing::write_oci_layout(
      {testing::make_image({{{"etc/os-release", FileType::regular, k_debian},
                             {"var/lib/dpkg/status", FileType::regular, stanza("manifest-maker") + stanza("other")},
                             {"var/lib/dpkg/info/manifest-maker.md5sums", FileType::regular,
                              "d41d8cd98f00b204e9800998ecf8427e  var/lib/rpmmanifest/container-manifest-2\n"
                              "d41d8cd98f00b204e9800998ecf8427e  usr/bin/maker\n"},
                             {"usr/bin/maker", FileType::regular, "#!"},
                             {"var/lib/rpmmanifest/container-manifest-2", FileType::regular, manifest}}})},
      dir / "layout");
  auto image = open_image_source({SourceKind::oci_dir, (dir / "layout").string()}, {});
  ASSERT_OK(image);
  auto sbom = build_sbom(**image, {2, nullptr, "test"});
  ASSERT_OK(sbom);
  std::map<std::string, std::string> id_of;
  for (const auto& p : sbom->packages) id_of[p.name] = p.id;
  ASSERT_EQ(id_of.count("mariner-release"), 1u);
  std::vector<Relationship> overlaps;
  for (const auto& r : all_relationships(*sbom)) {
    if (r.type == "ownership-by-file-overlap") overlaps.push_back(r);
  }
  ASSERT_EQ(overlaps.size(), 1u);
  EXPECT_EQ(overlaps[0].parent, id_of["manifest-maker"]);
  EXPECT_EQ(overlaps[0].child, id_of["mariner-release"]);
  EXPECT_EQ(overlaps[0].files, std::vector<std::string>{"/var/lib/rpmmanifest/container-manifest-2"});

  std::ostringstream out;
  write_syft_json(out, *sbom, {"test"});
  const auto doc = nlohmann::json::parse(out.str());
  int found = 0;
  for (const auto& r : doc["artifactRelationships"]) {
    if (r["type"] != "ownership-by-file-overlap") continue;
    ++found;
    EXPECT_EQ(r["parent"], id_of["manifest-maker"]);
    EXPECT_EQ(r["metadata"]["files"], nlohmann::json::array({"/var/lib/rpmmanifest/container-manifest-2"}));
  }
  EXPECT_EQ(found, 1);
}

TEST(DpkgTest, CopyrightLicenses) {
  EXPECT_EQ(copyright_licenses("On Debian systems, see /usr/share/common-licenses/GPL-3.\n"),
            std::vector<std::string>{"GPL-3"});
  EXPECT_EQ(copyright_licenses("License: MIT\n"), std::vector<std::string>{});  // not DEP-5
  EXPECT_TRUE(copyright_licenses("").empty());
}

TEST(ApkTest, PackagesDependenciesAndFiles) {
  const std::string db =
      "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nI:622592\nT:the musl c library\nU:https://musl.libc.org/\n"
      "L:MIT\no:musl\nm:Maintainer <m@example.org>\np:so:libc.musl-x86_64.so.1=1\nF:lib\nR:ld-musl-x86_64.so.1\n"
      "a:0:0:755\nZ:Q1fvFNCvXJPbGLU+l2SXcVbTqX4gQ=\n\n"
      "P:busybox\nV:1.36.1-r5\nA:x86_64\nL:GPL-2.0-only\no:busybox\nD:so:libc.musl-x86_64.so.1\nF:bin\nR:busybox\n\n"
      "P:broken-no-version\n\nX\n\n"
      "P:ssl_client\nV:1.36.1-r5\nA:x86_64\no:busybox\nD:so:libc.musl-x86_64.so.1 !conflict\n";
  auto sbom = catalog({{{"etc/os-release", FileType::regular, "ID=alpine\nVERSION_ID=3.19.1\n"},
                        {"lib/apk/db/installed", FileType::regular, db},
                        {"lib/ld-musl-x86_64.so.1", FileType::regular, "ELF"},
                        {"bin/busybox", FileType::regular, "ELF"}}});
  ASSERT_OK(sbom);
  ASSERT_EQ(sbom->packages.size(), 3u);
  EXPECT_EQ(sbom->packages[1].name, "musl");
  EXPECT_EQ(sbom->packages[1].purl, "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1");
  EXPECT_EQ(sbom->packages[2].purl, "pkg:apk/alpine/ssl_client@1.36.1-r5?arch=x86_64&distro=alpine-3.19.1&upstream=busybox");
  EXPECT_EQ(sbom->packages[1].owned_files, std::vector<std::string>{"/lib/ld-musl-x86_64.so.1"});
  int musl_edges = 0;
  for (const auto& r : sbom->relationships) {
    musl_edges += r.type == "dependency-of" && r.parent == sbom->packages[1].id;
  }
  EXPECT_EQ(musl_edges, 2);  // busybox and ssl_client depend on musl's so: provide
  EXPECT_FALSE(sbom->warnings.empty());
}

TEST(DistroTest, ReleaseFilesInSyftsOrder) {
  EXPECT_EQ(parse_os_release("ID=\"debian\"\nVERSION_ID='12'\n# c\nNAME=Deb\\ ian\nBAD\n=x\n")["ID"], "debian");
  auto rocky = catalog({{{"etc/redhat-release", FileType::regular, "Rocky Linux release 8.4 (Green Obsidian)\n"}}});
  ASSERT_OK(rocky);
  EXPECT_EQ(rocky->distro.get("ID"), "rocky");
  EXPECT_EQ(rocky->distro.get("VERSION_ID"), "8.4");
  auto usr_lib = catalog({{{"usr/lib/os-release", FileType::regular, "ID=ubuntu\nVERSION_ID=22.04\n"},
                           {"etc/os-release", FileType::symlink, "", "../usr/lib/os-release"}}});
  ASSERT_OK(usr_lib);
  EXPECT_EQ(usr_lib->distro.get("ID"), "ubuntu");
  auto busybox = catalog({{{"bin/busybox", FileType::regular, std::string("\x7f" "ELF...BusyBox v1.36.1 (2023)...", 30)}}});
  ASSERT_OK(busybox);
  EXPECT_EQ(busybox->distro.get("ID"), "busybox");
  EXPECT_EQ(busybox->distro.get("VERSION_ID"), "1.36.1");
  auto nothing = catalog({{{"etc/motd", FileType::regular, "hi"}}});
  ASSERT_OK(nothing);
  EXPECT_TRUE(nothing->distro.empty());
}

// The shape syft's JSON schema 16 requires of what airlock writes, and the
// parts Anchore Enterprise reads (anchore-api.md §5.6).
TEST(SyftJsonTest, DocumentHasTheSchemaShape) {
  auto sbom = catalog({{{"etc/os-release", FileType::regular, k_debian},
                        {"var/lib/dpkg/status", FileType::regular, stanza("a", "Depends: b\n") + stanza("b")},
                        {"var/lib/dpkg/info/a.md5sums", FileType::regular, "0123456789abcdef0123456789abcdef  bin/a\n"},
                        {"bin/a", FileType::regular, "x", "", 0755}}});
  ASSERT_OK(sbom);
  std::ostringstream out;
  write_syft_json(out, *sbom, {"1.2.3"});
  const auto doc = nlohmann::json::parse(out.str());
  for (const char* key : {"artifacts", "artifactRelationships", "files", "source", "distro", "descriptor", "schema"}) {
    EXPECT_TRUE(doc.contains(key)) << key;
  }
  EXPECT_NE(doc["schema"]["url"].get<std::string>().find("anchore/syft"), std::string::npos);
  EXPECT_TRUE(doc["schema"]["version"].get<std::string>().starts_with("16."));
  EXPECT_EQ(doc["descriptor"]["name"], "airlock");
  std::set<std::string> ids;
  for (const auto& a : doc["artifacts"]) {
    for (const char* key : {"id", "name", "version", "type", "foundBy", "locations", "licenses", "language", "cpes",
                            "purl", "metadataType", "metadata"}) {
      EXPECT_TRUE(a.contains(key)) << key;
    }
    EXPECT_EQ(a["id"].get<std::string>().size(), 16u);
    EXPECT_TRUE(ids.insert(a["id"]).second) << "duplicate id";
    for (const auto& l : a["locations"]) {
      EXPECT_TRUE(l.contains("path") && l.contains("layerID") && l.contains("accessPath"));
      EXPECT_TRUE(l["layerID"].get<std::string>().starts_with("sha256:"));
    }
    for (const auto& c : a["cpes"]) EXPECT_TRUE(c["cpe"].get<std::string>().starts_with("cpe:2.3:a:"));
  }
  for (const auto& f : doc["files"]) ids.insert(f["id"]);
  ids.insert(doc["source"]["id"]);
  for (const auto& r : doc["artifactRelationships"]) {
    EXPECT_TRUE(ids.count(r["parent"])) << r.dump();
    EXPECT_TRUE(ids.count(r["child"])) << r.dump();
    EXPECT_TRUE(r["type"] == "contains" || r["type"] == "dependency-of" || r["type"] == "evident-by");
  }
  const auto& source = doc["source"];
  EXPECT_EQ(source["type"], "image");
  for (const char* key : {"userInput", "imageID", "manifestDigest", "mediaType", "tags", "imageSize", "layers",
                          "manifest", "config", "repoDigests", "architecture", "os"}) {
    EXPECT_TRUE(source["metadata"].contains(key)) << key;
  }
  EXPECT_EQ(doc["distro"]["id"], "debian");
  EXPECT_EQ(doc["distro"]["versionID"], "12");
  EXPECT_EQ(doc["files"][0]["metadata"]["mode"], 755);
}

}  // namespace
}  // namespace airlock
