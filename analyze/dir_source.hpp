#pragma once
// dir: an unpacked root filesystem, read as an image of one layer.

#include <filesystem>
#include <memory>

#include "analyze/image_source.hpp"

namespace airlock {

Result<std::unique_ptr<ImageSource>> open_directory(const std::filesystem::path& root);

}  // namespace airlock
