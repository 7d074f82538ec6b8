// ownership-by-file-overlap: which package owns which, from the files each
// package's database lists and the places packages were found.
#include "analyze/file_overlap.hpp"

#include <gtest/gtest.h>

namespace airlock {
namespace {

Package package(std::string id, std::string type, std::string found_at, std::vector<std::string> owned = {}) {
  Package p;
  p.id = std::move(id);
  p.name = p.id;
  p.type = std::move(type);
  p.locations.push_back({FileLocation{found_at, "sha256:l", found_at}, "primary", ""});
  p.owned_files = std::move(owned);
  return p;
}

TEST(FileOverlapTest, AnOwnerOfTheFileAPackageWasFoundInOwnsThatPackage) {
  const std::vector<Package> packages = {
      package("deb-a", "deb", "/var/lib/dpkg/status",
              {"/usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA", "/usr/lib/python3/dist-packages/foo/x.py"}),
      package("py-foo", "python", "/usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA"),
      package("py-bar", "python", "/usr/lib/python3/dist-packages/bar-2.0.dist-info/METADATA")};
  FileOverlap overlap(packages);
  overlap.claim(0, packages[0].owned_files[0], packages[0].owned_files[0]);
  overlap.claim(0, packages[0].owned_files[1], packages[0].owned_files[1]);
  const auto found = overlap.relationships();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].parent, "deb-a");
  EXPECT_EQ(found[0].child, "py-foo");
  EXPECT_EQ(found[0].type, "ownership-by-file-overlap");
  EXPECT_EQ(found[0].files, std::vector<std::string>{"/usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA"});
}

TEST(FileOverlapTest, DatabasesAndCopyrightFilesAreNeverOwnedAndNothingOwnsItself) {
  const std::vector<Package> packages = {
      package("rpm-tool", "rpm", "/var/lib/rpm/rpmdb.sqlite",
              {"/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/Packages.db", "/var/lib/rpm/Packages"}),
      package("deb-x", "deb", "/var/lib/dpkg/status", {"/var/lib/dpkg/status", "/usr/share/doc/x/copyright"}),
      package("deb-y", "deb", "/usr/share/doc/x/copyright"),
      package("distroless", "deb", "/var/lib/dpkg/status.d/base"),
      package("apk-tools", "apk", "/lib/apk/db/installed", {"/lib/apk/db/installed", "/var/lib/dpkg/status.d/base"}),
      package("self", "deb", "/opt/self.list", {"/opt/self.list"})};
  FileOverlap overlap(packages);
  for (std::size_t i = 0; i < packages.size(); ++i) {
    for (const auto& f : packages[i].owned_files) overlap.claim(i, f, f);
  }
  EXPECT_TRUE(overlap.relationships().empty());
  EXPECT_TRUE(never_owned("/var/lib/dpkg/status"));
  EXPECT_TRUE(never_owned("/srv/chroot/var/lib/dpkg/status"));
  EXPECT_TRUE(never_owned("/usr/share/rpm/Packages"));
  EXPECT_TRUE(never_owned("/usr/share/doc/a/b/copyright"));
  EXPECT_FALSE(never_owned("/usr/share/doc/a/README"));
  EXPECT_FALSE(never_owned("/var/lib/dpkg/info/a.md5sums"));
}

TEST(FileOverlapTest, AClaimThroughALinkGivesWayToAPackageOfTheSameKindListingTheRealFile) {
  // deb-old lists /lib/libz.so.1 (a link to /usr/lib/libz.so.1, where a binary
  // package was found); deb-new lists the real path itself.
  std::vector<Package> packages = {package("deb-old", "deb", "/var/lib/dpkg/status", {"/lib/libz.so.1"}),
                                   package("deb-new", "deb", "/var/lib/dpkg/status", {"/usr/lib/libz.so.1"}),
                                   package("zlib-bin", "binary", "/usr/lib/libz.so.1")};
  {
    FileOverlap overlap(packages);
    overlap.claim(0, "/lib/libz.so.1", "/usr/lib/libz.so.1");
    overlap.claim(1, "/usr/lib/libz.so.1", "/usr/lib/libz.so.1");
    const auto found = overlap.relationships();
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].parent, "deb-new");
    EXPECT_EQ(found[0].child, "zlib-bin");
  }
  // Without the direct claim, the claim through the link stands, naming the
  // path as the package lists it.
  packages.erase(packages.begin() + 1);
  FileOverlap overlap(packages);
  overlap.claim(0, "/lib/libz.so.1", "/usr/lib/libz.so.1");
  overlap.claim(0, "/lib/libz.so.1", "/usr/lib/libz.so.1");  // claimed twice: listed once
  const auto found = overlap.relationships();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].parent, "deb-old");
  EXPECT_EQ(found[0].files, std::vector<std::string>{"/lib/libz.so.1"});
}

TEST(FileOverlapTest, OneRelationshipPerPairWithEveryFileSortedAndPairsInOrder) {
  std::vector<Package> packages = {package("b-owner", "deb", "/var/lib/dpkg/status", {"/p/2", "/p/1", "/q/1"}),
                                         package("a-owner", "rpm", "/var/lib/rpm/rpmdb.sqlite", {"/q/1"}),
                                         package("child-p", "java", "/p/1"), package("child-q", "java", "/q/1")};
  packages[2].locations.push_back({FileLocation{"/p/2", "sha256:l", "/p/2"}, "supporting", ""});
  FileOverlap overlap(packages);
  for (std::size_t i = 0; i < packages.size(); ++i) {
    for (const auto& f : packages[i].owned_files) overlap.claim(i, f, f);
  }
  const auto found = overlap.relationships();
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].parent + ">" + found[0].child, "a-owner>child-q");
  EXPECT_EQ(found[1].parent + ">" + found[1].child, "b-owner>child-p");
  EXPECT_EQ(found[1].files, (std::vector<std::string>{"/p/1", "/p/2"}));
  EXPECT_EQ(found[2].parent + ">" + found[2].child, "b-owner>child-q");
}

}  // namespace
}  // namespace airlock
