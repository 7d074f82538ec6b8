#pragma once
// Building an SBOM: one walk of the image with every cataloger's file
// requests, then distro detection, the catalogers, and the relationships
// between packages and files.

#include <functional>
#include <string>
#include <vector>

#include "analyze/image_source.hpp"
#include "analyze/image_walk.hpp"
#include "analyze/package.hpp"

namespace airlock {

struct SbomFile {
  std::string id;  // coordinates id, the child of "contains" relationships
  FileLocation location;
  FileRecord record;
};

struct Sbom {
  ImageMetadata image;
  std::string user_input;
  std::vector<LayerIndex> layers;  // entries dropped: only sizes and digests are kept
  Distro distro;
  std::vector<Package> packages;
  std::vector<SbomFile> files;
  // Package-to-package edges (dependency-of, ownership-by-file-overlap). The source→package and
  // package→file edges follow from packages and files and are not stored
  // (an image can have hundreds of thousands); relationships() lists all.
  std::vector<Relationship> relationships;
  std::vector<std::string> warnings;
  std::string source_id;
  std::string scope = "squashed";  // or "all-layers"
};

// Every relationship of SBOM, in syft's order (by parent, child, type).
std::vector<Relationship> all_relationships(const Sbom& sbom);
// Calls EMIT for every relationship without building the list (for writers).
void for_each_relationship(const Sbom& sbom, const std::function<void(const Relationship&)>& emit);

class LayerCache;

struct SbomOptions {
  unsigned threads = 2;
  Progress* progress = nullptr;
  std::string user_input;
  LayerCache* cache = nullptr;  // per-layer results by diff_id; null: read every layer
  // syft's all-layers scope: the databases of every layer, removed packages
  // included (analyze/layer_catalog.hpp); false: what the container sees.
  bool all_layers = false;
};

// Walks IMAGE and catalogs it. The walk (file index) is returned too, for
// callers that also list files.
Result<Sbom> build_sbom(ImageSource& image, const SbomOptions& options, ImageWalk* walk_out = nullptr);

}  // namespace airlock
