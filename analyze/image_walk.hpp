#pragma once
// Walks every layer of an image (several at once on a multi-core machine),
// then squashes them into the file index a container would see.

#include <functional>
#include <memory>
#include <optional>

#include "analyze/file_index.hpp"
#include "analyze/image_source.hpp"

namespace airlock {

struct ImageWalkOptions {
  unsigned threads = 2;
  // Makes the visitor for layer I (or null); called once per layer, possibly
  // from a worker thread.
  std::function<std::unique_ptr<LayerVisitor>(std::size_t)> visitor_for_layer;
  Progress* progress = nullptr;
  // Gives layer I's index when it is known already (from the layer cache),
  // so the layer is not read; nullopt to have it read. Called once per layer
  // from the worker threads, so loading a known layer overlaps with reading
  // the others; it must be safe to call from several threads at once.
  std::function<std::optional<LayerIndex>(std::size_t)> known_layer;
};

struct ImageWalk {
  std::vector<LayerIndex> layers;
  FileIndex squashed;
};

Result<ImageWalk> walk_image(ImageSource& image, const ImageWalkOptions& options = {});

}  // namespace airlock
