#pragma once
// OCI image layouts (index.json + blobs/sha256/…), in a folder (oci-dir:) or
// a tar archive (oci-archive:). Docker ≥ 25 archives hold one too.

#include <filesystem>
#include <memory>
#include <optional>

#include "analyze/image_source.hpp"
#include "analyze/layout_reader.hpp"

namespace airlock {

// Opens the layout behind READER; SOURCE names it for messages and metadata.
// TAGS, when given, replace the ones the layout's annotations name.
Result<std::unique_ptr<ImageSource>> open_oci_layout(std::shared_ptr<LayoutReader> reader,
                                                     std::string source,
                                                     const std::optional<Platform>& platform,
                                                     std::vector<std::string> tags = {});

std::string blob_path(const Sha256Digest& digest);  // "blobs/sha256/<hex>"

}  // namespace airlock
