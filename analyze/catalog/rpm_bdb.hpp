#pragma once
// rpm's legacy database, `Packages`: a BerkeleyDB hash file (RHEL/CentOS
// 5–8, Amazon Linux 2, older SUSE), read from its published page layout
// (libdb's dbinc/db_page.h; knqyf263/go-rpmdb's pkg/bdb reads it the same
// way):
//
//   page 0   hash metadata: magic 0x061561 at 12 (its byte order is the
//            file's), page size at 20, encryption at 24, page type 8 at 25,
//            last page number at 32;
//   pages    26-byte header: next page at 16, entry count at 20, free-area
//            offset (on overflow pages: bytes used) at 22, type at 25.
//            Hash pages (type 13, or 2 before BDB 4.6) hold key/value
//            offsets after the header; a value of type 3 (HOFFPAGE, 12
//            bytes: type, 3 unused, first page at 4, total length at 8)
//            names a chain of overflow pages (type 7) holding one rpm
//            header blob.
//
// Every offset, count and page number read from the file is checked before
// use; pages are visited at most once, so a looping or shared overflow
// chain ends with a problem reported instead of a hang.

#include <string_view>

#include "analyze/catalog/rpm_header.hpp"

namespace airlock {

// True if DB starts with a BerkeleyDB hash metadata page (either byte order).
bool is_rpm_bdb(std::string_view db);

// Hands each package header blob of DB to VISIT. Fails when DB is not a
// BerkeleyDB hash database airlock reads (bad magic, page size, encrypted);
// damaged pages and values are skipped and described in PROBLEMS.
Status read_rpm_bdb(std::string_view db, const RpmBlobVisitor& visit, RpmProblems& problems);

}  // namespace airlock
