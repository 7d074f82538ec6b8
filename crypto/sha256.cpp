#include "crypto/sha256.hpp"

#include <openssl/evp.h>

#include <cstdlib>
#include <vector>

#include "base/hex.hpp"

namespace airlock {

struct Sha256::Context {
  EVP_MD_CTX* ctx = nullptr;
};

static void check_openssl(int ok) {
  // EVP digest calls only fail on allocation failure or a broken OpenSSL
  // install; neither is recoverable.
  if (ok != 1) std::abort();
}

// OpenSSL 3 looks the implementation up in its provider on every init with
// EVP_sha256(); fetching it once saves that on each of the many small hashes
// an SBOM takes (ids of packages, files, relationships).
static const EVP_MD* sha256_md() {
  static EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  return md;
}

Sha256::Sha256() : m_context(std::make_unique<Context>()) {
  m_context->ctx = EVP_MD_CTX_new();
  if (m_context->ctx == nullptr) std::abort();
  check_openssl(EVP_DigestInit_ex(m_context->ctx, sha256_md(), nullptr));
}

Sha256::~Sha256() { EVP_MD_CTX_free(m_context->ctx); }

void Sha256::update(std::span<const std::uint8_t> data) {
  if (!data.empty()) check_openssl(EVP_DigestUpdate(m_context->ctx, data.data(), data.size()));
}

Sha256Digest Sha256::finish() {
  Sha256Digest digest;
  unsigned int length = 0;
  check_openssl(EVP_DigestFinal_ex(m_context->ctx, digest.bytes.data(), &length));
  check_openssl(EVP_DigestInit_ex(m_context->ctx, sha256_md(), nullptr));
  return digest;
}

std::string Sha256Digest::hex() const { return to_hex(bytes); }

Result<Sha256Digest> Sha256Digest::parse(std::string_view text) {
  std::string_view hex = text;
  if (hex.starts_with("sha256:")) hex.remove_prefix(7);
  auto decoded = hex.size() == 64 ? from_hex(hex) : std::nullopt;
  if (!decoded) {
    return Error(ErrorCode::invalid_input,
                 "not a sha256 digest (want 64 hex digits): '" + std::string(text.substr(0, 80)) + "'");
  }
  Sha256Digest digest;
  std::copy(decoded->begin(), decoded->end(), digest.bytes.begin());
  return digest;
}

Sha256Digest sha256(std::span<const std::uint8_t> data) {
  Sha256 hash;
  hash.update(data);
  return hash.finish();
}

Sha256Digest sha256(std::string_view data) { return sha256(as_bytes(data)); }

Result<Sha256Digest> sha256(ByteSource& source) {
  Sha256 hash;
  std::vector<std::uint8_t> buffer(1 << 20);
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, source.read(buffer));
    if (n == 0) break;
    hash.update(std::span(buffer).first(n));
  }
  return hash.finish();
}

Status HashingSink::write(std::span<const std::uint8_t> data) {
  m_hash.update(data);
  m_size += data.size();
  if (m_inner != nullptr) return m_inner->write(data);
  return {};
}

Result<std::size_t> HashingSource::read(std::span<std::uint8_t> buffer) {
  AIRLOCK_TRY_ASSIGN(const std::size_t n, m_inner.read(buffer));
  if (m_enabled) m_hash.update(buffer.first(n));
  m_size += n;
  return n;
}

}  // namespace airlock
