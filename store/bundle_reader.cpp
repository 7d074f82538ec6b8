#include "store/bundle_reader.hpp"

#include "store/bundle_tar.hpp"

#include <map>
#include <memory>
#include <set>

namespace airlock {

namespace {

// The bundle's tar, read strictly (see bundle_tar.hpp).
class BundleTar {
 public:
  BundleTar(ByteSource& source, std::string name) : m_name(name), m_reader(source, std::move(name)) {}
  using Member = CanonicalTarReader::Member;
  Result<std::optional<Member>> next() { return m_reader.next(); }
  ByteSource& content() { return m_reader.content(); }
  Result<std::string> read_whole(std::size_t max, const std::string& what) {
    std::string out;
    std::vector<std::uint8_t> chunk(64 * 1024);
    for (;;) {
      AIRLOCK_TRY_ASSIGN(const std::size_t n, content().read(chunk));
      if (n == 0) return out;
      if (out.size() + n > max) return Error(ErrorCode::verification, m_name + ": " + what + " is over its size limit");
      out.append(reinterpret_cast<const char*>(chunk.data()), n);
    }
  }

 private:
  std::string m_name;
  CanonicalTarReader m_reader;
};

struct Head {
  BundleManifest manifest;
  Sha256Digest manifest_hash;
  bool signature_checked = false;
};

Result<Head> read_head(BundleTar& tar, const std::vector<PublicKey>& trusted, const std::string& name, bool require_trust) {
  AIRLOCK_TRY_ASSIGN(auto first, tar.next());
  if (!first || first->name != "manifest.json") {
    return Error(ErrorCode::verification, name + ": the first member is not manifest.json (not an airlock bundle?)");
  }
  if (first->size > k_max_bundle_manifest) return Error(ErrorCode::verification, name + ": manifest.json is over 16 MiB");
  AIRLOCK_TRY_ASSIGN(const std::string manifest_bytes, tar.read_whole(k_max_bundle_manifest, "manifest.json"));
  AIRLOCK_TRY_ASSIGN(auto second, tar.next());
  if (!second || second->name != "manifest.sig") {
    return Error(ErrorCode::verification, name + ": the second member is not manifest.sig (unsigned bundle)");
  }
  AIRLOCK_TRY_ASSIGN(const std::string sig_bytes, tar.read_whole(4096, "manifest.sig"));
  AIRLOCK_TRY_ASSIGN(const ParsedSignature sig, parse_signature(sig_bytes).context(name));
  Head head;
  head.manifest_hash = sha256(manifest_bytes);
  const PublicKey* signer = nullptr;
  for (const auto& key : trusted) {
    if (key.key_id() == sig.key_id) signer = &key;
  }
  if (signer != nullptr) {
    if (!verify_signature(*signer, as_bytes(manifest_bytes), sig.signature)) {
      return Error(ErrorCode::verification, name + ": the signature of manifest.json does not verify with key " +
                                                sig.key_id + " (the manifest was altered or signed by another key)");
    }
    head.signature_checked = true;
  } else if (require_trust) {
    return Error(ErrorCode::verification, name + ": signed by key " + sig.key_id + ", which is not among the trusted keys");
  }
  // Parse only once the signature holds (or, for inspect, with the caller told it does not).
  AIRLOCK_TRY_ASSIGN(head.manifest, parse_bundle_manifest(manifest_bytes).context(name));
  if (signer != nullptr && !(head.manifest.producer_key == *signer)) {
    return Error(ErrorCode::verification, name + ": the manifest names another producer than the key that signed it");
  }
  return head;
}

}  // namespace

Result<VerifiedBundle> verify_bundle(ByteSource& bundle, const std::vector<PublicKey>& trusted, const std::string& name,
                                     const MemberVisitor& visitor) {
  if (trusted.empty()) return Error(ErrorCode::usage, "verifying a bundle needs at least one trusted public key (--trust PUB)");
  BundleTar tar(bundle, name);
  AIRLOCK_TRY_ASSIGN(Head head, read_head(tar, trusted, name, true));
  std::map<std::string, const BundleMember*> expected;
  for (const auto& m : head.manifest.members) expected[m.name] = &m;
  std::set<std::string> seen;
  std::vector<std::uint8_t> chunk(256 * 1024);
  for (;;) {
    AIRLOCK_TRY_ASSIGN(auto member, tar.next());
    if (!member) break;
    auto it = expected.find(member->name);
    if (it == expected.end()) return Error(ErrorCode::verification, name + ": member '" + member->name + "' is not in the signed manifest");
    if (!seen.insert(member->name).second) return Error(ErrorCode::verification, name + ": member '" + member->name + "' appears twice");
    const BundleMember& declared = *it->second;
    if (member->size != declared.size) {
      return Error(ErrorCode::verification, name + ": member '" + member->name + "' is " + std::to_string(member->size) +
                                                " bytes, the manifest says " + std::to_string(declared.size));
    }
    HashingSource hashed(tar.content());
    if (visitor) {
      AIRLOCK_TRY(visitor(declared, hashed));
    }
    for (;;) {  // whatever the visitor left unread still counts
      AIRLOCK_TRY_ASSIGN(const std::size_t n, hashed.read(chunk));
      if (n == 0) break;
    }
    if (hashed.size() != declared.size || hashed.finish() != declared.sha256) {
      return Error(ErrorCode::verification, name + ": member '" + member->name + "' does not match its hash in the manifest");
    }
  }
  for (const auto& m : head.manifest.members) {
    if (seen.count(m.name) == 0) return Error(ErrorCode::verification, name + ": member '" + m.name + "' is missing (truncated bundle?)");
  }
  return VerifiedBundle{std::move(head.manifest), head.manifest_hash};
}

Result<ManifestPeek> read_bundle_manifest(ByteSource& bundle, const std::vector<PublicKey>& trusted, const std::string& name) {
  BundleTar tar(bundle, name);
  AIRLOCK_TRY_ASSIGN(Head head, read_head(tar, trusted, name, false));
  return ManifestPeek{std::move(head.manifest), head.manifest_hash, head.signature_checked};
}

}  // namespace airlock
