#pragma once
// rpm's sqlite database, `rpmdb.sqlite` (Fedora 33+, RHEL 9, Rocky/Alma 9,
// Amazon Linux 2023, CBL-Mariner 2): table Packages(hnum, blob), one rpm
// header blob per row. Read with SQLite from the captured bytes in memory
// (sqlite3_deserialize, read-only), with SQLite's defensive mode on,
// untrusted-schema functions, triggers and views off, and a cap on the work
// one query may do.

#include <string_view>

#include "analyze/catalog/rpm_header.hpp"

namespace airlock {

bool is_rpm_sqlite(std::string_view db);

// Hands each Packages.blob of DB to VISIT. Fails when SQLite cannot open DB
// or has no Packages table; a read that fails midway (a corrupt page) keeps
// the rows read so far and describes the failure in PROBLEMS.
Status read_rpm_sqlite(std::string_view db, const RpmBlobVisitor& visit, RpmProblems& problems);

}  // namespace airlock
