#include "analyze/catalog/apk.hpp"
#include "analyze/catalog/cataloger.hpp"
#include "analyze/catalog/dpkg.hpp"
#include "analyze/catalog/rpm.hpp"

namespace airlock {

std::vector<std::unique_ptr<Cataloger>> default_catalogers() {
  std::vector<std::unique_ptr<Cataloger>> out;
  out.push_back(std::make_unique<DpkgCataloger>());
  out.push_back(std::make_unique<ApkCataloger>());
  out.push_back(std::make_unique<RpmCataloger>());
  return out;
}

}  // namespace airlock
