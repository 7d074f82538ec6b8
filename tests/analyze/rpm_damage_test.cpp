// The rpm readers on damaged input: records that cannot be read are skipped
// and named, truncated and corrupted databases and header blobs never crash
// or hang; and the fuzzers' seed corpus. Fixtures in rpm_fixture.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "analyze/catalog/rpm_bdb.hpp"
#include "analyze/catalog/rpm_ndb.hpp"
#include "analyze/catalog/rpm_sqlite.hpp"
#include "analyze/syft_json.hpp"
#include "crypto/sha256.hpp"
#include "tests/analyze/rpm_fixture.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using namespace testing::rpm;
using testing::TarEntry;
using testing::TempDir;

// ---------------------------------------------------------------------------
// Damaged databases: the readable packages are reported, the rest named in a
// warning that names the file; nothing crashes or hangs.

TEST(RpmTest, DamagedRecordsAreSkippedAndTheRestKept) {
  REQUIRE_FIXTURE();
  const auto& f = fixture();
  const std::string bdb_path = "/var/lib/rpm/Packages";
  {  // BerkeleyDB: one chain reaches a page that is not an overflow page.
    std::vector<std::uint32_t> first;
    std::string db = make_bdb(f.blobs, 4096, false, &first);
    db[std::size_t{first[1]} * 4096 + 25] = 0;  // P_INVALID
    const auto r = catalog_bytes(bdb_path, db);
    EXPECT_EQ(r.packages.size(), 2u);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find(bdb_path + ": "), std::string::npos);
    EXPECT_NE(r.warnings[0].find("overflow chain"), std::string::npos) << r.warnings[0];
  }
  {  // BerkeleyDB: a chain that loops back to itself ends.
    std::vector<std::uint32_t> first;
    std::string db = make_bdb(f.blobs, 512, false, &first);
    put32(db, std::size_t{first[0]} * 512 + 16, first[0], false);
    const auto r = catalog_bytes(bdb_path, db);
    EXPECT_EQ(r.packages.size(), 2u);
    ASSERT_FALSE(r.warnings.empty());
    EXPECT_NE(r.warnings[0].find("revisits page"), std::string::npos) << r.warnings[0];
  }
  {  // BerkeleyDB: absurd numbers.
    std::string db = make_bdb(f.blobs, 4096, false);
    put32(db, 32, 0xffffffff, false);  // last page
    auto r = catalog_bytes(bdb_path, db);
    EXPECT_EQ(r.packages.size(), 3u);
    EXPECT_EQ(r.warnings.size(), 1u);
    db = make_bdb(f.blobs, 4096, false);
    put16(db, 4096 + 20, 0xfffe, false);  // entries on the bucket page
    r = catalog_bytes(bdb_path, db);
    EXPECT_TRUE(r.packages.empty());
    EXPECT_EQ(r.warnings.size(), 1u);
    db = make_bdb(f.blobs, 4096, false);
    put32(db, 20, 1000, false);  // page size
    r = catalog_bytes(bdb_path, db);
    EXPECT_TRUE(r.packages.empty());
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("page size 1000"), std::string::npos);
  }
  const std::string ndb_path = "/usr/lib/sysimage/rpm/Packages.db";
  {  // NDB: one blob's magic is gone; another's length is absurd.
    std::vector<std::size_t> at;
    std::string db = make_ndb(f.blobs, &at);
    db[at[0]] = 'X';
    put32(db, at[2] + 12, 0xfffffff0, false);
    const auto r = catalog_bytes(ndb_path, db);
    EXPECT_EQ(names(r), (std::set<std::string>{parse_rpm_header(f.blobs[1])->name}));
    EXPECT_EQ(r.warnings.size(), 2u);
  }
  {  // NDB: every slot names the same blob; its header claims huge counts.
    std::string db = make_ndb(f.blobs);
    for (std::size_t slot = 32; slot < 4096; slot += 16) {
      put32(db, slot + 4, 1, false);
      put32(db, slot + 8, 4096 / 16, false);
      put32(db, slot + 12, 0xffffff, false);
    }
    put32(db, 12, 0xffffffff, false);
    auto r = catalog_bytes(ndb_path, db);
    EXPECT_TRUE(r.packages.empty());
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("slot page count"), std::string::npos);
    put32(db, 12, 1, false);
    r = catalog_bytes(ndb_path, db);
    EXPECT_EQ(r.packages.size(), 1u);
    ASSERT_FALSE(r.warnings.empty());
    EXPECT_NE(r.warnings.back().find("overlapping"), std::string::npos) << r.warnings.back();
  }
  {  // sqlite: one row's header is damaged (its index count made absurd).
    std::string db = f.sqlite;
    const auto at = db.find(f.blobs[1].substr(0, 64));
    ASSERT_NE(at, std::string::npos);
    db[at] = '\x7f';
    const auto r = catalog_bytes("/var/lib/rpm/rpmdb.sqlite", db);
    EXPECT_EQ(r.packages.size(), 2u);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("package record 2 skipped: rpm header: index count"), std::string::npos) << r.warnings[0];
  }
  {  // A database read only in part (over the size limit) says so.
    const auto r = catalog_bytes("/var/lib/rpm/rpmdb.sqlite", f.sqlite, true);
    ASSERT_FALSE(r.warnings.empty());
    EXPECT_NE(r.warnings[0].find("larger than airlock reads"), std::string::npos);
  }
  for (const std::string& empty : {std::string(), std::string("not a database")}) {
    const auto r = catalog_bytes("/var/lib/rpm/Packages", empty);
    EXPECT_TRUE(r.packages.empty());
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0].rfind("/var/lib/rpm/Packages: ", 0), 0u);
  }
}

TEST(RpmTest, SqliteDatabasesThatAreNotRpmDatabases) {
  TempDir dir;
  auto make = [&](const std::string& sql) {
    const auto path = dir / "x.sqlite";
    std::filesystem::remove(path);
    const auto r = shell("sqlite3 '" + path.string() + "' \"" + sql + "\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return read_file(path);
  };
  const std::string path = "/var/lib/rpm/rpmdb.sqlite";
  // No Packages table.
  auto r = catalog_bytes(path, make("CREATE TABLE Other (a);"));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("no such table: Packages"), std::string::npos) << r.warnings[0];
  // Packages as a view: views are switched off for untrusted databases.
  r = catalog_bytes(path, make("CREATE VIEW Packages AS SELECT randomblob(100) AS blob;"));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_TRUE(r.packages.empty());
  // Rows that hold no header blob, and a runaway recursive query is not
  // possible (only SELECT blob FROM Packages runs), so the rows just fail.
  r = catalog_bytes(path, make("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob); "
                               "INSERT INTO Packages VALUES (1, 42), (2, x'00000001'), (3, NULL);"));
  EXPECT_TRUE(r.packages.empty());
  EXPECT_EQ(r.warnings.size(), 3u);
  for (const auto& w : r.warnings) EXPECT_EQ(w.rfind(path + ": ", 0), 0u);
}

// Deterministic "random" numbers for the mutation loops.
struct Lcg {
  std::uint64_t state;
  std::uint32_t next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(state >> 33);
  }
};

TEST(RpmTest, TruncatedAndCorruptedDatabasesNeverCrash) {
  REQUIRE_FIXTURE();
  const auto& f = fixture();
  const std::vector<std::tuple<std::string, std::string, int>> databases = {
      {"/var/lib/rpm/rpmdb.sqlite", f.sqlite, 1000},
      {"/var/lib/rpm/Packages", make_bdb(f.blobs, 512, false), 3000},
      {"/var/lib/rpm/Packages", make_bdb(f.blobs, 4096, true), 2000},
      {"/usr/lib/sysimage/rpm/Packages.db", make_ndb(f.blobs), 3000},
  };
  const auto start = std::chrono::steady_clock::now();
  Lcg rng{42};
  for (const auto& [path, db, flips] : databases) {
    // Truncated at 200 points, at least one within each kind of structure.
    for (std::size_t i = 0; i <= 200; ++i) {
      const std::size_t n = db.size() * i / 200;
      const auto r = catalog_bytes(path, db.substr(0, n));
      expect_sane(r, path, "truncated at " + std::to_string(n));
      if (n < db.size() && r.packages.size() < 3) {
        EXPECT_FALSE(r.warnings.empty()) << path << " truncated at " << n;
      }
    }
    // Bytes flipped: one, or a burst of eight, anywhere.
    for (int i = 0; i < flips; ++i) {
      std::string damaged = db;
      const int burst = i % 2 == 0 ? 1 : 8;
      for (int b = 0; b < burst; ++b) {
        damaged[rng.next() % damaged.size()] ^= static_cast<char>(1 + rng.next() % 255);
      }
      expect_sane(catalog_bytes(path, damaged), path, "flip " + std::to_string(i));
    }
  }
  // Corrupt input must not be slow either.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(240));
}

// ---------------------------------------------------------------------------
// The header parser on damaged blobs.

std::string header_blob(const std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>>& index,
                        const std::string& data) {
  std::string blob(8 + 16 * index.size(), '\0');
  put32(blob, 0, static_cast<std::uint32_t>(index.size()), true);
  put32(blob, 4, static_cast<std::uint32_t>(data.size()), true);
  for (std::size_t i = 0; i < index.size(); ++i) {
    const auto [tag, type, offset, count] = index[i];
    put32(blob, 8 + 16 * i, tag, true);
    put32(blob, 12 + 16 * i, type, true);
    put32(blob, 16 + 16 * i, offset, true);
    put32(blob, 20 + 16 * i, count, true);
  }
  return blob + data;
}

TEST(RpmTest, HeaderParserChecksEveryOffsetAndCount) {
  // A minimal valid header.
  const std::string data = std::string("pkg\0" "1.0\0" "1\0", 10) + std::string("\0\0", 2) + std::string("\0\0\0\x07", 4);
  auto h = parse_rpm_header(header_blob({{rpmtag_name, rpm_string_type, 0, 1},
                                         {rpmtag_version, rpm_string_type, 4, 1},
                                         {rpmtag_release, rpm_string_type, 8, 1},
                                         {rpmtag_epoch, rpm_int32_type, 12, 1}},
                                        data));
  ASSERT_OK(h);
  EXPECT_EQ(h->name, "pkg");
  EXPECT_EQ(h->version, "1.0");
  EXPECT_EQ(h->release, "1");
  EXPECT_EQ(h->epoch, 7);

  auto fails = [](const std::string& blob, const std::string& why) {
    auto r = parse_rpm_header(blob);
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.error().code(), ErrorCode::invalid_input) << why;
  };
  fails("", "empty");
  fails(std::string("\0\0\0\1\0\0\0", 7), "short preamble");
  fails(header_blob({}, ""), "no entries");
  std::string huge = header_blob({{rpmtag_name, rpm_string_type, 0, 1}}, "x");
  put32(huge, 0, 0xffffffff, true);
  fails(huge, "index count 2^32-1");
  put32(huge, 0, 1, true);
  put32(huge, 4, 0xffffffff, true);
  fails(huge, "data size 2^32-1");
  put32(huge, 4, 1000, true);
  fails(huge, "data size past the blob");
  fails(header_blob({{rpmtag_name, rpm_string_type, 0, 1}}, "no nul"), "string without NUL");
  fails(header_blob({{rpmtag_name, rpm_string_type, 0xfffffff0, 1}}, std::string("x\0", 2)), "offset past the data");
  fails(header_blob({{rpmtag_name, rpm_int32_type, 0, 1}}, std::string("abcd", 4)), "wrong type");
  fails(header_blob({{rpmtag_basenames, rpm_string_array_type, 0, 0xffffffff}}, std::string("a\0", 2)),
        "string array count 2^32-1");
  fails(header_blob({{rpmtag_dirindexes, rpm_int32_type, 0, 0x40000000}}, std::string(8, '\0')),
        "int32 count whose byte size overflows 32 bits");
  fails(header_blob({{rpmtag_filemodes, rpm_int16_type, 2, 2}}, std::string(4, '\0')), "int16 array past the data");

  // A file list whose directory index is out of range: the header parses,
  // the file list is refused.
  const std::string files_data = std::string("/usr/\0" "a\0" "b\0", 10) + std::string("\0\0\0\0\0\0\0\x05", 8);
  auto bad_index = parse_rpm_header(header_blob({{rpmtag_name, rpm_string_type, 7, 1},
                                                 {rpmtag_dirnames, rpm_string_array_type, 0, 1},
                                                 {rpmtag_basenames, rpm_string_array_type, 6, 2},
                                                 {rpmtag_dirindexes, rpm_int32_type, 12, 2}},
                                                files_data + std::string("\0\0", 2)));
  ASSERT_OK(bad_index);
  EXPECT_EQ(bad_index->basenames, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(rpm_installed_files(*bad_index).ok());
  RpmHeader joined;
  joined.data_bytes = 1000;
  joined.dirnames = {"/usr/lib/", "/", "/a/../b/./"};
  joined.basenames = {"x", "y", "z"};
  joined.dir_indexes = {0, 1, 2};
  joined.file_flags = {89};
  auto list = rpm_installed_files(joined);
  ASSERT_OK(list);
  EXPECT_EQ((*list)[0].path, "/usr/lib/x");
  EXPECT_EQ((*list)[1].path, "/y");
  EXPECT_EQ((*list)[2].path, "/b/z");
  EXPECT_EQ(rpm_file_flags_string((*list)[0].flags), "cmng");
  EXPECT_EQ(rpm_file_flags_string(0), "");
  EXPECT_EQ(rpm_file_flags_string(4096 | 2), "da");
  // One long directory named by many basenames is refused, not expanded.
  RpmHeader bomb;
  bomb.data_bytes = 200000;
  bomb.dirnames = {"/" + std::string(100000, 'd')};
  bomb.basenames.assign(20000, "f");
  bomb.dir_indexes.assign(20000, 0);
  EXPECT_FALSE(rpm_installed_files(bomb).ok());
  EXPECT_EQ(rpm_digest_algorithm_name(8), "sha256");
  EXPECT_EQ(rpm_digest_algorithm_name(0), "unknown-digest-algorithm");
}

TEST(RpmTest, RealHeadersTruncatedAndFlippedNeverCrash) {
  REQUIRE_FIXTURE();
  Lcg rng{7};
  for (const auto& blob : fixture().blobs) {
    for (std::size_t n = 0; n < blob.size(); ++n) {
      auto h = parse_rpm_header(std::string_view(blob).substr(0, n));
      if (h) (void)rpm_installed_files(*h);
    }
    for (int i = 0; i < 4000; ++i) {
      std::string damaged = blob;
      // Half the flips land in the preamble and index, where offsets live.
      const std::size_t index_end = std::min<std::size_t>(damaged.size(), 8 + 16 * 60);
      const std::size_t at = i % 2 == 0 ? rng.next() % index_end : rng.next() % damaged.size();
      damaged[at] ^= static_cast<char>(1 + rng.next() % 255);
      auto h = parse_rpm_header(damaged);
      if (h) (void)rpm_installed_files(*h);
    }
  }
}

// Writes the fuzzers' seed corpus when AIRLOCK_WRITE_FUZZ_SEEDS names its
// folder (tests/fuzz/corpus): rpm's three header blobs, and small
// BerkeleyDB (both byte orders, 512-byte pages) and NDB databases holding
// them, made as above.
TEST(RpmTest, WriteFuzzSeeds) {
  const char* corpus = std::getenv("AIRLOCK_WRITE_FUZZ_SEEDS");
  if (corpus == nullptr) GTEST_SKIP() << "set AIRLOCK_WRITE_FUZZ_SEEDS=tests/fuzz/corpus to rewrite the fuzzers' seeds";
  REQUIRE_FIXTURE();
  const auto& b = fixture().blobs;
  const std::filesystem::path dir(corpus);
  for (std::size_t i = 0; i < b.size(); ++i) {
    write_file(dir / "fuzz_rpm_header" / ("rpm-header-" + std::to_string(i)), b[i]);
  }
  write_file(dir / "fuzz_rpm_bdb" / "bdb-le-512-one", make_bdb({b[0]}, 512, false));
  write_file(dir / "fuzz_rpm_bdb" / "bdb-be-512-two", make_bdb({b[1], b[2]}, 512, true));
  write_file(dir / "fuzz_rpm_ndb" / "ndb-one", make_ndb({b[0]}));
  write_file(dir / "fuzz_rpm_ndb" / "ndb-three", make_ndb(b));
}

}  // namespace
}  // namespace airlock
