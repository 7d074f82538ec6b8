// The connected side's state: trust store and ledger.
#include <gtest/gtest.h>

#include "crypto/keys.hpp"
#include "import/import_state.hpp"
#include "tests/support/fake_random.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

TEST(ImportStateTest, TrustAddListRevoke) {
  testing::TempDir dir;
  testing::FakeRandom random(7);
  auto state = ImportState::open(dir / "state", ImportState::Access::shared);
  ASSERT_OK(state);
  TrustedKey key;
  key.name = "plant-a";
  key.key = generate_key_pair(random).public_key;
  key.accounts = {"eng", "ops"};
  key.added = "2026-12-04T00:00:00Z";
  ASSERT_OK((*state)->add_trusted_key(key));
  // The same name, or the same key under another name: refused.
  EXPECT_ERROR_CODE((*state)->add_trusted_key(key), ErrorCode::conflict);
  TrustedKey again = key;
  again.name = "other";
  EXPECT_ERROR_CODE((*state)->add_trusted_key(again), ErrorCode::conflict);
  auto found = (*state)->trusted_key(key.key.key_id());
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_TRUE((*found)->allows("eng"));
  EXPECT_FALSE((*found)->allows("finance"));
  ASSERT_OK((*state)->revoke_key("plant-a", "2026-12-05T00:00:00Z"));
  EXPECT_ERROR_CODE((*state)->revoke_key("plant-a", "x"), ErrorCode::not_found);
  auto after = (*state)->trusted_key(key.key.key_id());
  ASSERT_OK(after);
  EXPECT_FALSE(after->has_value());
  auto all = (*state)->trusted_keys();
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().revoked.value_or(""), "2026-12-05T00:00:00Z");
  TrustedKey star;
  star.name = "any";
  star.key = generate_key_pair(random).public_key;
  star.accounts = {"*"};
  EXPECT_TRUE(star.allows("whatever"));
}

TEST(ImportStateTest, LedgerEntriesAndSequencesSurviveReopening) {
  testing::TempDir dir;
  {
    auto state = ImportState::open(dir / "state", ImportState::Access::exclusive);
    ASSERT_OK(state);
    // A second importer on the same state is turned away at once.
    EXPECT_ERROR_CODE(ImportState::open(dir / "state", ImportState::Access::exclusive), ErrorCode::conflict);
    LedgerEntry e{"prod", "item1", "b1", "eng", "shop", "1", "api", "intent", "app", "ver", "", "", "t"};
    ASSERT_OK((*state)->put_entry(e));
    e.state = "submitted";
    e.job_id = "job-1";
    ASSERT_OK((*state)->put_entry(e));
    ASSERT_OK((*state)->record_bundle({"b1", "prod", "default", "sha256:x", "/b1", "t", 1}));
    ASSERT_OK((*state)->record_bundle({"b3", "prod", "default", "sha256:y", "/b3", "t", 3}));
    ASSERT_OK((*state)->record_bundle({"b1", "prod", "default", "sha256:x", "/again", "t", 1}));  // seen before: kept
  }
  auto state = ImportState::open(dir / "state", ImportState::Access::exclusive);
  ASSERT_OK(state);
  auto e = (*state)->entry("prod", "item1");
  ASSERT_OK(e);
  ASSERT_TRUE(e->has_value());
  EXPECT_EQ((*e)->state, "submitted");
  EXPECT_EQ((*e)->job_id, "job-1");
  auto seq = (*state)->sequences("prod", "default");
  ASSERT_OK(seq);
  EXPECT_EQ(*seq, (std::vector<std::int64_t>{1, 3}));
  auto b = (*state)->bundle("b1");
  ASSERT_OK(b);
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*b)->path, "/b1");
  LedgerEntry bad{"prod", "item2", "b1", "eng", "shop", "1", "db", "nonsense", "", "", "", "", "t"};
  EXPECT_FALSE((*state)->put_entry(bad).ok());
}

}  // namespace
}  // namespace airlock
