#pragma once
// The signed manifest of a bundle (docs/bundle-format.md, version 1): what a
// bundle holds and the hash of every member. Parsing is strict: the bytes
// come from removable media or a diode.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/keys.hpp"
#include "store/store.hpp"

namespace airlock {

inline constexpr int k_bundle_format_version = 1;
inline constexpr std::size_t k_max_bundle_manifest = 16 * 1024 * 1024;

struct BundleMember {
  std::string name;  // "blobs/sha256/<hex>.zst"
  std::uint64_t size = 0;
  Sha256Digest sha256;
};

// A volume of a split bundle (docs/bundle-format.md, "Split volumes").
struct BundleVolume {
  std::uint32_t index = 0;  // from 1
  std::uint32_t count = 0;
  // "sha256:" + SHA-256 of volume 1's manifest.json: the set's identity in
  // the chain. None in volume 1 itself.
  std::optional<Sha256Digest> first;
};

inline constexpr std::uint32_t k_max_volumes = 100000;

struct BundleManifest {
  std::string bundle_id;
  std::string created;
  std::string producer_key_id;
  PublicKey producer_key;
  std::string destination;
  std::int64_t sequence = 0;
  std::optional<Sha256Digest> previous;
  std::vector<Item> items;  // each part's member is member_name(part.blob, encrypted())
  std::vector<BundleMember> members;
  // Key ids the content members are encrypted to (ALSEALv1); empty: plain.
  std::vector<std::string> recipients;
  bool encrypted() const { return !recipients.empty(); }
  // Set in a volume of a split bundle; then `members` holds only this
  // volume's members, and member_volumes says, for every member of the whole
  // set (by name), which volume carries it (the parts' "volume" fields).
  std::optional<BundleVolume> volume;
  std::map<std::string, std::uint32_t> member_volumes;
};

// "blobs/sha256/<content hex>.zst", with ".sealed" when encrypted.
std::string member_name(const Sha256Digest& content, bool encrypted = false);
std::string serialize_bundle_manifest(const BundleManifest& manifest);
Result<BundleManifest> parse_bundle_manifest(std::string_view bytes);

// manifest.sig: {"algorithm":"ed25519","key_id":…,"signature":…}
std::string serialize_signature(const PublicKey& key, const Signature& signature);
struct ParsedSignature {
  std::string key_id;
  Signature signature;
};
Result<ParsedSignature> parse_signature(std::string_view bytes);

}  // namespace airlock
