#include "import/bundle_intake.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>

#include "base/file.hpp"
#include "crypto/sealed_stream.hpp"

namespace airlock {

namespace {

// "blobs/sha256/<hex>.zst[.sealed]" → the content digest.
Result<Sha256Digest> content_of(const BundleMember& member, const std::string& bundle) {
  std::string_view name = member.name;
  constexpr std::string_view prefix = "blobs/sha256/";
  if (!name.starts_with(prefix)) return Error(ErrorCode::verification, bundle + ": unexpected member " + member.name);
  name.remove_prefix(prefix.size());
  const auto dot = name.find('.');
  return Sha256Digest::parse("sha256:" + std::string(name.substr(0, dot)));
}

class StagingDir {
 public:
  explicit StagingDir(std::filesystem::path path) : m_path(std::move(path)) {}
  ~StagingDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

}  // namespace

void clear_staging(ImportState& state) {
  std::error_code ec;
  std::filesystem::remove_all(state.dir() / "staging", ec);
}

Result<TakenBundle> take_bundle(const std::filesystem::path& path, ImportState& state,
                                const std::optional<SecretKey>& decryption_key) {
  const std::string name = path.string();
  AIRLOCK_TRY_ASSIGN(const std::vector<TrustedKey> keys, state.trusted_keys());
  std::vector<PublicKey> trusted;
  for (const auto& k : keys) {
    if (!k.revoked) trusted.push_back(k.key);
  }
  {
    // Tell an encrypted bundle without a key apart before the long read.
    AIRLOCK_TRY_ASSIGN(auto head_source, FileSource::open(path));
    AIRLOCK_TRY_ASSIGN(const ManifestPeek peek, read_bundle_manifest(*head_source, trusted, name));
    if (!peek.signature_checked) {
      std::string hint = "; trust it with `airlock trust add PUB --accounts …`";
      for (const auto& k : keys) {
        if (k.key.key_id() == peek.manifest.producer_key_id && k.revoked) hint = " (trusted as '" + k.name + "' until it was revoked " + *k.revoked + ")";
      }
      return Error(ErrorCode::verification,
                   name + ": signed by key " + peek.manifest.producer_key_id + ", which is not trusted" + hint);
    }
    if (peek.manifest.encrypted()) {
      const auto& r = peek.manifest.recipients;
      if (!decryption_key ||
          std::find(r.begin(), r.end(), decryption_key->public_key().key_id()) == r.end()) {
        std::string ids;
        for (const auto& id : r) ids += (ids.empty() ? "" : ", ") + id;
        return Error(ErrorCode::usage, name + ": the bundle is encrypted to key(s) " + ids +
                                           "; pass --key with the secret key of one of them");
      }
    }
  }
  const std::filesystem::path staging_root = state.dir() / "staging";
  std::error_code ec;
  std::filesystem::create_directories(staging_root, ec);
  std::string pattern = (staging_root / "bundle-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return Error::from_errno("cannot create a staging folder in", staging_root.string());
  const StagingDir staging(pattern);

  std::map<std::string, std::filesystem::path> staged;  // member name → staged file
  const MemberVisitor stage = [&](const BundleMember& member, ByteSource& bytes) -> Status {
    const auto file = staging.path() / std::to_string(staged.size());
    AIRLOCK_TRY_ASSIGN(auto out, AtomicFile::create(file, 0600));
    AIRLOCK_TRY(copy_stream(bytes, *out));
    AIRLOCK_TRY(out->commit(Durability::none));
    staged[member.name] = file;
    return {};
  };
  AIRLOCK_TRY_ASSIGN(auto source, FileSource::open(path));
  AIRLOCK_TRY_ASSIGN(VerifiedBundle verified, verify_bundle(*source, trusted, name, stage));

  // Proven: hand the content on. Blob files are fsynced as they land, since
  // the ledger will point at them.
  for (const auto& member : verified.manifest.members) {
    AIRLOCK_TRY_ASSIGN(const Sha256Digest content, content_of(member, name));
    if (state.blobs().contains(content)) continue;
    const auto it = staged.find(member.name);
    if (it == staged.end()) return Error(ErrorCode::verification, name + ": member " + member.name + " was not read");
    const auto target = state.blobs().path_of(content);
    std::filesystem::create_directories(target.parent_path(), ec);
    AIRLOCK_TRY_ASSIGN(auto out, AtomicFile::create(target, 0600));
    AIRLOCK_TRY_ASSIGN(auto in, FileSource::open(it->second));
    if (verified.manifest.encrypted()) {
      AIRLOCK_TRY(decrypt_stream(*in, *out, *decryption_key).context(name + ": " + member.name));
    } else {
      AIRLOCK_TRY(copy_stream(*in, *out));
    }
    AIRLOCK_TRY(out->commit());
    // The blob's name is a promise about its content: check it once now, so
    // a sealed member that decrypts to other bytes fails here, not mid-upload.
    if (auto checked = state.blobs().verify(content); !checked) {
      static_cast<void>(state.blobs().remove(content));
      return Error(ErrorCode::verification, name + ": " + checked.error().message());
    }
  }
  TakenBundle taken{std::move(verified), {}};
  for (const auto& k : keys) {
    if (!k.revoked && k.key == taken.bundle.manifest.producer_key) taken.signer = k;
  }
  return taken;
}

}  // namespace airlock
