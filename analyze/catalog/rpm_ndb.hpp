#pragma once
// rpm's "ndb" database, `Packages.db` (SUSE since 15.3), read from its
// published layout (rpm's lib/backend/ndb/rpmpkg.c; knqyf263/go-rpmdb's
// pkg/ndb reads it the same way). All fields are 32-bit little-endian:
//
//   offset 0   header: magic "RpmP", version 0, generation, slot page count
//              (then 16 unused bytes) — it takes the place of slots 0 and 1;
//   slots      SlotNPages pages of 4096 bytes from offset 0, 16-byte slots:
//              magic "Slot", package index (0 = free), block offset, block
//              count — blocks are 16 bytes;
//   blobs      at block offset × 16: magic "BlbS", package index, checksum,
//              length, then the rpm header blob (and a 12-byte tail).
//
// Every slot and blob is checked against the file before use; the blobs'
// total may not exceed the file (they never overlap in a real database),
// so slots pointing many times at one big blob cannot multiply the work.

#include <string_view>

#include "analyze/catalog/rpm_header.hpp"

namespace airlock {

bool is_rpm_ndb(std::string_view db);

// Hands each package header blob of DB to VISIT. Fails when DB is not an NDB
// database (magic, version, slot page count); damaged slots and blobs are
// skipped and described in PROBLEMS.
Status read_rpm_ndb(std::string_view db, const RpmBlobVisitor& visit, RpmProblems& problems);

}  // namespace airlock
