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
#include "tests/analyze/rpm_fixture.hpp"

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

namespace airlock::testing::rpm {

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

ProcessResult shell(const std::string& script) { return testing::run_process("/bin/sh", {"-c", script}); }

std::vector<std::string> sorted_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

RpmFixture::RpmFixture() {
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

RpmFixture::~RpmFixture() {
  std::error_code ec;
  if (!dir.empty()) std::filesystem::remove_all(dir, ec);
}

const RpmFixture& fixture() {
  static const RpmFixture f;
  return f;
}

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
                     std::vector<std::uint32_t>* overflow_first) {
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
std::string make_ndb(const std::vector<std::string>& blobs, std::vector<std::size_t>* blob_at) {
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
CatalogResult catalog_bytes(const std::string& path, std::string bytes, bool truncated) {
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
  return RpmCataloger().catalog(resolver, fedora, 1);
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

}  // namespace airlock::testing::rpm
