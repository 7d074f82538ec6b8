// Bundles: export from a real store, verify, and every kind of tampering.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <regex>
#include <set>

#include "base/file.hpp"
#include "crypto/sealed_stream.hpp"
#include "export/exporter.hpp"
#include "export/split.hpp"
#include "store/bundle_reader.hpp"
#include "store/bundle_volumes.hpp"
#include "tests/support/fake_random.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::FakeRandom;
using testing::TempDir;

class BundleTest : public ::testing::Test {
 protected:
  BundleTest() {
    m_store = std::move(*Store::open(m_dir / "store", Store::Open::create));
    add_item("aaaa000000000001", "api", 3000);
    add_item("bbbb000000000002", "db", 5000);
  }
  void add_item(const std::string& id, const std::string& asset, std::size_t sbom_size) {
    std::string sbom(sbom_size, 'x');
    for (std::size_t i = 0; i < sbom.size(); ++i) sbom[i] = static_cast<char>('a' + (i * 7 + asset.size()) % 26);
    add_item_with_sbom(id, asset, "1", 'c', sbom);
  }
  // An item whose SBOM is SIZE random bytes: zstd cannot shrink it, so its
  // member is about SIZE bytes.
  void add_random_item(const std::string& id, const std::string& asset, std::size_t size) {
    std::string sbom(size, '\0');
    m_random.fill(std::span(reinterpret_cast<std::uint8_t*>(sbom.data()), sbom.size()));
    add_item_with_sbom(id, asset, "2", 'd', sbom);
  }
  // Item ID of app "shop", version VERSION, asset ASSET, whose image digest is
  // DIGIT repeated, with SBOM as its sbom part.
  void add_item_with_sbom(const std::string& id, const std::string& asset, const std::string& version, char digit,
                          const std::string& sbom) {
    Item item;
    item.id = id;
    item.app = "shop";
    item.version = version;
    item.asset = asset;
    item.asset_type = "container";
    item.image_digest = "sha256:" + std::string(64, digit);
    item.image_reference = "docker.io/acme/" + asset + ":" + version + "@" + item.image_digest;
    item.created = "2026-12-04T00:00:00Z";
    for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
             {"sbom", sbom}, {"manifest", "{\"schemaVersion\":2}"}, {"image_config", "{\"os\":\"linux\"}"}}) {
      auto blob = m_store->blobs().put(bytes);
      item.parts.push_back({name, blob->digest, blob->size, "application/json"});
    }
    ASSERT_OK(m_store->add_item(item));
  }
  void add_random_items() {
    for (int i = 0; i < 6; ++i) add_random_item("eeee00000000000" + std::to_string(i), "r" + std::to_string(i), 3000 + 3000 * i);
  }
  Result<ExportResult> export_split(const std::string& dir, std::uint64_t size, bool dry_run = false,
                                    std::vector<PublicKey> recipients = {}) {
    std::filesystem::create_directories(m_dir / dir);
    ExportOptions options;
    options.output = m_dir / dir / "t.airlock";
    options.split_size = size;
    options.all = true;
    options.dry_run = dry_run;
    options.recipients = std::move(recipients);
    return export_bundle(*m_store, m_key.secret, options, m_random);
  }
  // The smallest split size export accepts, from its refusal of a tiny one.
  std::uint64_t smallest_split_size(std::vector<PublicKey> recipients = {}) {
    auto refused = export_split("tiny", 1, false, std::move(recipients));
    EXPECT_FALSE(refused.ok());
    if (refused.ok()) return 0;
    EXPECT_EQ(refused.error().code(), ErrorCode::usage);
    std::smatch match;
    const std::string message = refused.error().message();
    EXPECT_TRUE(std::regex_search(message, match, std::regex("use --split-size ([0-9]+) or more"))) << message;
    return match.empty() ? 0 : std::stoull(match[1].str());
  }
  // manifest.json of the bundle file PATH, as stored.
  std::string manifest_bytes(const std::filesystem::path& path) {
    const std::string bytes = read(path);
    const std::size_t size = std::stoull(bytes.substr(124, 11), nullptr, 8);
    return bytes.substr(512, size);
  }
  std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  Result<VerifiedBundle> verify_bytes(const std::string& bytes, const std::vector<PublicKey>& keys) {
    MemorySource source(bytes);
    return verify_bundle(source, keys, "test.airlock");
  }

  TempDir m_dir;
  std::unique_ptr<Store> m_store;
  FakeRandom m_random{3};
  KeyPair m_key = generate_key_pair(m_random);
  KeyPair m_other = generate_key_pair(m_random);
};

TEST_F(BundleTest, ExportVerifyAndIncrementalChain) {
  ExportOptions options;
  options.output = m_dir / "one.airlock";
  auto first = export_bundle(*m_store, m_key.secret, options, m_random);
  ASSERT_OK(first);
  EXPECT_TRUE(first->written);
  EXPECT_EQ(first->manifest.sequence, 1);
  EXPECT_FALSE(first->manifest.previous);
  EXPECT_EQ(first->manifest.items.size(), 2u);
  EXPECT_EQ(first->manifest.members.size(), 4u);  // manifest and config are shared: stored once
  auto verified = verify_bytes(read(options.output), {m_other.public_key, m_key.public_key});
  ASSERT_OK(verified);
  EXPECT_EQ(verified->manifest_hash, first->manifest_hash);

  options.output = m_dir / "two.airlock";
  auto nothing = export_bundle(*m_store, m_key.secret, options, m_random);
  ASSERT_OK(nothing);
  EXPECT_FALSE(nothing->written);
  EXPECT_FALSE(std::filesystem::exists(options.output));

  add_item("cccc000000000003", "web", 100);
  auto second = export_bundle(*m_store, m_key.secret, options, m_random);
  ASSERT_OK(second);
  EXPECT_EQ(second->manifest.items.size(), 1u);
  EXPECT_EQ(second->manifest.sequence, 2);
  EXPECT_EQ(second->manifest.previous, first->manifest_hash);

  ExportOptions other_destination;
  other_destination.output = m_dir / "lab.airlock";
  other_destination.destination = "lab";
  auto lab = export_bundle(*m_store, m_key.secret, other_destination, m_random);
  EXPECT_EQ(lab->manifest.items.size(), 3u);
  EXPECT_EQ(lab->manifest.sequence, 1);
  other_destination.dry_run = true;
  other_destination.all = true;
  other_destination.output = m_dir / "dry.airlock";
  auto dry = export_bundle(*m_store, m_key.secret, other_destination, m_random);
  ASSERT_OK(dry);
  EXPECT_FALSE(dry->written);
  EXPECT_FALSE(std::filesystem::exists(other_destination.output));
}

TEST_F(BundleTest, EncryptedBundlesVerifyWithoutSecretsAndDecryptForRecipients) {
  ExportOptions options;
  options.output = m_dir / "sealed.airlock";
  options.recipients = {m_other.public_key};
  auto exported = export_bundle(*m_store, m_key.secret, options, m_random);
  ASSERT_OK(exported);
  EXPECT_TRUE(exported->manifest.encrypted());
  EXPECT_FALSE(std::filesystem::exists(options.output.string() + ".sealing"));
  std::map<std::string, std::string> members;
  std::string bytes = read(options.output);
  MemorySource again(bytes);
  auto verified = verify_bundle(again, {m_key.public_key}, "sealed", [&](const BundleMember& m, ByteSource& in) -> Status {
    StringSink sink;
    AIRLOCK_TRY(copy_stream(in, sink));
    members[m.name] = sink.data();
    return {};
  });
  ASSERT_OK(verified);
  ASSERT_FALSE(members.empty());
  for (const auto& item : verified->manifest.items) {
    for (const auto& part : item.parts) {
      const std::string name = member_name(part.blob, true);
      ASSERT_TRUE(members.count(name)) << name;
      MemorySource sealed(members[name]);
      StringSink plain;
      ASSERT_OK(decrypt_stream(sealed, plain, m_other.secret));
      EXPECT_EQ(plain.data(), read(m_store->blobs().path_of(part.blob)));  // the store's zstd blob
      MemorySource sealed_again(members[name]);
      StringSink nothing;
      EXPECT_ERROR_CODE(decrypt_stream(sealed_again, nothing, m_key.secret), ErrorCode::verification);
    }
  }
}

TEST_F(BundleTest, UntrustedOrAlteredBundlesAreRejected) {
  ExportOptions options;
  options.output = m_dir / "b.airlock";
  ASSERT_OK(export_bundle(*m_store, m_key.secret, options, m_random));
  const std::string bytes = read(options.output);
  EXPECT_ERROR_CODE(verify_bytes(bytes, {m_other.public_key}), ErrorCode::verification);
  EXPECT_ERROR_CODE(verify_bytes(bytes, {}), ErrorCode::usage);
  // The manifest rewritten (sequence) with the old signature kept.
  std::string rewritten = bytes;
  const auto at = rewritten.find("\"sequence\": 1");
  ASSERT_NE(at, std::string::npos);
  rewritten[at + 12] = '7';
  EXPECT_ERROR_CODE(verify_bytes(rewritten, {m_key.public_key}), ErrorCode::verification);
  // Appended data, and a second copy of a member.
  EXPECT_ERROR_CODE(verify_bytes(bytes + "trailing garbage", {m_key.public_key}), ErrorCode::verification);
  EXPECT_ERROR_CODE(verify_bytes(bytes + bytes, {m_key.public_key}), ErrorCode::verification);
}

TEST_F(BundleTest, EveryFlippedByteAndEveryTruncationIsRejected) {
  ExportOptions options;
  options.output = m_dir / "b.airlock";
  ASSERT_OK(export_bundle(*m_store, m_key.secret, options, m_random));
  const std::string bytes = read(options.output);
  // Where the tar has data: headers, manifest, signature, members. The
  // end-of-archive padding (zeros) is excluded: flipping it is caught too,
  // but is not content.
  const std::size_t used = bytes.find_last_not_of('\0') + 1;
  ASSERT_GT(used, 2000u);
  int flips = 0;
  for (std::size_t k = 0; k < 600; ++k) {
    const std::size_t at = k * (used - 1) / 599;
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x20);
    auto r = verify_bytes(bad, {m_key.public_key});
    EXPECT_FALSE(r.ok()) << "flip at " << at << " of " << used << " went unnoticed";
    ++flips;
  }
  EXPECT_GE(flips, 500);
  for (std::size_t k = 0; k < 60; ++k) {
    const std::size_t keep = k * used / 60;
    EXPECT_FALSE(verify_bytes(bytes.substr(0, keep), {m_key.public_key}).ok()) << "truncated at " << keep;
  }
}

TEST_F(BundleTest, HostileArchivesAreRefused) {
  const auto tar_of = [](const std::vector<std::pair<std::string, std::string>>& members) {
    std::string out;
    for (const auto& [name, data] : members) {
      std::string header(512, '\0');
      std::memcpy(header.data(), name.data(), std::min<std::size_t>(name.size(), 99));
      std::snprintf(header.data() + 100, 8, "%07o", 0644);
      std::snprintf(header.data() + 124, 12, "%011o", static_cast<unsigned>(data.size()));
      std::memcpy(header.data() + 257, "ustar", 5);
      header[156] = '0';
      std::memset(header.data() + 148, ' ', 8);
      unsigned sum = 0;
      for (unsigned char c : header) sum += c;
      std::snprintf(header.data() + 148, 8, "%06o", sum);
      out += header + data + std::string((512 - data.size() % 512) % 512, '\0');
    }
    return out + std::string(1024, '\0');
  };
  for (const auto& members : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {},
           {{"other.txt", "x"}},
           {{"manifest.json", "{}"}},
           {{"manifest.json", "{}"}, {"manifest.sig", "{}"}},
           {{"manifest.json", std::string(100, '[')}, {"manifest.sig", "not json"}},
           {{"../manifest.json", "{}"}},
       }) {
    EXPECT_ERROR_CODE(verify_bytes(tar_of(members), {m_key.public_key}), ErrorCode::verification);
  }
}


TEST(SplitSize, DecimalAndBinaryUnitsAndClearRefusals) {
  const std::map<std::string, std::uint64_t> sizes = {
      {"4.7G", 4700000000},  {"25G", 25000000000}, {"700M", 700000000},  {"100K", 100000},
      {"4096", 4096},        {"4096B", 4096},      {"1GiB", 1ull << 30}, {"1.5GiB", 3ull << 29},
      {"4.7g", 4700000000},  {"10KB", 10000},      {"2MiB", 2ull << 20}, {"1T", 1000000000000},
      {"0.5K", 500},         {"1.0000000001G", 1000000000}};
  for (const auto& [text, bytes] : sizes) {
    auto parsed = parse_split_size(text);
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, bytes) << text;
  }
  for (const char* bad : {"", "G", "4.7X", "-1", "0", "0G", "1.5", "4..7G", "1e9", "4.7 G", ".5G", "99999999999999999999T"}) {
    EXPECT_ERROR_CODE(parse_split_size(bad), ErrorCode::usage);
  }
}

TEST(VolumeNames, NumberedBesideTheOutput) {
  EXPECT_EQ(volume_path("out/t.airlock", 1, 3), std::filesystem::path("out/t.001.airlock"));
  EXPECT_EQ(volume_path("out/t", 12, 30), std::filesystem::path("out/t.012.airlock"));
  EXPECT_EQ(volume_path("t.tar", 7, 1200), std::filesystem::path("t.tar.0007.airlock"));
  EXPECT_EQ(sibling_volume_path("in/t.002.airlock", 2, 3, 3), std::filesystem::path("in/t.003.airlock"));
  EXPECT_FALSE(sibling_volume_path("in/renamed.airlock", 2, 3, 3));
  EXPECT_EQ(volume_list({1, 3, 4}), "1, 3, 4");
  std::vector<std::uint32_t> many(1000);
  std::iota(many.begin(), many.end(), 1u);
  EXPECT_EQ(volume_list(many), "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 and 980 more");
}

TEST_F(BundleTest, SplitVolumesFitTheirSizeAndEachVerifiesAlone) {
  add_random_items();
  const std::uint64_t smallest = smallest_split_size();
  ASSERT_GT(smallest, 20000u);
  EXPECT_FALSE(export_split("below", smallest - 1).ok());
  int k = 0;
  for (const std::uint64_t size : {smallest, smallest + 511, smallest + 10240, smallest * 3 / 2, smallest * 2,
                                   smallest * 3, smallest * 100}) {
    const std::string dir = "s" + std::to_string(k++);
    auto dry = export_split(dir, size, true);
    ASSERT_OK(dry);
    auto exported = export_split(dir, size);
    ASSERT_OK(exported);
    ASSERT_FALSE(exported->volumes.empty());
    if (size == smallest) {
      EXPECT_GE(exported->volumes.size(), 4u);
    }
    if (size == smallest * 100) {
      EXPECT_EQ(exported->volumes.size(), 1u);
    }
    ASSERT_EQ(dry->volumes.size(), exported->volumes.size()) << size;
    VolumeSet set;
    std::set<std::string> members;
    for (std::size_t v = 0; v < exported->volumes.size(); ++v) {
      const auto& volume = exported->volumes[v];
      EXPECT_EQ(dry->volumes[v].size, volume.size);
      EXPECT_EQ(volume.path, volume_path(m_dir / dir / "t.airlock", volume.index, static_cast<std::uint32_t>(exported->volumes.size())));
      EXPECT_EQ(std::filesystem::file_size(volume.path), volume.size);
      EXPECT_LE(volume.size, size) << volume.path;
      auto verified = verify_bytes(read(volume.path), {m_key.public_key});
      ASSERT_OK(verified);
      ASSERT_TRUE(verified->manifest.volume);
      EXPECT_EQ(verified->manifest.volume->index, v + 1);
      EXPECT_EQ(verified->manifest.items.size(), 8u);  // every volume has the whole item list
      EXPECT_EQ(verified->manifest.sequence, exported->manifest.sequence);
      for (const auto& m : verified->manifest.members) EXPECT_TRUE(members.insert(m.name).second) << m.name << " twice";
      ASSERT_OK(set.add(*verified, volume.path.string()));
      if (v + 1 < exported->volumes.size()) {
        EXPECT_FALSE(set.missing().empty());
      }
    }
    EXPECT_TRUE(set.missing().empty());
    EXPECT_EQ(set.chain_hash(), exported->manifest_hash);
    EXPECT_EQ(set.chain_hash(), sha256(manifest_bytes(exported->volumes.front().path)));
    EXPECT_EQ(members.size(), exported->manifest.members.size());
    EXPECT_TRUE(set.volumes_lacking([](const Sha256Digest&) { return false; }).size() == exported->volumes.size());
  }
  // The chain goes on from the set: the next bundle names volume 1's manifest.
  ExportOptions next;
  next.output = m_dir / "next.airlock";
  next.all = true;
  auto after = export_bundle(*m_store, m_key.secret, next, m_random);
  ASSERT_OK(after);
  EXPECT_EQ(after->manifest.previous, sha256(manifest_bytes(m_dir / "s6" / "t.001.airlock")));
}

TEST_F(BundleTest, APartLargerThanTheSplitSizeIsRefusedNamingIt) {
  add_random_item("ffff000000000001", "big", 200000);
  auto refused = export_split("small", 100000);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::usage);
  EXPECT_NE(refused.error().message().find("part sbom of item ffff000000000001 (shop/2/big)"), std::string::npos)
      << refused.error().message();
  EXPECT_FALSE(std::filesystem::exists(m_dir / "small" / "t.001.airlock"));
  EXPECT_ERROR_CODE(export_split("small", 1), ErrorCode::usage);
}

TEST_F(BundleTest, EncryptedSplitPlansExactlyWhatItWrites) {
  add_random_items();
  const std::uint64_t size = smallest_split_size({m_other.public_key});
  auto dry = export_split("sealed", size, true, {m_other.public_key});
  ASSERT_OK(dry);
  auto sealed = export_split("sealed", size, false, {m_other.public_key});
  ASSERT_OK(sealed);
  ASSERT_GE(sealed->volumes.size(), 3u);
  ASSERT_EQ(dry->volumes.size(), sealed->volumes.size());
  VolumeSet set;
  for (std::size_t v = 0; v < sealed->volumes.size(); ++v) {
    EXPECT_EQ(dry->volumes[v].size, sealed->volumes[v].size);
    EXPECT_LE(sealed->volumes[v].size, size);
    auto verified = verify_bytes(read(sealed->volumes[v].path), {m_key.public_key});
    ASSERT_OK(verified);
    EXPECT_TRUE(verified->manifest.encrypted());
    ASSERT_OK(set.add(*verified, sealed->volumes[v].path.string()));
  }
  EXPECT_TRUE(set.missing().empty());
  EXPECT_FALSE(std::filesystem::exists(m_dir / "sealed" / "t.airlock.sealing"));
}

TEST_F(BundleTest, TamperedTruncatedOrForeignVolumesAreRefused) {
  add_random_items();
  auto exported = export_split("a", smallest_split_size());
  ASSERT_OK(exported);
  ASSERT_GE(exported->volumes.size(), 3u);
  std::vector<std::string> bytes;
  for (const auto& v : exported->volumes) bytes.push_back(read(v.path));
  // One flipped byte in volume 2: volume 2 fails, the others still verify alone.
  for (const std::size_t at : {std::size_t{100}, std::size_t{700}, bytes[1].size() / 2}) {
    std::string bad = bytes[1];
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    EXPECT_ERROR_CODE(verify_bytes(bad, {m_key.public_key}), ErrorCode::verification);
  }
  EXPECT_TRUE(verify_bytes(bytes[0], {m_key.public_key}).ok());
  EXPECT_TRUE(verify_bytes(bytes[2], {m_key.public_key}).ok());
  const std::size_t used = bytes[1].find_last_not_of('\0') + 1;
  for (std::size_t keep = 0; keep < bytes[1].size(); keep += 997) {
    EXPECT_FALSE(verify_bytes(bytes[1].substr(0, keep), {m_key.public_key}).ok()) << "truncated at " << keep;
  }
  EXPECT_FALSE(verify_bytes(bytes[1].substr(0, used), {m_key.public_key}).ok());

  // A volume of another export (the same items, another bundle) joins no set.
  auto other = export_split("b", smallest_split_size());
  ASSERT_OK(other);
  std::vector<VerifiedBundle> ours, theirs;
  for (const auto& b : bytes) ours.push_back(*verify_bytes(b, {m_key.public_key}));
  for (const auto& v : other->volumes) theirs.push_back(*verify_bytes(read(v.path), {m_key.public_key}));
  VolumeSet set;
  ASSERT_OK(set.add(ours[0], "ours-1"));
  ASSERT_OK(set.add(ours[0], "ours-1 again"));  // a second copy is no harm
  EXPECT_ERROR_CODE(set.add(theirs[1], "theirs-2"), ErrorCode::verification);
  // Forged by the producer's key but disagreeing: other items; another
  // volume 2 than one given; a volume 1 the others do not name.
  VerifiedBundle fewer = ours[1];
  fewer.manifest.items.pop_back();
  EXPECT_ERROR_CODE(set.add(fewer, "fewer"), ErrorCode::verification);
  ASSERT_OK(set.add(ours[1], "ours-2"));
  VerifiedBundle different_two = ours[1];
  different_two.manifest_hash = sha256("another manifest");
  EXPECT_ERROR_CODE(set.add(different_two, "another-2"), ErrorCode::verification);
  VolumeSet late_first;
  ASSERT_OK(late_first.add(ours[2], "ours-3"));
  VerifiedBundle wrong_first = ours[0];
  wrong_first.manifest_hash = sha256("not volume 1");
  EXPECT_ERROR_CODE(late_first.add(wrong_first, "wrong-1"), ErrorCode::verification);
  VerifiedBundle unsplit = ours[0];
  unsplit.manifest.volume.reset();
  EXPECT_ERROR_CODE(late_first.add(unsplit, "unsplit"), ErrorCode::verification);
}

TEST_F(BundleTest, VolumeManifestRulesAreEnforced) {
  add_random_items();
  auto exported = export_split("a", smallest_split_size());
  ASSERT_OK(exported);
  ASSERT_GE(exported->volumes.size(), 3u);
  const std::string original = manifest_bytes(exported->volumes[1].path);
  ASSERT_OK(parse_bundle_manifest(original));
  const auto doc = nlohmann::ordered_json::parse(original);
  // The first part of the first item this volume carries, and one it does not.
  std::string here, elsewhere;
  for (const auto& item : doc["items"]) {
    for (const auto& [name, part] : item["parts"].items()) {
      if (part["volume"] == 2 && here.empty()) here = item["id"].get<std::string>() + "/" + name;
      if (part["volume"] != 2 && elsewhere.empty()) elsewhere = item["id"].get<std::string>() + "/" + name;
    }
  }
  ASSERT_FALSE(here.empty());
  ASSERT_FALSE(elsewhere.empty());
  const auto part = [](nlohmann::ordered_json& d, const std::string& which) -> nlohmann::ordered_json& {
    const auto slash = which.find('/');
    for (auto& item : d["items"]) {
      if (item["id"] == which.substr(0, slash)) return item["parts"][which.substr(slash + 1)];
    }
    return d;
  };
  const std::vector<std::function<void(nlohmann::ordered_json&)>> edits = {
      [](auto& d) { d["volume"]["index"] = 0; },
      [](auto& d) { d["volume"]["index"] = d["volume"]["count"].template get<int>() + 1; },
      [](auto& d) { d["volume"]["count"] = 100001; },
      [](auto& d) { d["volume"]["first"] = nullptr; },
      [](auto& d) { d["volume"] = "two"; },
      [&](auto& d) { part(d, here)["volume"] = 1; },
      [&](auto& d) { part(d, here).erase("volume"); },
      [&](auto& d) { part(d, elsewhere)["volume"] = 2; },
      [&](auto& d) { part(d, elsewhere)["volume"] = 0; },
      [](auto& d) { d["members"].push_back({{"name", "blobs/sha256/" + std::string(64, 'a') + ".zst"}, {"size", 1}, {"sha256", std::string(64, 'b')}}); },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto edited = doc;
    edits[i](edited);
    SCOPED_TRACE("edit " + std::to_string(i));
    EXPECT_ERROR_CODE(parse_bundle_manifest(edited.dump(1)), ErrorCode::verification);
  }
  // Volume 1 must not name a first volume.
  auto one = nlohmann::ordered_json::parse(manifest_bytes(exported->volumes[0].path));
  ASSERT_TRUE(one["volume"]["first"].is_null());
  one["volume"]["first"] = exported->manifest_hash.oci();
  EXPECT_ERROR_CODE(parse_bundle_manifest(one.dump(1)), ErrorCode::verification);
}

TEST_F(BundleTest, SplitExportWritesAllVolumesOrNone) {
  add_random_items();
  // A volume of an earlier, longer export under the same name is refused:
  // an import of t.*.airlock would take it for part of this set.
  std::filesystem::create_directories(m_dir / "stale");
  std::ofstream(m_dir / "stale" / "t.042.airlock") << "old";
  auto stale = export_split("stale", smallest_split_size());
  EXPECT_ERROR_CODE(stale, ErrorCode::conflict);
  EXPECT_FALSE(std::filesystem::exists(m_dir / "stale" / "t.001.airlock"));
  // Volume 2 cannot be put in place: volume 1 is not left behind either,
  // nor anything staged, and the items still count as not exported.
  std::filesystem::create_directories(m_dir / "fail" / "t.002.airlock.incomplete" / "in-the-way");
  auto failed = export_split("fail", smallest_split_size());
  ASSERT_FALSE(failed.ok());
  for (const auto& entry : std::filesystem::directory_iterator(m_dir / "fail")) {
    EXPECT_EQ(entry.path().filename(), "t.002.airlock.incomplete") << entry.path();
  }
  ExportOptions options;
  options.output = m_dir / "after.airlock";
  auto after = export_bundle(*m_store, m_key.secret, options, m_random);
  ASSERT_OK(after);
  EXPECT_EQ(after->manifest.items.size(), 8u);
  EXPECT_EQ(after->manifest.sequence, 1);
}

}  // namespace
}  // namespace airlock
