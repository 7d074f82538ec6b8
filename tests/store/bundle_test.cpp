// Bundles: export from a real store, verify, and every kind of tampering.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>

#include "base/file.hpp"
#include "crypto/sealed_stream.hpp"
#include "export/exporter.hpp"
#include "store/bundle_reader.hpp"
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
    Item item;
    item.id = id;
    item.app = "shop";
    item.version = "1";
    item.asset = asset;
    item.asset_type = "container";
    item.image_reference = "docker.io/acme/" + asset + ":1@sha256:" + std::string(64, 'c');
    item.image_digest = "sha256:" + std::string(64, 'c');
    item.created = "2026-12-04T00:00:00Z";
    std::string sbom(sbom_size, 'x');
    for (std::size_t i = 0; i < sbom.size(); ++i) sbom[i] = static_cast<char>('a' + (i * 7 + asset.size()) % 26);
    for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
             {"sbom", sbom}, {"manifest", "{\"schemaVersion\":2}"}, {"image_config", "{\"os\":\"linux\"}"}}) {
      auto blob = m_store->blobs().put(bytes);
      item.parts.push_back({name, blob->digest, blob->size, "application/json"});
    }
    ASSERT_OK(m_store->add_item(item));
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

}  // namespace
}  // namespace airlock
