#include "export/bundle_writer.hpp"

#include "base/file.hpp"
#include "store/bundle_tar.hpp"

namespace airlock {

Status write_bundle_tar(ByteSink& out, std::string_view manifest, std::string_view signature,
                        const std::vector<BundleMember>& members, const MemberFiles& files) {
  CanonicalTarWriter tar(out);
  MemorySource manifest_source(manifest);
  AIRLOCK_TRY(tar.add("manifest.json", manifest.size(), manifest_source));
  MemorySource signature_source(signature);
  AIRLOCK_TRY(tar.add("manifest.sig", signature.size(), signature_source));
  for (const auto& member : members) {
    const auto file = files.find(member.name);
    if (file == files.end()) return Error(ErrorCode::internal, "no file for bundle member " + member.name);
    AIRLOCK_TRY_ASSIGN(auto blob, FileSource::open(file->second));
    AIRLOCK_TRY(tar.add(member.name, member.size, *blob));
  }
  return tar.finish();
}

}  // namespace airlock
