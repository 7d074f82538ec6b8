// Real images built by tests/fixtures/make-images.sh (debootstrap, umoci,
// skopeo): every source kind must give the squashed file list the truth file
// records (from umoci's own unpack) and the digests skopeo and umoci wrote.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "analyze/image_walk.hpp"
#include "analyze/sbom.hpp"
#include "analyze/syft_json.hpp"
#include "analyze/source_spec.hpp"
#include "tests/support/run_process.hpp"

namespace airlock {
namespace {

std::filesystem::path fixtures() {
  const char* dir = std::getenv("AIRLOCK_FIXTURES");
  return dir != nullptr ? dir : "";
}

nlohmann::json truth(const std::string& name) {
  std::ifstream in(fixtures() / (name + ".truth.json"));
  if (!in) throw std::runtime_error("no truth file for " + name + " in " + fixtures().string() +
                                    " (run tests/fixtures/make-images.sh)");
  return nlohmann::json::parse(in);
}

struct Walked {
  std::unique_ptr<ImageSource> image;
  ImageWalk walk;
};

Walked walk(const std::string& spec_text, std::optional<Platform> platform = std::nullopt) {
  auto spec = parse_source_spec(spec_text);
  if (!spec) throw std::runtime_error(spec.error().message());
  SourceOptions options;
  options.platform = platform;
  auto image = open_image_source(*spec, options);
  if (!image) throw std::runtime_error(image.error().message());
  auto result = walk_image(**image);
  if (!result) throw std::runtime_error(result.error().message());
  return {std::move(*image), std::move(*result)};
}

std::string describe_truth(const nlohmann::json& f) {
  std::string type = f["type"];
  std::string out = type + " " + f["mode"].get<std::string>() + " " + std::to_string(f["uid"].get<int>()) +
                    ":" + std::to_string(f["gid"].get<int>());
  if (type == "file") out += " " + std::to_string(f["size"].get<std::uint64_t>());
  if (type == "symlink") out += " -> " + f["target"].get<std::string>();
  return out;
}

std::string describe_ours(const FileRecord& r) {
  const bool as_file = r.type == FileType::regular || r.type == FileType::hardlink;
  std::string type = as_file ? "file" : std::string(file_type_name(r.type));
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", r.mode);
  std::string out = type + " " + mode + " " + std::to_string(r.uid) + ":" + std::to_string(r.gid);
  if (as_file) out += " " + std::to_string(r.size);
  if (r.type == FileType::symlink) out += " -> " + r.link;
  return out;
}

void expect_files_match(const nlohmann::json& t, const FileIndex& index, const std::string& label) {
  std::map<std::string, std::string> expected, actual;
  for (const auto& f : t["squashed_files"]) expected[f["path"]] = describe_truth(f);
  for (const auto& [path, record] : index.files()) actual[path] = describe_ours(record);
  std::size_t shown = 0;
  for (const auto& [path, want] : expected) {
    auto it = actual.find(path);
    const std::string got = it == actual.end() ? "(missing)" : it->second;
    if (got != want && shown++ < 10) ADD_FAILURE() << label << ": " << path << ": want " << want << ", got " << got;
  }
  for (const auto& [path, got] : actual) {
    if (expected.count(path) == 0 && shown++ < 10) ADD_FAILURE() << label << ": extra path " << path << " " << got;
  }
  EXPECT_EQ(actual.size(), expected.size()) << label;
}

class RealImageTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RealImageTest, EveryArchiveKindMatchesTheTruth) {
  ASSERT_FALSE(fixtures().empty()) << "AIRLOCK_FIXTURES is not set";
  const std::string name = GetParam();
  const auto t = truth(name);
  const auto base = fixtures() / name;
  for (const std::string kind : {"oci-dir:", "oci-archive:", "docker-archive:"}) {
    const std::string path = base.string() + (kind == "oci-dir:" ? ".oci" : kind == "oci-archive:" ? ".oci.tar" : ".docker.tar");
    SCOPED_TRACE(kind + path);
    const Walked w = walk(kind + path);
    const ImageMetadata& meta = w.image->metadata();
    EXPECT_EQ(meta.config_digest.oci(), t["image"]["config_digest"]);
    ASSERT_EQ(w.walk.layers.size(), t["image"]["layer_count"].get<std::size_t>());
    for (std::size_t i = 0; i < w.walk.layers.size(); ++i) {
      EXPECT_EQ(w.walk.layers[i].diff_id.oci(), t["image"]["diff_ids"][i]);
    }
    if (kind == "docker-archive:") {
      EXPECT_TRUE(meta.manifest_synthesized);
      EXPECT_EQ(meta.tags, t["docker_archive"]["repo_tags"].get<std::vector<std::string>>());
      // The manifest airlock makes up is the one skopeo reports, byte for byte.
      const auto skopeo = testing::run_process("/usr/bin/skopeo", {"inspect", "--raw", "docker-archive:" + path});
      ASSERT_EQ(skopeo.exit_code, 0) << skopeo.err;
      EXPECT_EQ(meta.manifest_bytes, skopeo.out);
    } else {
      EXPECT_EQ(meta.manifest_digest.oci(), t["image"]["manifest_digest_oci"]);
      for (std::size_t i = 0; i < w.walk.layers.size(); ++i) {
        EXPECT_EQ(w.walk.layers[i].blob_digest.oci(), t["image"]["layers_oci"][i]["digest"]);
      }
    }
    expect_files_match(t, w.walk.squashed, kind + name);
  }
}

// dpkg accuracy: every installed package of the truth (dpkg-query on the
// squashed rootfs), exact name, version, architecture and source, and nothing else.
void expect_dpkg_match(const nlohmann::json& dpkg, const Sbom& sbom, const std::string& distro_qualifier,
                       const std::string& label) {
  std::map<std::string, std::string> expected, actual;
  for (const auto& p : dpkg["packages"]) {
    if (p["status"] != "ii") continue;
    const std::string name = p["name"];
    const std::string version = p["version"];
    const std::string source = p.value("source", name);
    const std::string source_version = p.value("source_version", version);
    expected[name + ":" + p["architecture"].get<std::string>()] = version + " " + source + " " + source_version;
  }
  for (const auto& p : sbom.packages) {
    if (p.type != "deb") continue;
    const std::string source = p.metadata["source"].get<std::string>().empty() ? p.name : p.metadata["source"].get<std::string>();
    const std::string source_version =
        p.metadata["sourceVersion"].get<std::string>().empty() ? p.version : p.metadata["sourceVersion"].get<std::string>();
    actual[p.name + ":" + p.metadata["architecture"].get<std::string>()] = p.version + " " + source + " " + source_version;
    // syft's PURL: pkg:deb/debian/NAME@VERSION?arch=…&distro=debian-12[&upstream=…];
    // none at all when the distro is not Debian-like (the tiny fixture).
    if (!distro_qualifier.starts_with("debian-")) {
      EXPECT_EQ(p.purl, "");
      continue;
    }
    const std::string prefix = "pkg:deb/debian/" + p.name + "@";
    EXPECT_TRUE(p.purl.starts_with(prefix)) << p.purl;
    EXPECT_NE(p.purl.find("arch=" + p.metadata["architecture"].get<std::string>()), std::string::npos) << p.purl;
    EXPECT_NE(p.purl.find("&distro=" + distro_qualifier), std::string::npos) << p.purl;
  }
  EXPECT_EQ(actual, expected) << label;
}

TEST_P(RealImageTest, DpkgPackagesMatchTheTruth) {
  ASSERT_FALSE(fixtures().empty()) << "AIRLOCK_FIXTURES is not set";
  const std::string name = GetParam();
  const auto t = truth(name);
  ASSERT_TRUE(t.contains("dpkg")) << name;
  for (const std::string kind : {"oci-archive:", "docker-archive:"}) {
    const std::string path = (fixtures() / name).string() + (kind == "oci-archive:" ? ".oci.tar" : ".docker.tar");
    auto spec = parse_source_spec(kind + path);
    auto image = open_image_source(*spec, {});
    ASSERT_TRUE(image.ok()) << image.error().message();
    auto sbom = build_sbom(**image, {2, nullptr, kind + path});
    ASSERT_TRUE(sbom.ok()) << sbom.error().message();
    EXPECT_TRUE(sbom->warnings.empty()) << sbom->warnings.front();
    const std::string distro = sbom->distro.get("ID") + "-" + sbom->distro.get("VERSION_ID");
    expect_dpkg_match(t["dpkg"], *sbom, distro, kind + name);
    // Two runs give the same bytes.
    std::ostringstream first, second;
    write_syft_json(first, *sbom, {"test"});
    auto again = build_sbom(**open_image_source(*spec, {}), {1, nullptr, kind + path});
    write_syft_json(second, *again, {"test"});
    EXPECT_TRUE(first.str() == second.str()) << "syft-json differs between runs";
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RealImageTest,
                         ::testing::Values("tiny", "debian-minbase", "debian-multilayer"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// The 1.6 GB image is built only on request (BIG=1); checked when present.
TEST(RealBigImageTest, MatchesTheTruthWhenBuilt) {
  if (!std::filesystem::exists(fixtures() / "big.truth.json")) {
    GTEST_SKIP() << "big is not built (tests/fixtures/make-images.sh DIR big)";
  }
  const auto t = truth("big");
  const Walked w = walk("oci-archive:" + (fixtures() / "big.oci.tar").string());
  EXPECT_EQ(w.image->metadata().manifest_digest.oci(), t["image"]["manifest_digest_oci"]);
  expect_files_match(t, w.walk.squashed, "big");
  auto image = open_image_source(*parse_source_spec("oci-archive:" + (fixtures() / "big.oci.tar").string()), {});
  auto sbom = build_sbom(**image, {2, nullptr, "big"});
  ASSERT_TRUE(sbom.ok()) << sbom.error().message();
  expect_dpkg_match(t["dpkg"], *sbom, "debian-12", "big");
}

TEST(RealMultiArchTest, EachPlatformAndTheParentIndex) {
  ASSERT_FALSE(fixtures().empty()) << "AIRLOCK_FIXTURES is not set";
  const auto t = truth("multiarch");
  for (const std::string kind : {"oci-dir:", "oci-archive:"}) {
    const std::string path = (fixtures() / "multiarch").string() + (kind == "oci-dir:" ? ".oci" : ".oci.tar");
    for (const auto& p : t["platforms"]) {
      const std::string platform = p["os"].get<std::string>() + "/" + p["architecture"].get<std::string>();
      SCOPED_TRACE(kind + path + " " + platform);
      const Walked w = walk(kind + path, *parse_platform(platform));
      const ImageMetadata& meta = w.image->metadata();
      EXPECT_EQ(meta.manifest_digest.oci(), p["manifest_digest"]);
      ASSERT_TRUE(meta.parent_digest.has_value());
      EXPECT_EQ(meta.parent_digest->oci(), t["index_digest"]);
      EXPECT_EQ(sha256(*meta.parent_bytes).oci(), t["index_digest"]);
      EXPECT_EQ(meta.platform.to_string(), platform);
      const auto& per = t["per_platform"][platform];
      expect_files_match(per.contains("squashed_files") ? per : truth(per["same_as"]), w.walk.squashed,
                         platform);
      auto image = open_image_source(*parse_source_spec(kind + path), {*parse_platform(platform), {}, "", "", {}, nullptr});
      auto sbom = build_sbom(**image, {2, nullptr, path});
      ASSERT_TRUE(sbom.ok()) << sbom.error().message();
      const auto& dpkg = per.contains("dpkg") ? per["dpkg"] : truth(per["same_as"])["dpkg"];
      expect_dpkg_match(dpkg, *sbom, sbom->distro.get("ID") + "-" + sbom->distro.get("VERSION_ID"), platform);
    }
    auto spec = parse_source_spec(kind + path);
    SourceOptions options;
    options.platform = Platform{"linux", "riscv64", ""};
    const auto missing = open_image_source(*spec, options);
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message().find("linux/arm64"), std::string::npos) << missing.error().message();
  }
}

}  // namespace
}  // namespace airlock
