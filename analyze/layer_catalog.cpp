#include "analyze/layer_catalog.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace airlock {

EveryLayerResult catalog_every_layer(const EveryLayerInput& input, std::vector<std::string>& warnings) {
  EveryLayerResult result;
  std::vector<Package>& packages = result.packages;
  std::unordered_map<std::string, std::size_t> index_of_id;
  std::set<std::string> warned;
  FileIndex view;  // the image as it stood at layer L
  for (std::size_t layer = 0; layer < input.layers.size(); ++layer) {
    view.apply(input.layers[layer]);
    // A database is cataloged in the view of the layer that wrote it (its
    // companions, md5sums and copyright files, come from the same view); a
    // layer that captured nothing wrote none.
    if (layer >= input.captures.size() || input.captures[layer].empty()) continue;
    const ContentResolver files(view, input.captures, input.layer_ids);
    const std::string& this_layer = input.layer_ids[layer];
    for (const auto& cataloger : input.catalogers) {
      CatalogResult found = cataloger->catalog(files, input.distro, input.threads);
      for (auto& w : found.warnings) {
        if (warned.insert(w).second) warnings.push_back(std::move(w));
      }
      for (auto& p : found.packages) {
        // Databases of lower layers were cataloged in their own views.
        if (p.locations.empty() || p.locations.front().file.layer_id != this_layer) continue;
        for (const auto& l : p.locations) {
          if (const FileRecord* record = view.find(l.file.path)) {
            result.location_records.try_emplace({l.file.path, l.file.layer_id}, *record);
          }
        }
        const std::string id = package_id(p);
        auto [it, added] = index_of_id.try_emplace(id, packages.size());
        if (added) {
          packages.push_back(std::move(p));
          continue;
        }
        // The same record again: one package, one more place it was found.
        Package& first = packages[it->second];
        for (auto& l : p.locations) {
          const bool known = std::any_of(first.locations.begin(), first.locations.end(), [&](const PackageLocation& k) {
            return k.file.path == l.file.path && k.file.layer_id == l.file.layer_id;
          });
          if (!known) first.locations.push_back(std::move(l));
        }
      }
    }
  }
  // Visible: the finished image shows that very file (same path, same layer).
  for (auto& p : packages) {
    for (auto& l : p.locations) {
      const FileRecord* now = input.squashed.find(l.file.path);
      const bool visible = now != nullptr && now->layer < input.layer_ids.size() &&
                           input.layer_ids[now->layer] == l.file.layer_id;
      l.visible = visible ? "true" : "false";
    }
  }
  return result;
}

}  // namespace airlock
