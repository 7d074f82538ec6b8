#pragma once
// Split bundles (docs/bundle-format.md, "Split volumes"): the file names of
// volumes, and the checks that make verified volumes one bundle. Each volume
// is proven alone by verify_bundle; a VolumeSet then checks that the volumes
// it is given agree with each other and says which ones are still missing.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/bundle_reader.hpp"

namespace airlock {

// NAME.001.airlock for -o NAME, or -o NAME.airlock: three digits, or as many
// as COUNT has.
std::filesystem::path volume_path(const std::filesystem::path& output, std::uint32_t index, std::uint32_t count);

// The file name volume INDEX would have if GIVEN (the path of volume
// GIVEN_INDEX of a COUNT-volume set) was named by volume_path; nullopt when
// GIVEN was renamed.
std::optional<std::filesystem::path> sibling_volume_path(const std::filesystem::path& given, std::uint32_t given_index,
                                                         std::uint32_t index, std::uint32_t count);

// The hash of everything a set's volumes must share: the manifest with the
// volume's own index, `first` and member list left out.
Sha256Digest volume_set_fingerprint(const BundleManifest& manifest);

// "1, 3, 4"; past 20 numbers, "… and N more".
std::string volume_list(const std::vector<std::uint32_t>& indexes);

class VolumeSet {
 public:
  // Adds VOLUME (verified alone, read from NAME). Refuses, as a verification
  // failure, a volume that is not one, belongs to another bundle, or
  // disagrees with the volumes added before (another item list, a different
  // volume under an index already given, another volume 1).
  Status add(const VerifiedBundle& volume, const std::string& name);

  bool empty() const { return !m_manifest; }
  // The set's manifest (the item list and every part's volume) as the first
  // volume added has it; `members` are that volume's only.
  const BundleManifest& manifest() const { return *m_manifest; }
  std::uint32_t count() const { return m_manifest ? m_manifest->volume->count : 0; }
  std::vector<std::uint32_t> given() const;
  std::vector<std::uint32_t> missing() const;  // indexes not given
  // The set's identity in the chain: SHA-256 of volume 1's manifest.json.
  Sha256Digest chain_hash() const { return *m_first; }
  // Volumes carrying a part whose content HAVE says is not at hand.
  std::vector<std::uint32_t> volumes_lacking(const std::function<bool(const Sha256Digest&)>& have) const;
  // A path of a given volume, for messages.
  const std::string& name_of(std::uint32_t index) const { return m_names.at(index); }

 private:
  std::optional<BundleManifest> m_manifest;
  Sha256Digest m_fingerprint;
  std::optional<Sha256Digest> m_first;        // from volume 1's hash or any other volume's `first`
  std::map<std::uint32_t, Sha256Digest> m_hashes;  // index → that volume's manifest hash
  std::map<std::uint32_t, std::string> m_names;
};

}  // namespace airlock
