#pragma once
// Shared by the rpm tests: real packages built with Debian's rpmbuild and
// installed into a real rpm database (once per test run), BerkeleyDB-hash and
// NDB databases built from their published layouts around rpm's own header
// blobs, and small helpers that run the cataloger. See rpm_fixture.cpp.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "analyze/catalog/rpm.hpp"
#include "analyze/sbom.hpp"
#include "tests/support/image_builder.hpp"
#include "tests/support/run_process.hpp"

namespace airlock::testing::rpm {

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& bytes);
ProcessResult shell(const std::string& script);
std::vector<std::string> sorted_lines(const std::string& text);

struct RpmFixture {
  std::filesystem::path dir;
  std::string error;                // why the fixture could not be made
  std::string sqlite;               // rpmdb.sqlite as rpm wrote it
  std::vector<std::string> blobs;   // its Packages.blob values, by hnum
  std::vector<std::string> truth;   // rpm -qa: NAME EPOCHNUM VERSION RELEASE ARCH SOURCERPM
  std::vector<std::string> files;   // rpm -qa: one line per file
  std::string digest_algorithm;     // rpm -qa: FILEDIGESTALGO of hello-airlock

  RpmFixture();
  ~RpmFixture();
  RpmFixture(const RpmFixture&) = delete;
  RpmFixture& operator=(const RpmFixture&) = delete;
};

const RpmFixture& fixture();
#define REQUIRE_FIXTURE() ASSERT_EQ(::airlock::testing::rpm::fixture().error, "") << "the rpm fixture could not be made"

void put32(std::string& s, std::size_t at, std::uint32_t v, bool big_endian);
void put16(std::string& s, std::size_t at, std::uint16_t v, bool big_endian);
// A BerkeleyDB hash database holding BLOBS (layout in rpm_fixture.cpp);
// OVERFLOW_FIRST receives each blob's first overflow page.
std::string make_bdb(const std::vector<std::string>& blobs, std::uint32_t page_size, bool big_endian,
                     std::vector<std::uint32_t>* overflow_first = nullptr);
// An NDB database holding BLOBS; BLOB_AT receives each blob's byte offset.
std::string make_ndb(const std::vector<std::string>& blobs, std::vector<std::size_t>* blob_at = nullptr);

extern const std::string k_fedora;
// The image the pipeline tests read: the database at DB_PATH and the files
// the packages install, except /usr/share/greet/data.txt.
std::vector<std::vector<TarEntry>> rpm_image(const std::string& db_path, const std::string& db);
Result<Sbom> sbom_of(const std::vector<std::vector<TarEntry>>& layers);
std::vector<const Package*> rpms(const Sbom& sbom);
std::vector<std::string> as_rpm_qa(const std::vector<Package>& packages);
CatalogResult catalog_bytes(const std::string& path, std::string bytes, bool truncated = false);
std::set<std::string> names(const CatalogResult& r);
void expect_sane(const CatalogResult& r, const std::string& path, const std::string& what);

}  // namespace airlock::testing::rpm
