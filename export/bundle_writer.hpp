#pragma once
// Writing one bundle tar (docs/bundle-format.md): manifest.json, manifest.sig,
// then the content members in the manifest's order, each streamed from the
// file it is copied from. Shared by whole bundles and split volumes.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/byte_stream.hpp"
#include "store/bundle_manifest.hpp"

namespace airlock {

// The file each content member is copied from, by member name.
using MemberFiles = std::map<std::string, std::filesystem::path>;

Status write_bundle_tar(ByteSink& out, std::string_view manifest, std::string_view signature,
                        const std::vector<BundleMember>& members, const MemberFiles& files);

}  // namespace airlock
