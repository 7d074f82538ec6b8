#include "analyze/catalog/apk.hpp"
#include "analyze/catalog/cataloger.hpp"
#include "analyze/catalog/dpkg.hpp"

namespace airlock {

std::vector<std::unique_ptr<Cataloger>> default_catalogers() {
  std::vector<std::unique_ptr<Cataloger>> out;
  out.push_back(std::make_unique<DpkgCataloger>());
  out.push_back(std::make_unique<ApkCataloger>());
  return out;
}

}  // namespace airlock
