#pragma once
// apk: Alpine, Wolfi and Chainguard packages from lib/apk/db/installed, with
// their file records and dependency tree.

#include "analyze/catalog/cataloger.hpp"

namespace airlock {

class ApkCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "apk-db-cataloger"; }
  std::vector<FileRequest> requests() const override;
  CatalogResult catalog(const ContentResolver& files, const Distro& distro, unsigned threads) const override;
};

}  // namespace airlock
