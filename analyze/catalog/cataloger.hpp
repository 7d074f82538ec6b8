#pragma once
// Cataloger: finds one kind of package. It names the files it needs (they are
// captured during the layer walk), then reads them from the squashed image.

#include <memory>
#include <string_view>
#include <vector>

#include "analyze/capture.hpp"
#include "analyze/package.hpp"

namespace airlock {

struct CatalogResult {
  std::vector<Package> packages;
  std::vector<std::string> warnings;  // damaged records skipped, naming the file
};

class Cataloger {
 public:
  virtual ~Cataloger() = default;
  virtual std::string_view name() const = 0;
  virtual std::vector<FileRequest> requests() const = 0;
  // THREADS: how many threads it may use (a resolver is copied per thread).
  virtual CatalogResult catalog(const ContentResolver& files, const Distro& distro, unsigned threads) const = 0;
};

// Every cataloger airlock has, in the order they run.
std::vector<std::unique_ptr<Cataloger>> default_catalogers();

// syft's generated CPE for a package: vendor and product from the name (with
// '-'/'_' variants), the version escaped.
std::vector<Cpe> generate_cpes(std::string_view name, std::string_view version,
                               const std::vector<std::string>& extra_vendors = {});

}  // namespace airlock
