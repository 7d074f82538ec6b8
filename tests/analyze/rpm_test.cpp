// The rpm cataloger and its database readers.
//
// Truth comes from Debian's own rpm: the tests build three small .rpm files
// with rpmbuild (epochs none/2/0, a Provides, plain and boolean Requires,
// %config and %doc files), install them into a fresh database with
// `rpm --dbpath D --initdb` and `rpm --dbpath D -i --justdb --nodeps
// --noscripts --ignorearch`, and compare what airlock reads from an image
// holding that database with `rpm --dbpath D -qa --qf …`.
//
// Debian's rpm writes only the sqlite backend. The BerkeleyDB-hash
// (`Packages`) and NDB (`Packages.db`) databases are therefore built here,
// byte by byte, from their published layouts (libdb's dbinc/db_page.h and
// rpm's lib/backend/ndb/rpmpkg.c, as knqyf263/go-rpmdb reads them), holding
// the very header blobs rpm wrote into the sqlite database (read back with
// the sqlite3 shell, not with airlock). make_bdb and make_ndb say which bytes
// go where. Checks against databases from real Fedora/RHEL/SUSE images are
// expected from outside (docs/isolated-side.md, "rpm databases").
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analyze/catalog/rpm.hpp"
#include "analyze/catalog/rpm_bdb.hpp"
#include "analyze/catalog/rpm_ndb.hpp"
#include "analyze/catalog/rpm_sqlite.hpp"
#include "analyze/sbom.hpp"
#include "analyze/source_spec.hpp"
#include "analyze/syft_json.hpp"
#include "crypto/sha256.hpp"
#include "tests/support/image_builder.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using testing::TarEntry;
using testing::TempDir;

// ---------------------------------------------------------------------------
// Real packages and a real rpm database, made once for all tests.

const char* const k_hello_spec = R"(Name: hello-airlock
Epoch: 2
Version: 1.2.3
Release: 4.fc39
Summary: airlock test package
License: MIT
Vendor: Airlock Test, Inc.
BuildArch: x86_64
Provides: greeting
Requires: libgreet
Requires: /bin/sh
%description
A test package.
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/hello
printf 'hi\n' > %{buildroot}/usr/bin/hello
printf 'conf\n' > %{buildroot}/etc/hello/hello.conf
%files
%attr(0755,root,root) /usr/bin/hello
%config(noreplace) /etc/hello/hello.conf
%dir /etc/hello
)";

const char* const k_libgreet_spec = R"(Name: libgreet
Version: 0.9
Release: 1.fc39
Summary: airlock test library
License: GPL-2.0-or-later
BuildArch: x86_64
Provides: libgreet.so.0()(64bit)
%description
A test library.
%install
mkdir -p %{buildroot}/usr/lib64 %{buildroot}/usr/share/doc/libgreet
printf 'lib' > %{buildroot}/usr/lib64/libgreet.so.0
printf 'readme\n' > %{buildroot}/usr/share/doc/libgreet/README
%files
/usr/lib64/libgreet.so.0
%doc /usr/share/doc/libgreet/README
)";

const char* const k_data_spec = R"(Name: greet-data
Epoch: 0
Version: 2024.1
Release: 3
Summary: airlock test data
License: CC0-1.0
BuildArch: noarch
Requires: (libgreet or hello-airlock)
%description
Test data.
%install
mkdir -p %{buildroot}/usr/share/greet
printf 'data' > %{buildroot}/usr/share/greet/data.txt
%files
/usr/share/greet/data.txt
)";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

testing::ProcessResult shell(const std::string& script) { return testing::run_process("/bin/sh", {"-c", script}); }

std::vector<std::string> sorted_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct RpmFixture {
  std::filesystem::path dir;
  std::string error;                // why the fixture could not be made
  std::string sqlite;               // rpmdb.sqlite as rpm wrote it
  std::vector<std::string> blobs;   // its Packages.blob values, by hnum
  std::vector<std::string> truth;   // rpm -qa: NAME EPOCHNUM VERSION RELEASE ARCH SOURCERPM
  std::vector<std::string> files;   // rpm -qa: one line per file
  std::string digest_algorithm;     // rpm -qa: FILEDIGESTALGO of hello-airlock

  RpmFixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "airlock-rpm-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      error = "mkdtemp failed";
      return;
    }
    dir = pattern;
    if (shell("command -v rpmbuild && command -v rpm && command -v sqlite3").exit_code != 0) {
      error = "rpm, rpmbuild and sqlite3 are needed (scripts/install-deps.sh installs them)";
      return;
    }
    std::filesystem::create_directories(dir / "top/SPECS");
    write_file(dir / "top/SPECS/hello.spec", k_hello_spec);
    write_file(dir / "top/SPECS/libgreet.spec", k_libgreet_spec);
    write_file(dir / "top/SPECS/data.spec", k_data_spec);
    const std::string d = dir.string();
    const std::string build =
        "set -e; cd '" + d + "'; for s in top/SPECS/*.spec; do "
        "rpmbuild --quiet --define '_topdir " + d + "/top' --define '_build_id_links none' "
        "--define 'debug_package %{nil}' -bb \"$s\"; done; "
        "mkdir db; rpm --dbpath '" + d + "/db' --initdb; "
        "rpm --dbpath '" + d + "/db' -i --justdb --nodeps --noscripts --ignorearch top/RPMS/*/*.rpm";
    const auto built = shell(build);
    if (built.exit_code != 0) {
      error = "building the rpm database failed: " + built.err;
      return;
    }
    sqlite = read_file(dir / "db/rpmdb.sqlite");
    const auto hex = shell("sqlite3 -readonly '" + d + "/db/rpmdb.sqlite' 'SELECT hex(blob) FROM Packages ORDER BY hnum'");
    std::istringstream hex_lines(hex.out);
    for (std::string line; std::getline(hex_lines, line);) {
      std::string blob;
      for (std::size_t i = 0; i + 1 < line.size(); i += 2) {
        blob += static_cast<char>(std::stoi(line.substr(i, 2), nullptr, 16));
      }
      blobs.push_back(blob);
    }
    const std::string rpm = "rpm --dbpath '" + d + "/db' -qa --qf ";
    truth = sorted_lines(shell(rpm + "'%{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH} %{SOURCERPM}\\n'").out);
    files = sorted_lines(shell(rpm + "'[%{=NAME} %{FILENAMES} %{FILEMODES} %{FILESIZES} %{FILEDIGESTS} "
                                     "%{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags}\\n]'")
                             .out);
    digest_algorithm = shell("rpm --dbpath '" + d + "/db' -q --qf '%{FILEDIGESTALGO}' hello-airlock").out;
    if (blobs.size() != 3 || truth.size() != 3) error = "expected 3 packages in the database, found " + std::to_string(blobs.size());
  }
  ~RpmFixture() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

const RpmFixture& fixture() {
  static const RpmFixture f;
  return f;
}

#define REQUIRE_FIXTURE() ASSERT_EQ(fixture().error, "") << "the rpm fixture could not be made"

// ---------------------------------------------------------------------------
// BerkeleyDB hash and NDB databases from their layouts.

void put32(std::string& s, std::size_t at, std::uint32_t v, bool big_endian) {
  for (int i = 0; i < 4; ++i) {
    s[at + static_cast<std::size_t>(i)] = static_cast<char>(big_endian ? v >> (24 - 8 * i) : v >> (8 * i));
  }
}
void put16(std::string& s, std::size_t at, std::uint16_t v, bool big_endian) {
  s[at] = static_cast<char>(big_endian ? v >> 8 : v);
  s[at + 1] = static_cast<char>(big_endian ? v : v >> 8);
}

// A BerkeleyDB hash database as libdb lays it out (dbinc/db_page.h):
//  - page 0, HASHMETA: LSN (0-7), page number (8), magic 0x061561 (12),
//    version 9 (16), page size (20), encryption 0 (24), type P_HASHMETA=8
//    (25), last page number (32), key/record counts (40/44), then the hash
//    fields (max bucket 0 at 72, high/low mask, fill factor, element count);
//  - page 1, the one bucket, P_HASH=13: 26-byte header (page number at 8,
//    entry count at 20, free-area offset at 22, type at 25), then the
//    16-bit offsets of the items, which sit at the end of the page. Items
//    alternate key, value. Keys are H_KEYDATA (type 1 + the 4-byte record
//    number); each package's value is H_OFFPAGE (type 3, 3 unused bytes,
//    first overflow page at 4, total length at 8). A first pair for record 0
//    has a small H_KEYDATA value, as rpm's own bookkeeping record does;
//  - then each blob on a chain of P_OVERFLOW=7 pages: previous/next page at
//    12/16, reference count 1 at 20, bytes used on the page at 22, the data
//    after the 26-byte header.
// BIG_ENDIAN writes every multi-byte field the other way round, as libdb
// does on a big-endian host (readers detect it from the magic).
// OVERFLOW_FIRST returns, per blob, its first overflow page (for tests that
// damage one chain).
std::string make_bdb(const std::vector<std::string>& blobs, std::uint32_t page_size, bool big_endian,
                     std::vector<std::uint32_t>* overflow_first = nullptr) {
  const std::size_t data_per_page = page_size - 26;
  std::uint32_t next_page = 2;
  std::vector<std::uint32_t> first;
  for (const auto& b : blobs) {
    first.push_back(next_page);
    next_page += static_cast<std::uint32_t>((b.size() + data_per_page - 1) / data_per_page);
  }
  std::string db(std::size_t{next_page} * page_size, '\0');
  // Page 0: metadata.
  put32(db, 8, 0, big_endian);
  put32(db, 12, 0x061561, big_endian);
  put32(db, 16, 9, big_endian);
  put32(db, 20, page_size, big_endian);
  db[24] = 0;
  db[25] = 8;
  put32(db, 32, next_page - 1, big_endian);
  put32(db, 40, static_cast<std::uint32_t>(blobs.size() + 1), big_endian);
  put32(db, 44, static_cast<std::uint32_t>(blobs.size() + 1), big_endian);
  put32(db, 72, 0, big_endian);    // max bucket
  put32(db, 84, 40, big_endian);   // fill factor
  put32(db, 88, static_cast<std::uint32_t>(blobs.size() + 1), big_endian);
  // Page 1: the bucket.
  const std::size_t bucket = page_size;
  put32(db, bucket + 8, 1, big_endian);
  db[bucket + 25] = 13;
  std::size_t low = page_size;  // items grow down from the end of the page
  std::vector<std::uint16_t> index;
  auto add_item = [&](const std::string& item) {
    low -= item.size();
    db.replace(bucket + low, item.size(), item);
    index.push_back(static_cast<std::uint16_t>(low));
  };
  auto keydata = [&](std::uint32_t record) {
    std::string item(5, '\0');
    item[0] = 1;
    put32(item, 1, record, big_endian);
    return item;
  };
  add_item(keydata(0));
  add_item(keydata(static_cast<std::uint32_t>(blobs.size() + 1)));  // record 0's value: the next record number
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    add_item(keydata(static_cast<std::uint32_t>(i + 1)));
    std::string off(12, '\0');
    off[0] = 3;
    put32(off, 4, first[i], big_endian);
    put32(off, 8, static_cast<std::uint32_t>(blobs[i].size()), big_endian);
    add_item(off);
  }
  put16(db, bucket + 20, static_cast<std::uint16_t>(index.size()), big_endian);
  put16(db, bucket + 22, static_cast<std::uint16_t>(low), big_endian);
  for (std::size_t i = 0; i < index.size(); ++i) put16(db, bucket + 26 + 2 * i, index[i], big_endian);
  // The overflow chains.
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    std::uint32_t page = first[i];
    for (std::size_t at = 0; at < blobs[i].size(); at += data_per_page, ++page) {
      const std::size_t start = std::size_t{page} * page_size;
      const std::size_t n = std::min(data_per_page, blobs[i].size() - at);
      const bool last = at + n >= blobs[i].size();
      put32(db, start + 8, page, big_endian);
      put32(db, start + 12, page == first[i] ? 0 : page - 1, big_endian);
      put32(db, start + 16, last ? 0 : page + 1, big_endian);
      put16(db, start + 20, 1, big_endian);
      put16(db, start + 22, static_cast<std::uint16_t>(n), big_endian);
      db[start + 25] = 7;
      db.replace(start + 26, n, blobs[i], at, n);
    }
  }
  if (overflow_first != nullptr) *overflow_first = first;
  return db;
}

std::uint32_t adler32(const std::string& data) {
  std::uint32_t a = 1, b = 0;
  for (unsigned char c : data) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

// An NDB database as rpm's lib/backend/ndb/rpmpkg.c writes one (all fields
// 32-bit little-endian):
//  - one 4096-byte slot page; its first 32 bytes are the header: "RpmP",
//    version 0, generation 1, slot page count 1, 16 zero bytes;
//  - slots of 16 bytes from offset 32: "Slot", package index (1, 2, …; 0 =
//    free), block offset and block count of the package's blob, in 16-byte
//    blocks; the unused slots are free ("Slot", 0, 0, 0);
//  - from offset 4096 the blobs, each padded to whole blocks: head "BlbS",
//    package index, generation, length; the header blob; tail Adler-32 of
//    the blob, length, "BlbE".
// BLOB_AT returns each blob's byte offset.
std::string make_ndb(const std::vector<std::string>& blobs, std::vector<std::size_t>* blob_at = nullptr) {
  std::string db(4096, '\0');
  db.replace(0, 4, "RpmP");
  put32(db, 4, 0, false);
  put32(db, 8, 1, false);
  put32(db, 12, 1, false);
  for (std::size_t slot = 32; slot < 4096; slot += 16) db.replace(slot, 4, "Slot");
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    const std::size_t at = db.size();
    const std::size_t blocks = (16 + blobs[i].size() + 12 + 15) / 16;
    std::string blob(blocks * 16, '\0');
    blob.replace(0, 4, "BlbS");
    put32(blob, 4, static_cast<std::uint32_t>(i + 1), false);
    put32(blob, 8, 1, false);
    put32(blob, 12, static_cast<std::uint32_t>(blobs[i].size()), false);
    blob.replace(16, blobs[i].size(), blobs[i]);
    put32(blob, 16 + blobs[i].size(), adler32(blobs[i]), false);
    put32(blob, 20 + blobs[i].size(), static_cast<std::uint32_t>(blobs[i].size()), false);
    blob.replace(24 + blobs[i].size(), 4, "BlbE");
    db += blob;
    const std::size_t slot = 32 + 16 * i;
    put32(db, slot + 4, static_cast<std::uint32_t>(i + 1), false);
    put32(db, slot + 8, static_cast<std::uint32_t>(at / 16), false);
    put32(db, slot + 12, static_cast<std::uint32_t>(blocks), false);
    if (blob_at != nullptr) blob_at->push_back(at);
  }
  return db;
}

// ---------------------------------------------------------------------------
// Running the cataloger.

const std::string k_fedora = "NAME=\"Fedora Linux\"\nVERSION=\"39 (Container Image)\"\nID=fedora\nVERSION_ID=39\n";

// The image the pipeline tests read: the database at DB_PATH and the files
// the packages install, except /usr/share/greet/data.txt.
std::vector<std::vector<TarEntry>> rpm_image(const std::string& db_path, const std::string& db) {
  return {{{"etc/os-release", FileType::regular, k_fedora},
           {db_path, FileType::regular, db},
           {"usr/bin/hello", FileType::regular, "hi\n", "", 0755},
           {"etc/hello/", FileType::directory, "", "", 0755},
           {"etc/hello/hello.conf", FileType::regular, "conf\n"},
           {"usr/lib64/libgreet.so.0", FileType::regular, "lib"},
           {"usr/share/doc/libgreet/README", FileType::regular, "readme\n"}}};
}

Result<Sbom> sbom_of(const std::vector<std::vector<TarEntry>>& layers) {
  TempDir dir;
  testing::write_oci_layout({testing::make_image(layers)}, dir / "layout");
  AIRLOCK_TRY_ASSIGN(auto image, open_image_source({SourceKind::oci_dir, (dir / "layout").string()}, {}));
  return build_sbom(*image, {1, nullptr, "test"});
}

std::vector<const Package*> rpms(const Sbom& sbom) {
  std::vector<const Package*> out;
  for (const auto& p : sbom.packages) {
    if (p.type == "rpm") out.push_back(&p);
  }
  return out;
}

// The packages as rpm -qa --qf '%{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH} %{SOURCERPM}\n' prints them.
std::vector<std::string> as_rpm_qa(const std::vector<Package>& packages) {
  std::vector<std::string> out;
  for (const auto& p : packages) {
    if (p.type != "rpm") continue;
    const auto& m = p.metadata;
    out.push_back(p.name + " " + std::to_string(m["epoch"].is_null() ? 0 : m["epoch"].get<int>()) + " " +
                  m["version"].get<std::string>() + " " + m["release"].get<std::string>() + " " +
                  m["architecture"].get<std::string>() + " " + m["sourceRpm"].get<std::string>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The cataloger on one file, without an image around it: fast enough to run
// thousands of times on damaged databases.
CatalogResult catalog_bytes(const std::string& path, std::string bytes, bool truncated = false) {
  LayerIndex layer;
  FileRecord record;
  record.size = bytes.size();
  layer.entries.push_back({path, record});
  const FileIndex index = FileIndex::squash({layer});
  std::vector<LayerCaptures> captures(1);
  captures[0][path] = CapturedFile{std::move(bytes), truncated};
  const ContentResolver resolver(index, captures, {"sha256:layer"});
  Distro fedora;
  fedora.fields = {{"ID", "fedora"}, {"VERSION_ID", "39"}};
  return RpmCataloger().catalog(resolver, fedora);
}

std::set<std::string> names(const CatalogResult& r) {
  std::set<std::string> out;
  for (const auto& p : r.packages) out.insert(p.name);
  return out;
}

// Every warning names the database; no more packages than it holds.
void expect_sane(const CatalogResult& r, const std::string& path, const std::string& what) {
  EXPECT_LE(r.packages.size(), 3u) << what;
  for (const auto& w : r.warnings) EXPECT_EQ(w.rfind(path, 0), 0u) << what << ": " << w;
  for (const auto& p : r.packages) EXPECT_FALSE(p.name.empty()) << what;
}

// ---------------------------------------------------------------------------
// The real database through the real pipeline.

TEST(RpmTest, SqliteDatabaseMatchesRpmQuery) {
  REQUIRE_FIXTURE();
  const auto& f = fixture();
  auto sbom = sbom_of(rpm_image("var/lib/rpm/rpmdb.sqlite", f.sqlite));
  ASSERT_OK(sbom);
  EXPECT_TRUE(sbom->warnings.empty()) << sbom->warnings.front();
  EXPECT_EQ(as_rpm_qa(sbom->packages), f.truth);

  std::map<std::string, const Package*> by_name;
  for (const Package* p : rpms(*sbom)) by_name[p->name] = p;
  ASSERT_EQ(by_name.size(), 3u);
  const Package& hello = *by_name["hello-airlock"];
  const Package& lib = *by_name["libgreet"];
  const Package& data = *by_name["greet-data"];

  // Versions as syft prints them: [epoch:]version-release.
  EXPECT_EQ(hello.version, "2:1.2.3-4.fc39");
  EXPECT_EQ(lib.version, "0.9-1.fc39");
  EXPECT_EQ(data.version, "0:2024.1-3");
  // PURLs: namespace = distro ID, version without epoch, qualifiers sorted.
  EXPECT_EQ(hello.purl,
            "pkg:rpm/fedora/hello-airlock@1.2.3-4.fc39?arch=x86_64&distro=fedora-39&epoch=2"
            "&upstream=hello-airlock-1.2.3-4.fc39.src.rpm");
  EXPECT_EQ(lib.purl, "pkg:rpm/fedora/libgreet@0.9-1.fc39?arch=x86_64&distro=fedora-39&upstream=libgreet-0.9-1.fc39.src.rpm");
  EXPECT_EQ(data.purl, "pkg:rpm/fedora/greet-data@2024.1-3?arch=noarch&distro=fedora-39&epoch=0&upstream=greet-data-2024.1-3.src.rpm");
  EXPECT_EQ(hello.found_by, "rpm-db-cataloger");
  EXPECT_EQ(hello.metadata_type, "rpm-db-entry");
  ASSERT_EQ(hello.locations.size(), 1u);
  EXPECT_EQ(hello.locations[0].file.path, "/var/lib/rpm/rpmdb.sqlite");
  EXPECT_EQ(hello.locations[0].evidence, "primary");
  ASSERT_EQ(hello.licenses.size(), 1u);
  EXPECT_EQ(hello.licenses[0].value, "MIT");
  EXPECT_EQ(lib.licenses[0].value, "GPL-2.0-or-later");
  // The vendor is a CPE vendor candidate.
  bool vendor_cpe = false;
  for (const auto& c : hello.cpes) vendor_cpe = vendor_cpe || c.cpe.starts_with("cpe:2.3:a:airlocktest:hello-airlock:2\\:1.2.3-4.fc39:");
  EXPECT_TRUE(vendor_cpe);

  // Metadata, in syft's field order.
  const auto& m = hello.metadata;
  std::vector<std::string> keys;
  for (const auto& [k, v] : m.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "version", "epoch", "architecture", "release", "sourceRpm", "size",
                                            "vendor", "modularityLabel", "provides", "requires", "files"}));
  EXPECT_EQ(m["epoch"], 2);
  EXPECT_EQ(m["vendor"], "Airlock Test, Inc.");
  EXPECT_EQ(m["modularityLabel"], "");
  EXPECT_EQ(m["size"], 8);  // "hi\n" + "conf\n"
  const auto provides = m["provides"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(provides.begin(), provides.end(), "greeting"), provides.end());
  const auto requires_ = m["requires"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(requires_.begin(), requires_.end(), "libgreet"), requires_.end());
  EXPECT_NE(std::find(requires_.begin(), requires_.end(), "/bin/sh"), requires_.end());
  EXPECT_TRUE(lib.metadata["epoch"].is_null());
  EXPECT_EQ(data.metadata["requires"][0], "(libgreet or hello-airlock)");

  // File records: those rpm lists, for the files that exist in the image.
  EXPECT_EQ(f.digest_algorithm, "8");
  std::vector<std::string> records;
  for (const Package* p : rpms(*sbom)) {
    for (const auto& r : p->metadata["files"]) {
      EXPECT_EQ(r["digest"]["algorithm"], "sha256");
      records.push_back(p->name + " " + r["path"].get<std::string>() + " " + std::to_string(r["mode"].get<int>()) + " " +
                        std::to_string(r["size"].get<int>()) + " " + r["digest"]["value"].get<std::string>() + " " +
                        r["userName"].get<std::string>() + " " + r["groupName"].get<std::string>() + " " +
                        r["flags"].get<std::string>());
    }
  }
  std::sort(records.begin(), records.end());
  std::vector<std::string> expected;
  for (const auto& line : f.files) {
    if (line.find("/usr/share/greet/data.txt") == std::string::npos) expected.push_back(line);
  }
  // rpm prints an empty FILEFLAGS as nothing after the last space.
  for (auto& line : records) {
    if (line.back() == ' ') line.pop_back();
  }
  for (auto& line : expected) {
    if (line.back() == ' ') line.pop_back();
  }
  EXPECT_EQ(records, expected);
  EXPECT_EQ(hello.metadata["files"][1]["digest"]["value"], sha256(std::string("conf\n")).hex());
  EXPECT_TRUE(data.metadata["files"].empty());
  EXPECT_EQ(hello.owned_files, (std::vector<std::string>{"/etc/hello", "/etc/hello/hello.conf", "/usr/bin/hello"}));

  // Relationships: files the packages own, and libgreet → hello-airlock
  // (Requires: libgreet); greet-data's boolean requirement is not matched.
  std::set<std::string> file_ids;
  for (const auto& file : sbom->files) {
    if (file.location.path == "/usr/bin/hello") file_ids.insert(file.id);
  }
  ASSERT_EQ(file_ids.size(), 1u);
  bool contains = false, depends = false;
  std::size_t data_edges = 0;
  for (const auto& r : all_relationships(*sbom)) {
    contains = contains || (r.parent == hello.id && r.type == "contains" && file_ids.count(r.child) == 1);
    depends = depends || (r.parent == lib.id && r.child == hello.id && r.type == "dependency-of");
    if (r.type == "dependency-of" && r.child == data.id) ++data_edges;
  }
  EXPECT_TRUE(contains);
  EXPECT_TRUE(depends);
  EXPECT_EQ(data_edges, 0u);

  // The syft-json artifact.
  std::ostringstream out;
  write_syft_json(out, *sbom, {"test"});
  const auto doc = nlohmann::json::parse(out.str());
  bool found = false;
  for (const auto& a : doc["artifacts"]) {
    if (a["name"] != "hello-airlock") continue;
    found = true;
    EXPECT_EQ(a["type"], "rpm");
    EXPECT_EQ(a["metadataType"], "rpm-db-entry");
    EXPECT_EQ(a["metadata"]["files"].size(), 3u);
  }
  EXPECT_TRUE(found);
}

TEST(RpmTest, EveryDatabaseLocationSyftSearches) {
  REQUIRE_FIXTURE();
  for (const std::string path : {"usr/lib/sysimage/rpm/rpmdb.sqlite", "usr/share/rpm/rpmdb.sqlite",
                                 "opt/chroot/var/lib/rpm/rpmdb.sqlite"}) {
    auto sbom = sbom_of({{{"etc/os-release", FileType::regular, k_fedora}, {path, FileType::regular, fixture().sqlite}}});
    ASSERT_OK(sbom);
    EXPECT_EQ(rpms(*sbom).size(), 3u) << path;
    EXPECT_EQ(rpms(*sbom)[0]->locations[0].file.path, "/" + path);
  }
  // Not rpm databases: other names, other folders.
  for (const std::string path : {"var/lib/rpm/rpmdb.sqlite.bak", "var/lib/rpmx/rpmdb.sqlite", "var/lib/rpm/Name"}) {
    auto sbom = sbom_of({{{path, FileType::regular, fixture().sqlite}}});
    ASSERT_OK(sbom);
    EXPECT_TRUE(rpms(*sbom).empty()) << path;
  }
}

TEST(RpmTest, PurlNamespacesAndDistroQualifier) {
  REQUIRE_FIXTURE();
  auto purl_for = [](const std::string& os_release) {
    auto sbom = sbom_of({{{"etc/os-release", FileType::regular, os_release},
                          {"var/lib/rpm/rpmdb.sqlite", FileType::regular, fixture().sqlite}}});
    for (const Package* p : rpms(*sbom)) {
      if (p->name == "libgreet") return p->purl;
    }
    return std::string("none");
  };
  EXPECT_EQ(purl_for("ID=rhel\nVERSION_ID=9.3\n"),
            "pkg:rpm/redhat/libgreet@0.9-1.fc39?arch=x86_64&distro=rhel-9.3&upstream=libgreet-0.9-1.fc39.src.rpm");
  EXPECT_EQ(purl_for("ID=opensuse-leap\nVERSION_ID=15.5\n"),
            "pkg:rpm/opensuse/libgreet@0.9-1.fc39?arch=x86_64&distro=opensuse-leap-15.5&upstream=libgreet-0.9-1.fc39.src.rpm");
  EXPECT_EQ(purl_for("ID=mariner\nBUILD_ID=20240101\n"),
            "pkg:rpm/mariner/libgreet@0.9-1.fc39?arch=x86_64&distro=mariner-20240101&upstream=libgreet-0.9-1.fc39.src.rpm");
  // No release at all: no namespace, no distro qualifier (syft's dive example).
  auto sbom = sbom_of({{{"var/lib/rpm/rpmdb.sqlite", FileType::regular, fixture().sqlite}}});
  ASSERT_OK(sbom);
  for (const Package* p : rpms(*sbom)) {
    if (p->name == "libgreet") {
      EXPECT_EQ(p->purl, "pkg:rpm/libgreet@0.9-1.fc39?arch=x86_64&upstream=libgreet-0.9-1.fc39.src.rpm");
    }
  }
}

// ---------------------------------------------------------------------------
// BerkeleyDB hash and NDB, holding rpm's own header blobs.

TEST(RpmTest, BerkeleyDbAndNdbGiveTheSamePackagesAsSqlite) {
  REQUIRE_FIXTURE();
  const auto& f = fixture();
  auto reference = sbom_of(rpm_image("var/lib/rpm/rpmdb.sqlite", f.sqlite));
  ASSERT_OK(reference);
  const std::vector<std::pair<std::string, std::string>> databases = {
      {"var/lib/rpm/Packages", make_bdb(f.blobs, 4096, false)},
      {"var/lib/rpm/Packages", make_bdb(f.blobs, 512, true)},  // big-endian host, chains of many pages
      {"usr/lib/sysimage/rpm/Packages.db", make_ndb(f.blobs)},
  };
  for (const auto& [path, bytes] : databases) {
    auto sbom = sbom_of(rpm_image(path, bytes));
    ASSERT_OK(sbom);
    EXPECT_TRUE(sbom->warnings.empty()) << path << ": " << sbom->warnings.front();
    EXPECT_EQ(as_rpm_qa(sbom->packages), f.truth) << path;
    const auto got = rpms(*sbom);
    const auto want = rpms(*reference);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i]->purl, want[i]->purl);
      EXPECT_EQ(got[i]->metadata, want[i]->metadata) << path;
      EXPECT_EQ(got[i]->locations[0].file.path, "/" + path);
    }
  }
}

TEST(RpmTest, ReadersHandOverExactlyTheStoredBlobs) {
  REQUIRE_FIXTURE();
  const auto& f = fixture();
  for (std::uint32_t page : {512u, 1024u, 4096u, 65536u}) {
    for (bool be : {false, true}) {
      std::vector<std::string> out;
      RpmProblems problems;
      ASSERT_OK(read_rpm_bdb(make_bdb(f.blobs, page, be), [&](std::string_view b) { out.emplace_back(b); }, problems));
      EXPECT_EQ(out, f.blobs) << page << (be ? " big-endian" : "");
      EXPECT_EQ(problems.count(), 0u);
    }
  }
  std::vector<std::string> out;
  RpmProblems problems;
  ASSERT_OK(read_rpm_ndb(make_ndb(f.blobs), [&](std::string_view b) { out.emplace_back(b); }, problems));
  EXPECT_EQ(out, f.blobs);
  out.clear();
  ASSERT_OK(read_rpm_sqlite(f.sqlite, [&](std::string_view b) { out.emplace_back(b); }, problems));
  EXPECT_EQ(out, f.blobs);
  EXPECT_EQ(problems.count(), 0u);
  EXPECT_EQ(rpm_db_format(f.sqlite), "sqlite");
  EXPECT_EQ(rpm_db_format(make_ndb(f.blobs)), "ndb");
  EXPECT_EQ(rpm_db_format(make_bdb(f.blobs, 4096, true)), "bdb");
  EXPECT_EQ(rpm_db_format("hello"), "");
}

// ---------------------------------------------------------------------------
// CBL-Mariner's distroless manifest (lines from syft's own fixture).

TEST(RpmTest, MarinerContainerManifest) {
  const std::string manifest =
      "mariner-release\t2.0-12.cm2\t1653816591\t1653753130\tMicrosoft Corporation\t(none)\t580\tnoarch\t0\t"
      "mariner-release-2.0-12.cm2.src.rpm\n"
      "filesystem\t1.1-9.cm2\t1653816591\t1653628924\tMicrosoft Corporation\t(none)\t7596\tx86_64\t0\t"
      "filesystem-1.1-9.cm2.src.rpm\n"
      "broken line\n"
      "\n"
      "vim\t9.0-1.cm2\t1653816591\t1653753130\tMicrosoft Corporation\t2\t45000\tx86_64\t2\tvim-9.0-1.cm2.src.rpm\n"
      "dash-version\t1.0-1-2\t1\t1\tv\t(none)\t1\tx86_64\t0\tx.src.rpm\n"
      "unterminated\t1.0-1\t1\t1\tv\t(none)\t1\tx86_64\t0\tx.src.rpm";
  auto sbom = sbom_of({{{"etc/os-release", FileType::regular, "ID=mariner\nVERSION_ID=2.0\n"},
                        {"var/lib/rpmmanifest/container-manifest-2", FileType::regular, manifest}}});
  ASSERT_OK(sbom);
  const auto found = rpms(*sbom);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0]->name, "filesystem");
  EXPECT_EQ(found[0]->purl, "pkg:rpm/filesystem@1.1-9.cm2?arch=x86_64&upstream=filesystem-1.1-9.cm2.src.rpm");
  EXPECT_EQ(found[1]->name, "mariner-release");
  EXPECT_EQ(found[1]->version, "2.0-12.cm2");
  EXPECT_EQ(found[1]->metadata["size"], 580);
  EXPECT_EQ(found[1]->metadata["vendor"], "Microsoft Corporation");
  EXPECT_TRUE(found[1]->metadata["epoch"].is_null());
  EXPECT_FALSE(found[1]->metadata.contains("modularityLabel"));
  EXPECT_EQ(found[2]->version, "2:9.0-1.cm2");
  EXPECT_EQ(found[2]->purl, "pkg:rpm/vim@9.0-1.cm2?arch=x86_64&epoch=2&upstream=vim-9.0-1.cm2.src.rpm");
  ASSERT_EQ(sbom->warnings.size(), 3u);  // broken line, dash-version, unterminated
  for (const auto& w : sbom->warnings) EXPECT_EQ(w.rfind("/var/lib/rpmmanifest/container-manifest-2: line ", 0), 0u) << w;
}

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
