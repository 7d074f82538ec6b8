#include "store/store.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::TempDir;

Item make_item(Store& store, const std::string& id, const std::string& asset, const std::string& sbom) {
  Item item;
  item.id = id;
  item.account = "acct";
  item.app = "shop";
  item.version = "1.0";
  item.asset = asset;
  item.asset_type = "container";
  item.annotations = {{"owner", "team"}};
  item.image_reference = "docker.io/acme/" + asset + ":1@sha256:" + std::string(64, 'a');
  item.image_digest = "sha256:" + std::string(64, 'a');
  item.tags = {"docker.io/acme/" + asset + ":1"};
  item.created = "2026-12-04T00:00:00Z";
  const auto blob = store.blobs().put(sbom);
  EXPECT_TRUE(blob.ok());
  item.parts.push_back({"sbom", blob->digest, blob->size, "application/json"});
  return item;
}

TEST(BlobStoreTest, StoresVerifiesAndDetectsDamage) {
  TempDir dir;
  BlobStore blobs(dir.path());
  const std::string content(300000, 'z');
  auto stored = blobs.put(content);
  ASSERT_OK(stored);
  EXPECT_EQ(stored->digest, sha256(content));
  EXPECT_EQ(stored->size, content.size());
  EXPECT_LT(std::filesystem::file_size(blobs.path_of(stored->digest)), content.size() / 10);  // zstd
  EXPECT_EQ(*blobs.read_small(stored->digest, 1 << 20), content);
  ASSERT_OK(blobs.put(content));  // the same blob again is a no-op
  ASSERT_OK(blobs.verify(stored->digest));

  // Damage the compressed file: detected on read and by verify.
  {
    std::fstream f(blobs.path_of(stored->digest), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x7f');
  }
  EXPECT_ERROR_CODE(blobs.verify(stored->digest), ErrorCode::verification);
  EXPECT_ERROR_CODE(blobs.read_small(stored->digest, 1 << 20), ErrorCode::verification);
  // A blob swapped for another blob's bytes: the name does not match.
  auto other = blobs.put(std::string_view("other"));
  std::filesystem::copy_file(blobs.path_of(other->digest), blobs.path_of(stored->digest),
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_ERROR_CODE(blobs.verify(stored->digest), ErrorCode::verification);
  std::filesystem::remove(blobs.path_of(stored->digest));
  EXPECT_ERROR_CODE(blobs.verify(stored->digest), ErrorCode::verification);
}

TEST(StoreTest, ItemsAreAddedReplacedListedAndRemoved) {
  TempDir dir;
  EXPECT_ERROR_CODE(Store::open(dir / "s", Store::Open::existing), ErrorCode::not_found);
  auto store = Store::open(dir / "s", Store::Open::create);
  ASSERT_OK(store);
  Store& s = **store;
  auto first = s.add_item(make_item(s, "aaaa000000000001", "api", "{\"v\":1}"));
  ASSERT_OK(first);
  EXPECT_FALSE(first->replaced);
  ASSERT_OK(s.add_item(make_item(s, "bbbb000000000002", "db", "{\"v\":2}")));
  auto replaced = s.add_item(make_item(s, "cccc000000000003", "api", "{\"v\":3}"));
  ASSERT_OK(replaced);
  EXPECT_EQ(replaced->replaced, "aaaa000000000001");
  auto items = s.list_items();
  ASSERT_OK(items);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].annotations.at("owner"), "team");
  EXPECT_EQ((*items)[0].parts.size(), 1u);
  EXPECT_EQ(s.get_item("cccc")->asset, "api");
  EXPECT_ERROR_CODE(s.get_item("zzzz"), ErrorCode::not_found);
  EXPECT_ERROR_CODE(s.get_item("cc"), ErrorCode::usage);
  ASSERT_OK(s.remove_item("bbbb"));
  auto gc = s.gc();
  ASSERT_OK(gc);
  EXPECT_EQ(gc->removed, 2u);  // the replaced item's and the removed item's sboms
  auto check = s.check();
  ASSERT_OK(check);
  EXPECT_TRUE(check->problems.empty());
  EXPECT_EQ(check->items, 1u);
}

TEST(StoreTest, CheckNamesDamagedBlobsAndRefusesNewerSchemas) {
  TempDir dir;
  {
    auto store = Store::open(dir.path(), Store::Open::create);
    ASSERT_OK(store);
    const Item item = make_item(**store, "dddd000000000004", "api", "{\"sbom\":true}");
    ASSERT_OK((*store)->add_item(item));
    std::ofstream(( *store)->blobs().path_of(item.parts[0].blob), std::ios::trunc) << "garbage";
    auto check = (*store)->check();
    ASSERT_OK(check);
    ASSERT_EQ(check->problems.size(), 1u);
    EXPECT_NE(check->problems[0].find("dddd000000000004"), std::string::npos);
  }
  {
    auto db = Database::open(dir / "index.db", Database::Mode::read_write_create);
    ASSERT_OK((*db)->exec("PRAGMA user_version = 99"));
  }
  EXPECT_ERROR_CODE(Store::open(dir.path(), Store::Open::existing), ErrorCode::usage);
}

TEST(StoreTest, AnIndexThatIsNotADatabaseIsReported) {
  TempDir dir;
  std::ofstream(dir / "index.db") << std::string(8192, 'x');
  auto store = Store::open(dir.path(), Store::Open::existing);
  EXPECT_FALSE(store.ok());
}

TEST(StoreTest, ItemPartsMustBeStoredFirst) {
  TempDir dir;
  auto store = Store::open(dir.path(), Store::Open::create);
  Item item = make_item(**store, "eeee000000000005", "api", "x");
  item.parts.push_back({"manifest", sha256("never stored"), 12, "application/json"});
  EXPECT_ERROR_CODE((*store)->add_item(item), ErrorCode::internal);
  EXPECT_TRUE((*store)->list_items()->empty());
}

}  // namespace
}  // namespace airlock
