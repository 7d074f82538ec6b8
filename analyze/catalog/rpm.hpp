#pragma once
// rpm: RHEL-family, Fedora, SUSE, Amazon Linux and CBL-Mariner packages from
// the rpm database at **/{var/lib,usr/share,usr/lib/sysimage}/rpm/
// {Packages,Packages.db,rpmdb.sqlite} — format sniffed from the content as
// go-rpmdb does: sqlite, NDB or BerkeleyDB hash — and from CBL-Mariner's
// distroless manifest **/var/lib/rpmmanifest/container-manifest-2. Packages,
// PURLs, versions, metadata and file records follow syft's redhat cataloger.

#include "analyze/catalog/cataloger.hpp"
#include "analyze/catalog/rpm_header.hpp"

namespace airlock {

class RpmCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "rpm-db-cataloger"; }
  std::vector<FileRequest> requests() const override;
  CatalogResult catalog(const ContentResolver& files, const Distro& distro, unsigned threads) const override;
};

// Databases larger than this are read up to it (and reported as truncated).
inline constexpr std::size_t k_rpm_db_max_bytes = 512u * 1024 * 1024;

// Which database format DB's bytes are: "sqlite", "ndb", "bdb" or "" (none).
std::string_view rpm_db_format(std::string_view db);

// Hands every package header blob of DB (any format) to VISIT; fails if the
// format is unknown or unreadable, describes damaged records in PROBLEMS.
Status read_rpm_db(std::string_view db, const RpmBlobVisitor& visit, RpmProblems& problems);

// One line of container-manifest-2: NAME, VERSION-RELEASE, INSTALLTIME,
// BUILDTIME, VENDOR, EPOCH ("(none)" = no epoch), SIZE, ARCH, EPOCHNUM,
// SOURCERPM, tab-separated.
Result<RpmHeader> parse_rpm_manifest_line(std::string_view line);

}  // namespace airlock
