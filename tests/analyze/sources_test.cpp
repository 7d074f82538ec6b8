#include <gtest/gtest.h>

#include <fstream>

#include "analyze/docker_archive_source.hpp"
#include "analyze/image_walk.hpp"
#include "analyze/oci.hpp"
#include "analyze/source_spec.hpp"
#include "tests/support/image_builder.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::TarEntry;
using testing::TempDir;
using testing::TestImage;

std::vector<std::vector<TarEntry>> two_layers() {
  return {
      {{"etc/", FileType::directory, "", "", 0755},
       {"etc/os-release", FileType::regular, "ID=debian\nVERSION_ID=\"12\"\n"},
       {"etc/motd", FileType::regular, "hello"},
       {"bin/sh", FileType::regular, "#!", "", 0755}},
      {{"etc/.wh.motd", FileType::regular},
       {"app/", FileType::directory},
       {"app/run", FileType::symlink, "", "/bin/sh"}},
  };
}

Result<std::unique_ptr<ImageSource>> open(const std::string& spec_text,
                                          std::optional<Platform> platform = std::nullopt) {
  AIRLOCK_TRY_ASSIGN(const SourceSpec spec, parse_source_spec(spec_text));
  SourceOptions options;
  options.platform = platform;
  return open_image_source(spec, options);
}

std::map<std::string, std::string> listing(ImageSource& image) {
  auto walk = walk_image(image);
  EXPECT_TRUE(walk.ok()) << walk.error().message();
  std::map<std::string, std::string> out;
  if (!walk) return out;
  for (const auto& [path, r] : walk->squashed.files()) {
    out[path] = std::string(file_type_name(r.type)) + " " + std::to_string(r.size) + " " + r.link;
  }
  return out;
}

TEST(SourcesTest, EveryArchiveKindGivesTheSameFilesAndDigests) {
  TempDir dir;
  const TestImage image = testing::make_image(two_layers());
  testing::write_oci_layout({image}, dir / "layout");
  testing::tar_directory(dir / "layout", dir / "image.oci.tar");
  const TestImage plain = testing::make_image(two_layers(), Compression::none);
  testing::write_docker_archive(plain, dir / "image.docker.tar");

  auto oci_dir = open("oci-dir:" + (dir / "layout").string());
  auto oci_archive = open("oci-archive:" + (dir / "image.oci.tar").string());
  auto docker = open("docker-archive:" + (dir / "image.docker.tar").string());
  auto detected_dir = open((dir / "layout").string());
  auto detected_oci = open((dir / "image.oci.tar").string());
  auto detected_docker = open((dir / "image.docker.tar").string());
  for (auto* r : {&oci_dir, &oci_archive, &docker, &detected_dir, &detected_oci, &detected_docker}) {
    ASSERT_OK(*r);
  }
  EXPECT_EQ((*oci_dir)->metadata().manifest_digest.oci(), testing::digest_of(image.manifest));
  EXPECT_EQ((*oci_archive)->metadata().manifest_digest, (*oci_dir)->metadata().manifest_digest);
  EXPECT_EQ((*oci_dir)->metadata().manifest_bytes, image.manifest);
  EXPECT_EQ((*oci_dir)->metadata().config_bytes, image.config);
  EXPECT_EQ((*detected_oci)->metadata().source, "oci-archive:" + (dir / "image.oci.tar").string());
  EXPECT_EQ((*detected_docker)->metadata().source, "docker-archive:" + (dir / "image.docker.tar").string());
  EXPECT_TRUE((*docker)->metadata().manifest_synthesized);
  EXPECT_EQ((*docker)->metadata().tags, std::vector<std::string>{"example.test/app:1.0"});
  EXPECT_EQ((*docker)->metadata().config_digest.oci(), testing::digest_of(plain.config));

  const auto expected = listing(**oci_dir);
  EXPECT_EQ(expected.count("/etc/motd"), 0u);
  EXPECT_EQ(expected.at("/app/run"), "symlink 0 /bin/sh");
  EXPECT_EQ(listing(**oci_archive), expected);
  EXPECT_EQ(listing(**docker), expected);
}

TEST(SourcesTest, SynthesizedManifestHasSkopeosShape) {
  const std::string m = synthesize_docker_manifest(sha256("c"), 3, {{sha256("l"), 10240}});
  EXPECT_EQ(m, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
               "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":3,"
               "\"digest\":\"" + sha256("c").oci() + "\"},\"layers\":[{\"mediaType\":"
               "\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":10240,\"digest\":\"" +
               sha256("l").oci() + "\"}]}");
}

TEST(SourcesTest, ZstdAndUncompressedLayersInOciLayouts) {
  TempDir dir;
  for (Compression kind : {Compression::zstd, Compression::none}) {
    const auto path = dir / std::string(compression_name(kind));
    testing::write_oci_layout({testing::make_image(two_layers(), kind)}, path);
    auto image = open("oci-dir:" + path.string());
    ASSERT_OK(image);
    EXPECT_EQ(listing(**image).size(), 5u);
  }
}

TEST(SourcesTest, MultiPlatformIndexPicksThePlatformAndKeepsTheParent) {
  TempDir dir;
  const TestImage amd = testing::make_image(two_layers(), Compression::gzip, "amd64");
  const TestImage arm = testing::make_image({{{"arm-only", FileType::regular, "x"}}}, Compression::gzip, "arm64");
  for (bool nested : {false, true}) {
    const auto path = dir / (nested ? "nested" : "flat");
    testing::write_oci_layout({amd, arm}, path, nested);
    auto a = open("oci-dir:" + path.string(), Platform{"linux", "arm64", ""});
    ASSERT_OK(a);
    EXPECT_EQ((*a)->metadata().platform.architecture, "arm64");
    EXPECT_EQ(listing(**a).count("/arm-only"), 1u);
    EXPECT_EQ((*a)->metadata().parent_digest.has_value(), nested);
    auto host = open("oci-dir:" + path.string());  // default: the host's platform (amd64 here)
    ASSERT_OK(host);
    EXPECT_EQ((*host)->metadata().manifest_digest.oci(), testing::digest_of(amd.manifest));
    auto missing = open("oci-dir:" + path.string(), Platform{"linux", "s390x", ""});
    EXPECT_ERROR_CODE(missing, ErrorCode::not_found);
    EXPECT_NE(missing.error().message().find("linux/amd64, linux/arm64"), std::string::npos)
        << missing.error().message();
  }
}

TEST(SourcesTest, CorruptLayerBlobIsAVerificationError) {
  TempDir dir;
  const TestImage image = testing::make_image(two_layers());
  testing::write_oci_layout({image}, dir / "layout");
  const auto blob = dir / "layout/blobs/sha256" / testing::digest_of(image.blobs[1]).substr(7);
  {
    std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x42');
  }
  auto source = open("oci-dir:" + (dir / "layout").string());
  ASSERT_OK(source);
  const auto walk = walk_image(**source);
  EXPECT_ERROR_CODE(walk, ErrorCode::verification);
  EXPECT_NE(walk.error().message().find("layer 2"), std::string::npos) << walk.error().message();
}

TEST(SourcesTest, MissingBlobsAndBrokenDocuments) {
  TempDir dir;
  const TestImage image = testing::make_image(two_layers());
  testing::write_oci_layout({image}, dir / "layout");
  std::filesystem::remove(dir / "layout/blobs/sha256" / testing::digest_of(image.blobs[0]).substr(7));
  auto source = open("oci-dir:" + (dir / "layout").string());
  ASSERT_OK(source);
  auto walk = walk_image(**source);
  EXPECT_ERROR_CODE(walk, ErrorCode::invalid_input);
  EXPECT_NE(walk.error().message().find("missing"), std::string::npos);

  std::filesystem::remove(dir / "layout/blobs/sha256" / testing::digest_of(image.config).substr(7));
  EXPECT_ERROR_CODE(open("oci-dir:" + (dir / "layout").string()), ErrorCode::invalid_input);

  testing::write_oci_layout({image}, dir / "bad-index");
  std::ofstream(dir / "bad-index/index.json") << "{not json";
  EXPECT_ERROR_CODE(open("oci-dir:" + (dir / "bad-index").string()), ErrorCode::invalid_input);

  // A manifest whose bytes do not match its digest.
  testing::write_oci_layout({image}, dir / "tampered");
  std::ofstream(dir / "tampered/blobs/sha256" / testing::digest_of(image.manifest).substr(7))
      << image.manifest << " ";
  EXPECT_ERROR_CODE(open("oci-dir:" + (dir / "tampered").string()), ErrorCode::verification);
}

TEST(SourcesTest, UnknownLayerMediaTypeIsRefusedUpFront) {
  TempDir dir;
  TestImage image = testing::make_image(two_layers());
  image.media_types[0] = "application/vnd.oci.image.layer.v1.tar+encrypted";
  testing::rebuild_manifest(image);
  testing::write_oci_layout({image}, dir / "layout");
  const auto r = open("oci-dir:" + (dir / "layout").string());
  EXPECT_ERROR_CODE(r, ErrorCode::invalid_input);
  EXPECT_NE(r.error().message().find("encrypted"), std::string::npos);
}

TEST(SourcesTest, HostileDockerArchives) {
  TempDir dir;
  const TestImage image = testing::make_image(two_layers(), Compression::none);
  // Two images in one archive.
  testing::write_tar_file(dir / "two.tar", {{"manifest.json", "[{\"Config\":\"c\",\"Layers\":[]},{}]"}});
  EXPECT_ERROR_CODE(open("docker-archive:" + (dir / "two.tar").string()), ErrorCode::invalid_input);
  // manifest.json naming a layer that is not there.
  testing::write_tar_file(dir / "missing.tar",
                          {{"c.json", image.config},
                           {"manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[\"nope/layer.tar\",\"x\"]}]"}});
  EXPECT_ERROR_CODE(open("docker-archive:" + (dir / "missing.tar").string()), ErrorCode::invalid_input);
  // Not JSON.
  testing::write_tar_file(dir / "junk.tar", {{"manifest.json", "junk"}});
  EXPECT_ERROR_CODE(open("docker-archive:" + (dir / "junk.tar").string()), ErrorCode::invalid_input);
  // A member path that climbs out.
  testing::write_tar_file(dir / "climb.tar", {{"../manifest.json", "[]"}});
  EXPECT_ERROR_CODE(open("docker-archive:" + (dir / "climb.tar").string()), ErrorCode::invalid_input);
  // Duplicate members.
  testing::write_tar_file(dir / "dup.tar", {{"manifest.json", "[]"}, {"manifest.json", "[]"}});
  EXPECT_ERROR_CODE(open("docker-archive:" + (dir / "dup.tar").string()), ErrorCode::invalid_input);
  // Truncated archive: every layer read must fail cleanly, never crash.
  testing::write_docker_archive(image, dir / "good.tar");
  std::ifstream in(dir / "good.tar", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto full = open("docker-archive:" + (dir / "good.tar").string());
  ASSERT_OK(full);
  const auto complete = listing(**full);
  for (std::size_t cut = 0; cut < bytes.size(); cut += bytes.size() / 23 + 1) {
    std::ofstream(dir / "cut.tar", std::ios::binary | std::ios::trunc) << bytes.substr(0, cut);
    auto source = open("docker-archive:" + (dir / "cut.tar").string());
    if (!source) continue;
    // Only the end-of-archive padding may be missing for a walk to succeed,
    // and then its result is the whole image, never a part of it.
    auto walk = walk_image(**source);
    if (walk) {
      EXPECT_EQ(listing(**source), complete) << "cut at " << cut;
    }
  }
  // A layer whose bytes do not match the config's diff_id.
  TestImage wrong = image;
  wrong.blobs[0] = testing::make_tar({{"other", FileType::regular, "x"}});
  testing::write_docker_archive(wrong, dir / "wrong.tar");
  auto source = open("docker-archive:" + (dir / "wrong.tar").string());
  ASSERT_OK(source);
  EXPECT_ERROR_CODE(walk_image(**source), ErrorCode::verification);
}

TEST(SourcesTest, SourceSpecParsing) {
  EXPECT_EQ(parse_source_spec("docker-archive:/x.tar")->kind, SourceKind::docker_archive);
  EXPECT_EQ(parse_source_spec("oci-dir:rel/dir")->location, "rel/dir");
  EXPECT_ERROR_CODE(parse_source_spec(""), ErrorCode::usage);
  EXPECT_ERROR_CODE(parse_source_spec("oci-archive:"), ErrorCode::usage);
  EXPECT_EQ(parse_source_spec("no/such/path-or-image")->kind, SourceKind::automatic);
  EXPECT_ERROR_CODE(parse_source_spec("No Such Thing!"), ErrorCode::usage);
  TempDir dir;
  auto docker = parse_source_spec("docker:debian:12");
  ASSERT_OK(docker);
  SourceOptions no_daemon;
  no_daemon.docker_host = "unix://" + (dir / "no.sock").string();
  EXPECT_ERROR_CODE(open_image_source(*docker, no_daemon), ErrorCode::unavailable);
  no_daemon.docker_host = "ssh://somewhere";
  EXPECT_ERROR_CODE(open_image_source(*docker, no_daemon), ErrorCode::usage);
  EXPECT_ERROR_CODE(parse_pull_order("docker,ftp"), ErrorCode::usage);
  EXPECT_EQ(parse_pull_order("registry,docker")->size(), 2u);
  EXPECT_EQ(parse_source_spec(dir.path().string())->kind, SourceKind::dir);
  std::ofstream(dir / "plain.txt") << "not an archive";
  EXPECT_ERROR_CODE(parse_source_spec((dir / "plain.txt").string()), ErrorCode::invalid_input);
}

TEST(SourcesTest, DirectorySourceWalksARootFilesystem) {
  TempDir dir;
  std::filesystem::create_directories(dir / "root/etc");
  std::ofstream(dir / "root/etc/os-release") << "ID=debian\n";
  std::filesystem::create_symlink("os-release", dir / "root/etc/link");
  std::filesystem::create_hard_link(dir / "root/etc/os-release", dir / "root/etc/hard");
  auto image = open("dir:" + (dir / "root").string());
  ASSERT_OK(image);
  const auto files = listing(**image);
  EXPECT_EQ(files.size(), 4u);
  EXPECT_EQ(files.at("/etc/link"), "symlink 0 os-release");
  const bool one_is_hardlink = files.at("/etc/hard").starts_with("hardlink") ||
                               files.at("/etc/os-release").starts_with("hardlink");
  EXPECT_TRUE(one_is_hardlink);
}

TEST(PlatformTest, ParsingAndMatching) {
  EXPECT_EQ(parse_platform("linux/arm64")->to_string(), "linux/arm64");
  EXPECT_EQ(parse_platform("arm64")->to_string(), "linux/arm64");
  EXPECT_EQ(parse_platform("linux/aarch64/v8")->to_string(), "linux/arm64");
  EXPECT_EQ(parse_platform("x86_64")->to_string(), "linux/amd64");
  EXPECT_EQ(parse_platform("linux/arm/v7")->to_string(), "linux/arm/v7");
  EXPECT_EQ(parse_platform("arm/v6")->to_string(), "linux/arm/v6");
  EXPECT_ERROR_CODE(parse_platform("linux/"), ErrorCode::usage);
  EXPECT_ERROR_CODE(parse_platform("a/b/c/d"), ErrorCode::usage);
  EXPECT_ERROR_CODE(parse_platform("linux/*"), ErrorCode::usage);
  EXPECT_TRUE(platform_matches({"linux", "arm", "v7"}, {"linux", "arm", ""}));
  EXPECT_FALSE(platform_matches({"linux", "arm", "v6"}, {"linux", "arm", "v7"}));
  EXPECT_FALSE(platform_matches({"linux", "amd64", ""}, {"windows", "amd64", ""}));
}

TEST(OciDocumentsTest, HostileDocumentsAreRejected) {
  const std::string d = sha256("x").oci();
  const std::vector<std::string> bad_manifests = {
      "", "[]", "{}", "null", "{\"schemaVersion\":1}",
      "{\"schemaVersion\":2,\"config\":{}}",
      "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"sha512:ab\",\"size\":1},\"layers\":[]}",
      "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"" + d + "\",\"size\":-1},\"layers\":[]}",
      "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"" + d + "\",\"size\":1},\"layers\":{}}",
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"config\":{}}",
  };
  for (const auto& m : bad_manifests) {
    SCOPED_TRACE(m);
    EXPECT_ERROR_CODE(parse_manifest(m, "m"), ErrorCode::invalid_input);
  }
  EXPECT_ERROR_CODE(parse_image_config("{\"rootfs\":{\"diff_ids\":[\"nope\"]}}", "c"), ErrorCode::invalid_input);
  EXPECT_ERROR_CODE(parse_image_config("{\"config\":{\"Env\":\"x\"},\"rootfs\":{}}", "c"), ErrorCode::invalid_input);
  EXPECT_ERROR_CODE(parse_index("{\"manifests\":[1]}", "i"), ErrorCode::invalid_input);
  std::string deep(100000, '[');
  EXPECT_ERROR_CODE(parse_manifest(deep, "deep"), ErrorCode::invalid_input);
}

}  // namespace
}  // namespace airlock
