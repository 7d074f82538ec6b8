#pragma once
// syft's all-layers scope: every package database each layer wrote is
// cataloged in the image as it stood at that layer, so packages a later
// layer removed are reported too. The same record found in several layers is
// one package with a location in each; every location says whether the
// finished image still shows it.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analyze/capture.hpp"
#include "analyze/catalog/cataloger.hpp"
#include "analyze/file_index.hpp"

namespace airlock {

struct EveryLayerInput {
  const std::vector<LayerIndex>& layers;           // with their entries
  const std::vector<LayerCaptures>& captures;      // per layer
  const std::vector<std::string>& layer_ids;       // per layer, for locations
  const FileIndex& squashed;                       // the finished image, for "visible"
  const std::vector<std::unique_ptr<Cataloger>>& catalogers;
  const Distro& distro;
  unsigned threads = 1;
};

struct EveryLayerResult {
  std::vector<Package> packages;  // not sorted, ids not assigned
  // The file each package location names, as that layer wrote it (the
  // finished image may show a later version of the path, or none).
  std::map<std::pair<std::string, std::string>, FileRecord> location_records;  // (path, layer id) →
};

// Warnings are added to WARNINGS once each.
EveryLayerResult catalog_every_layer(const EveryLayerInput& input, std::vector<std::string>& warnings);

}  // namespace airlock
