#include "analyze/layer_walk.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "analyze/capture.hpp"
#include "analyze/decompress.hpp"
#include "analyze/image_walk.hpp"
#include "analyze/source_spec.hpp"
#include "tests/support/image_builder.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::compress;
using testing::make_tar;
using testing::TarEntry;
using testing::TempDir;

std::vector<TarEntry> sample_layer() {
  return {
      {"etc/", FileType::directory, "", "", 0755},
      {"etc/os-release", FileType::regular, "ID=test\n"},
      {"./opt//rig/target.txt", FileType::regular, "target bytes"},
      {"opt/rig/hard.txt", FileType::hardlink, "", "opt/rig/target.txt"},
      {"opt/rig/soft", FileType::symlink, "", "../../etc/os-release", 0777},
      {"home/u/secret", FileType::regular, "x", "", 0600, 1000, 1000},
  };
}

Result<LayerIndex> walk(const std::string& blob, LayerExpectation expect = {},
                        LayerVisitor* visitor = nullptr, LayerWalkLimits limits = {}) {
  MemorySource source(blob);
  if (expect.name.empty()) expect.name = "test layer";
  return walk_layer(source, expect, 3, visitor, limits);
}

TEST(LayerWalkTest, IndexesEveryMemberForEachCompression) {
  const std::string tar = make_tar(sample_layer());
  for (Compression kind : {Compression::none, Compression::gzip, Compression::zstd}) {
    const std::string blob = compress(tar, kind);
    LayerExpectation expect;
    expect.blob_digest = sha256(blob);
    expect.blob_size = blob.size();
    expect.diff_id = sha256(tar);
    auto index = walk(blob, expect);
    ASSERT_OK(index);
    EXPECT_EQ(index->diff_id, sha256(tar));
    EXPECT_EQ(index->tar_size, tar.size());
    ASSERT_EQ(index->entries.size(), 6u);
    EXPECT_EQ(index->entries[0].path, "/etc");
    EXPECT_EQ(index->entries[2].path, "/opt/rig/target.txt");
    const FileRecord& hard = index->entries[3].record;
    EXPECT_EQ(hard.type, FileType::hardlink);
    EXPECT_EQ(hard.link, "/opt/rig/target.txt");
    EXPECT_EQ(hard.size, 12u);
    EXPECT_EQ(index->entries[4].record.link, "../../etc/os-release");
    EXPECT_EQ(index->entries[5].record.uid, 1000u);
    EXPECT_EQ(index->entries[5].record.mode, 0600u);
    EXPECT_EQ(index->entries[5].record.layer, 3);
    EXPECT_EQ(index->content_size, 8u + 12u + 1u);
  }
}

TEST(LayerWalkTest, WhiteoutsAndOpaqueMarkersAreRecordedNotIndexed) {
  const std::string tar = make_tar({
      {"etc/.wh.motd", FileType::regular, ""},
      {"usr/share/doc/.wh.apt", FileType::regular, ""},
      {"etc/apt/apt.conf.d/.wh..wh..opq", FileType::regular, ""},
      {"etc/apt/apt.conf.d/new", FileType::regular, "n"},
      {".wh..wh.plnk/123", FileType::regular, ""},
      {"a/.wh.", FileType::regular, "not a whiteout"},
  });
  auto index = walk(tar);
  ASSERT_OK(index);
  EXPECT_EQ(index->whiteouts, (std::vector<std::string>{"/etc/motd", "/usr/share/doc/apt"}));
  EXPECT_EQ(index->opaque_dirs, (std::vector<std::string>{"/etc/apt/apt.conf.d"}));
  std::vector<std::string> paths;
  for (const auto& e : index->entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/etc/apt/apt.conf.d/new", "/.wh..wh.plnk/123", "/a/.wh."}));
}

TEST(LayerWalkTest, DigestMismatchesAreVerificationErrors) {
  const std::string tar = make_tar(sample_layer());
  const std::string blob = compress(tar, Compression::gzip);
  LayerExpectation wrong_blob;
  wrong_blob.blob_digest = sha256("something else");
  auto r1 = walk(blob, wrong_blob);
  EXPECT_ERROR_CODE(r1, ErrorCode::verification);
  EXPECT_NE(r1.error().message().find("digest mismatch"), std::string::npos);
  LayerExpectation wrong_diff;
  wrong_diff.diff_id = sha256("x");
  EXPECT_ERROR_CODE(walk(blob, wrong_diff), ErrorCode::verification);
  LayerExpectation wrong_size;
  wrong_size.blob_size = blob.size() + 1;
  EXPECT_ERROR_CODE(walk(blob, wrong_size), ErrorCode::verification);
}

TEST(LayerWalkTest, CorruptAndTruncatedCompressedDataIsRejected) {
  const std::string tar = make_tar(sample_layer());
  for (Compression kind : {Compression::gzip, Compression::zstd}) {
    const std::string blob = compress(tar, kind);
    for (std::size_t cut : {blob.size() / 2, blob.size() - 1, std::size_t{10}}) {
      auto r = walk(blob.substr(0, cut));
      EXPECT_FALSE(r.ok()) << compression_name(kind) << " cut at " << cut;
    }
    int rejected = 0, total = 0;
    for (std::size_t at = 12; at < blob.size(); at += 7) {
      std::string bad = blob;
      bad[at] = static_cast<char>(bad[at] ^ 0x55);
      LayerExpectation expect;
      expect.diff_id = sha256(tar);
      ++total;
      if (!walk(bad, expect).ok()) ++rejected;
    }
    // Every flip is caught: by the decoder, its checksum, or the diff_id.
    EXPECT_EQ(rejected, total) << compression_name(kind);
  }
}

TEST(LayerWalkTest, ConcatenatedGzipMembersAreOneStream) {
  const std::string tar = make_tar(sample_layer());
  const std::string blob = compress(tar.substr(0, 1024), Compression::gzip) +
                           compress(tar.substr(1024), Compression::gzip);
  LayerExpectation expect;
  expect.diff_id = sha256(tar);
  auto index = walk(blob, expect);
  ASSERT_OK(index);
  EXPECT_EQ(index->entries.size(), 6u);
  EXPECT_FALSE(walk(blob + "trailing garbage").ok());
}

TEST(LayerWalkTest, HostileMemberNamesAreRefused) {
  const auto dotdot = walk(make_tar({{"../../etc/passwd", FileType::regular, "x"}}));
  EXPECT_ERROR_CODE(dotdot, ErrorCode::invalid_input);
  EXPECT_NE(dotdot.error().message().find(".."), std::string::npos);
  EXPECT_ERROR_CODE(walk(make_tar({{"a/../../b", FileType::regular, "x"}})), ErrorCode::invalid_input);
  EXPECT_ERROR_CODE(walk(make_tar({{"/etc/passwd", FileType::regular, "x"}})), ErrorCode::invalid_input);
  EXPECT_ERROR_CODE(walk(make_tar({{"h", FileType::hardlink, "", "../outside"}})), ErrorCode::invalid_input);
  const std::string long_name(5000, 'a');
  EXPECT_ERROR_CODE(walk(make_tar({{long_name, FileType::regular, "x"}})), ErrorCode::invalid_input);
}

TEST(LayerWalkTest, NonTarAndEmptyInputs) {
  EXPECT_FALSE(walk("this is not a tar archive at all, just some words....").ok());
  EXPECT_FALSE(walk(compress("plain text, gzip-compressed, not a tar", Compression::gzip)).ok());
  auto empty = walk(make_tar({}));
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->entries.empty());
  auto nothing = walk("");
  EXPECT_FALSE(nothing.ok());
}

TEST(LayerWalkTest, EntryLimitStopsHugeLayers) {
  std::vector<TarEntry> many;
  for (int i = 0; i < 50; ++i) many.push_back({"f" + std::to_string(i), FileType::regular, ""});
  LayerWalkLimits limits;
  limits.max_entries = 10;
  EXPECT_ERROR_CODE(walk(make_tar(many), {}, nullptr, limits), ErrorCode::invalid_input);
}

TEST(LayerWalkTest, DecompressionBombIsStopped) {
  // 64 MiB of zeros in one file compress to ~64 KiB with gzip (ratio ~1000).
  const std::string tar = make_tar({{"zeros", FileType::regular, std::string(64u << 20, '\0')}});
  const std::string blob = compress(tar, Compression::gzip);
  LayerWalkLimits limits;
  limits.min_bomb_bytes = 1u << 20;
  limits.max_ratio = 100;
  const auto r = walk(blob, {}, nullptr, limits);
  EXPECT_ERROR_CODE(r, ErrorCode::invalid_input);
  EXPECT_NE(r.error().message().find("bomb"), std::string::npos);
  ASSERT_OK(walk(blob));  // within the default limits it is just a big file
}

TEST(LayerWalkTest, SparseHeaderClaimingATerabyteIsNotRead) {
  // A member header that claims 1 TB of data in a stream that has none.
  std::string tar = make_tar({{"big", FileType::regular, "x"}});
  // Patch the size field (octal, offset 124, 12 bytes) and the checksum.
  std::string header = tar.substr(0, 512);
  const char* size = "17777777777";  // ~8 GiB, the largest plain octal size
  std::memcpy(header.data() + 124, size, 11);
  std::memset(header.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : header) sum += c;
  char checksum[8];
  std::snprintf(checksum, sizeof checksum, "%06o", sum);
  std::memcpy(header.data() + 148, checksum, 7);
  tar.replace(0, 512, header);
  const auto r = walk(tar);
  EXPECT_FALSE(r.ok());
}

class CollectingVisitor final : public LayerVisitor {
 public:
  bool wants(const LayerEntry& e) override { return e.path.ends_with("os-release") || e.path.ends_with(".txt"); }
  Status visit(const LayerEntry& e, ByteSource& content) override {
    StringSink sink;
    AIRLOCK_TRY(copy_stream(content, sink));
    seen.emplace_back(e.path, sink.data());
    return {};
  }
  std::vector<std::pair<std::string, std::string>> seen;
};

TEST(LayerWalkTest, VisitorGetsContentsOfWantedFilesOnly) {
  CollectingVisitor visitor;
  auto index = walk(compress(make_tar(sample_layer()), Compression::gzip), {}, &visitor);
  ASSERT_OK(index);
  ASSERT_EQ(visitor.seen.size(), 2u);  // the hardlink and symlink have no content of their own
  EXPECT_EQ(visitor.seen[0], (std::pair<std::string, std::string>{"/etc/os-release", "ID=test\n"}));
  EXPECT_EQ(visitor.seen[1].second, "target bytes");
}

TEST(FileIndexTest, SquashAppliesWhiteoutsOpaqueDirsAndReplacements) {
  auto layer = [](std::vector<TarEntry> entries, std::uint16_t n) {
    const std::string tar = make_tar(entries);
    MemorySource source(tar);
    LayerExpectation e;
    e.name = "layer";
    auto r = walk_layer(source, e, n);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? std::move(*r) : LayerIndex{};
  };
  std::vector<LayerIndex> layers;
  layers.push_back(layer({{"etc/", FileType::directory},
                          {"etc/motd", FileType::regular, "hi"},
                          {"etc/keep", FileType::regular, "k"},
                          {"etc/apt/", FileType::directory},
                          {"etc/apt/a.conf", FileType::regular, "a"},
                          {"etc/apt/b.conf", FileType::regular, "b"},
                          {"data/", FileType::directory},
                          {"data/x", FileType::regular, "x"},
                          {"doc/apt/", FileType::directory},
                          {"doc/apt/README", FileType::regular, "r"}},
                         0));
  layers.push_back(layer({{"etc/.wh.motd", FileType::regular},
                          {"etc/apt/.wh..wh..opq", FileType::regular},
                          {"etc/apt/c.conf", FileType::regular, "c"},
                          {"data", FileType::regular, "now a file"},
                          {"doc/.wh.apt", FileType::regular},
                          {"etc/keep", FileType::regular, "k2"}},
                         1));
  const FileIndex index = FileIndex::squash(layers);
  EXPECT_EQ(index.find("/etc/motd"), nullptr);
  EXPECT_EQ(index.find("/etc/apt/a.conf"), nullptr);
  EXPECT_EQ(index.find("/etc/apt/b.conf"), nullptr);
  ASSERT_NE(index.find("/etc/apt/c.conf"), nullptr);
  ASSERT_NE(index.find("/etc/apt"), nullptr);
  EXPECT_EQ(index.find("/data")->type, FileType::regular);
  EXPECT_EQ(index.find("/data/x"), nullptr);
  EXPECT_EQ(index.find("/doc/apt"), nullptr);
  EXPECT_EQ(index.find("/doc/apt/README"), nullptr);
  EXPECT_EQ(index.find("/etc/keep")->layer, 1);
  EXPECT_EQ(index.find("/etc/keep")->size, 2u);
}

// The walk squashes layers as they arrive, on whichever worker is free; the
// result must be the squash of the layers in order, whatever the threads.
TEST(ImageWalkTest, SquashWhileWalkingEqualsSquashingInOrder) {
  std::vector<std::vector<TarEntry>> layers = {
      {{"etc/", FileType::directory}, {"etc/motd", FileType::regular, "hi"}, {"etc/apt/", FileType::directory},
       {"etc/apt/a.conf", FileType::regular, "a"}, {"data/x", FileType::regular, "x"}},
      {{"etc/.wh.motd", FileType::regular}, {"etc/apt/.wh..wh..opq", FileType::regular},
       {"etc/apt/c.conf", FileType::regular, "c"}},
      {{"data", FileType::regular, "now a file"}, {"etc/motd", FileType::regular, "back"}},
      {{"data", FileType::directory}, {"data/y", FileType::regular, "y"}, {"etc/.wh.apt", FileType::regular}}};
  for (int i = 0; i < 200; ++i) layers[i % 2].push_back({"bulk/" + std::to_string(i), FileType::regular, "b"});
  TempDir dir;
  testing::write_oci_layout({testing::make_image(layers)}, dir / "layout");
  for (unsigned threads : {1u, 2u, 4u}) {
    auto image = open_image_source({SourceKind::oci_dir, (dir / "layout").string()}, {});
    ASSERT_OK(image);
    ImageWalkOptions options;
    options.threads = threads;
    auto walk = walk_image(**image, options);
    ASSERT_OK(walk);
    const FileIndex in_order = FileIndex::squash(walk->layers);
    ASSERT_EQ(walk->squashed.size(), in_order.size()) << threads << " threads";
    for (const auto& [path, record] : in_order.files()) {
      const FileRecord* found = walk->squashed.find(path);
      ASSERT_NE(found, nullptr) << path;
      EXPECT_EQ(found->layer, record.layer) << path;
      EXPECT_EQ(found->type, record.type) << path;
    }
    ASSERT_NE(walk->squashed.find("/etc/motd"), nullptr);
    EXPECT_EQ(walk->squashed.find("/etc/motd")->layer, 2);
    EXPECT_EQ(walk->squashed.find("/etc/apt/c.conf"), nullptr);
    EXPECT_EQ(walk->squashed.find("/data")->type, FileType::directory);
    EXPECT_EQ(walk->squashed.find("/data/x"), nullptr);
  }
}

TEST(FileIndexTest, ResolveFollowsLinksAndStopsLoops) {
  const std::string tar = make_tar({{"usr/lib/os-release", FileType::regular, "ID=x"},
                                    {"etc/os-release", FileType::symlink, "", "../usr/lib/os-release"},
                                    {"bin", FileType::symlink, "", "usr/bin"},
                                    {"usr/bin/sh", FileType::regular, "#!"},
                                    {"loop/a", FileType::symlink, "", "b"},
                                    {"loop/b", FileType::symlink, "", "a"},
                                    {"self", FileType::symlink, "", "/self"},
                                    {"dangling", FileType::symlink, "", "/nowhere"},
                                    {"up", FileType::symlink, "", "../../../../usr/bin/sh"}});
  MemorySource source(tar);
  auto layer = walk_layer(source, {"l", {}, {}, {}}, 0);
  ASSERT_OK(layer);
  const FileIndex index = FileIndex::squash({*layer});
  EXPECT_EQ(index.resolve("/etc/os-release"), "/usr/lib/os-release");
  EXPECT_EQ(index.resolve("/bin/sh"), "/usr/bin/sh");
  EXPECT_EQ(index.resolve("/up"), "/usr/bin/sh");  // '..' stops at the root
  EXPECT_FALSE(index.resolve("/loop/a"));
  EXPECT_FALSE(index.resolve("/self"));
  EXPECT_FALSE(index.resolve("/dangling"));
  EXPECT_FALSE(index.resolve("/missing/file"));
}

// The resolver remembers the real path of each directory it has seen; what it
// answers must be what a full resolution of each path gives, asked once or
// again, through links to directories, implied directories, loops and links
// that lead nowhere.
TEST(ContentResolverTest, LocateAgreesWithAFullResolution) {
  const std::string tar = make_tar({{"usr/bin/sh", FileType::regular, "#!"},
                                    {"usr/bin/ls", FileType::regular, "x"},
                                    {"usr/bin/rsh", FileType::symlink, "", "sh"},
                                    {"usr/lib/os-release", FileType::regular, "ID=x"},
                                    {"bin", FileType::symlink, "", "usr/bin"},
                                    {"lib", FileType::symlink, "", "/usr/lib"},
                                    {"etc/os-release", FileType::symlink, "", "../usr/lib/os-release"},
                                    {"opt/implied/deep/file", FileType::regular, "i"},
                                    {"opt/alias", FileType::symlink, "", "implied/deep"},
                                    {"var/dir", FileType::directory, ""},
                                    {"var/file", FileType::regular, "f"},
                                    {"loop/a", FileType::symlink, "", "b"},
                                    {"loop/b", FileType::symlink, "", "a"},
                                    {"dangling", FileType::symlink, "", "/nowhere/x"},
                                    {"via-dangling", FileType::symlink, "", "dangling"}});
  MemorySource source(tar);
  auto layer = walk_layer(source, {"l", {}, {}, {}}, 0);
  ASSERT_OK(layer);
  const FileIndex index = FileIndex::squash({*layer});
  const std::vector<LayerCaptures> captures(1);
  const ContentResolver resolver(index, captures, {"sha256:layer"});
  const std::vector<std::string> paths = {
      "/usr/bin/sh", "/bin/sh", "/bin/ls", "/bin/rsh", "/bin/missing", "/lib/os-release", "/etc/os-release",
      "/opt/alias/file", "/opt/implied/deep/file", "/opt/implied/deep", "/opt/alias", "/var/dir", "/var/file",
      "/var/file/x", "/loop/a", "/loop/a/x", "/dangling", "/via-dangling", "/dangling/x", "/nothing/here",
      "/bin/../usr/bin/sh", "/bin/./sh", "/", "/bin", "/usr/bin/", "bin/sh"};
  for (int round = 0; round < 2; ++round) {
    for (const auto& path : paths) {
      std::optional<std::string> expected = index.resolve(path);
      if (expected) {
        const FileRecord* record = index.find(*expected);
        if (record == nullptr || record->type == FileType::directory) expected.reset();
      }
      const auto located = resolver.locate_file(path);
      ASSERT_EQ(located.has_value(), expected.has_value()) << path << " (round " << round << ")";
      if (!located) continue;
      EXPECT_EQ(located->location.path, *expected) << path;
      EXPECT_EQ(located->location.access_path, path);
      EXPECT_EQ(located->location.layer_id, "sha256:layer");
      EXPECT_EQ(located->record, index.find(*expected)) << path;
    }
  }
  EXPECT_EQ(resolver.locate("/bin/rsh")->path, "/usr/bin/sh");
  EXPECT_EQ(resolver.locate("/opt/alias/file")->path, "/opt/implied/deep/file");
}

TEST(FileIndexTest, CleanMemberPath) {
  EXPECT_EQ(*clean_member_path("./a//b/./c/"), "/a/b/c");
  EXPECT_EQ(*clean_member_path("./"), "");
  EXPECT_EQ(*clean_member_path("a"), "/a");
  EXPECT_FALSE(clean_member_path("a/../b").ok());
  EXPECT_FALSE(clean_member_path("/a").ok());
}

}  // namespace
}  // namespace airlock
