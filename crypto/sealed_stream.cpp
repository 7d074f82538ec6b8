#include "crypto/sealed_stream.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "crypto/sodium_init.hpp"

namespace airlock {

namespace {

constexpr std::string_view k_magic = "ALSEALv1";
constexpr std::size_t k_min_chunk = 4 * 1024;
constexpr std::size_t k_max_chunk = 16 * 1024 * 1024;
constexpr std::size_t k_max_recipients = 256;
constexpr std::size_t k_key_id_bytes = 16;
constexpr std::size_t k_sealed_key_bytes =
    crypto_secretstream_xchacha20poly1305_KEYBYTES + crypto_box_SEALBYTES;
constexpr std::size_t k_recipient_entry = k_key_id_bytes + k_sealed_key_bytes;
constexpr std::size_t k_stream_header = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t k_tag_bytes = crypto_secretstream_xchacha20poly1305_ABYTES;

// Wipes key material on every exit path.
template <std::size_t N>
struct SecretBytes {
  std::array<std::uint8_t, N> bytes{};
  ~SecretBytes() { sodium_memzero(bytes.data(), bytes.size()); }
};

Error corrupt(std::string_view what) {
  return Error(ErrorCode::verification, "encrypted stream: " + std::string(what));
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

std::uint32_t get_u32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

}  // namespace

Status encrypt_stream(ByteSource& plaintext, ByteSink& ciphertext,
                      std::span<const PublicKey> recipients, RandomSource& random,
                      std::size_t chunk_size) {
  ensure_sodium();
  if (recipients.empty() || recipients.size() > k_max_recipients) {
    return Error(ErrorCode::usage, "encryption needs 1 to 256 recipients, got " +
                                       std::to_string(recipients.size()));
  }
  if (chunk_size < k_min_chunk || chunk_size > k_max_chunk) {
    return Error(ErrorCode::internal, "sealed stream chunk size out of range");
  }

  SecretBytes<crypto_secretstream_xchacha20poly1305_KEYBYTES> file_key;
  random.fill(file_key.bytes);

  std::vector<std::uint8_t> header(k_magic.begin(), k_magic.end());
  put_u32(header, static_cast<std::uint32_t>(chunk_size));
  put_u16(header, static_cast<std::uint16_t>(recipients.size()));
  for (const PublicKey& recipient : recipients) {
    const auto id = recipient.key_id_bytes();
    header.insert(header.end(), id.begin(), id.end());
    std::array<std::uint8_t, crypto_box_PUBLICKEYBYTES> x25519{};
    if (crypto_sign_ed25519_pk_to_curve25519(x25519.data(), recipient.bytes.data()) != 0) {
      return Error(ErrorCode::invalid_input,
                   "recipient key " + recipient.key_id() + " is not a valid Ed25519 public key");
    }
    std::array<std::uint8_t, k_sealed_key_bytes> sealed{};
    crypto_box_seal(sealed.data(), file_key.bytes.data(), file_key.bytes.size(), x25519.data());
    header.insert(header.end(), sealed.begin(), sealed.end());
  }

  crypto_secretstream_xchacha20poly1305_state state;
  std::array<std::uint8_t, k_stream_header> stream_header{};
  crypto_secretstream_xchacha20poly1305_init_push(&state, stream_header.data(),
                                                  file_key.bytes.data());
  AIRLOCK_TRY(ciphertext.write(header));
  AIRLOCK_TRY(ciphertext.write(stream_header));

  // Read one chunk ahead so the last chunk can carry the FINAL tag.
  std::vector<std::uint8_t> current(chunk_size), next(chunk_size), out(chunk_size + k_tag_bytes);
  AIRLOCK_TRY_ASSIGN(std::size_t current_size, read_fully(plaintext, current));
  bool first = true;
  for (;;) {
    std::size_t next_size = 0;
    if (current_size == chunk_size) {
      AIRLOCK_TRY_ASSIGN(next_size, read_fully(plaintext, next));
    }
    const bool last = next_size == 0;
    unsigned long long out_size = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &state, out.data(), &out_size, current.data(), current_size,
        first ? header.data() : nullptr, first ? header.size() : 0,
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    AIRLOCK_TRY(ciphertext.write(std::span(out).first(out_size)));
    if (last) break;
    first = false;
    std::swap(current, next);
    current_size = next_size;
  }
  sodium_memzero(&state, sizeof state);
  return {};
}

Status decrypt_stream(ByteSource& ciphertext, ByteSink& plaintext, const SecretKey& key) {
  ensure_sodium();
  std::vector<std::uint8_t> header(k_magic.size() + 6);
  AIRLOCK_TRY_ASSIGN(std::size_t got, read_fully(ciphertext, header));
  if (got < header.size() || std::memcmp(header.data(), k_magic.data(), k_magic.size()) != 0) {
    return corrupt("not an airlock encrypted stream (bad magic or too short)");
  }
  const std::size_t chunk_size = get_u32(header.data() + k_magic.size());
  const std::size_t count = std::size_t{header[k_magic.size() + 4]} << 8 | header[k_magic.size() + 5];
  if (chunk_size < k_min_chunk || chunk_size > k_max_chunk) return corrupt("chunk size out of range");
  if (count == 0 || count > k_max_recipients) return corrupt("recipient count out of range");

  const std::size_t fixed = header.size();
  header.resize(fixed + count * k_recipient_entry);
  AIRLOCK_TRY_ASSIGN(got, read_fully(ciphertext, std::span(header).subspan(fixed)));
  if (got < count * k_recipient_entry) return corrupt("truncated in the recipient list");

  const PublicKey public_key = key.public_key();
  const auto my_id = public_key.key_id_bytes();
  std::array<std::uint8_t, crypto_box_PUBLICKEYBYTES> x_public{};
  SecretBytes<crypto_box_SECRETKEYBYTES> x_secret;
  if (crypto_sign_ed25519_pk_to_curve25519(x_public.data(), public_key.bytes.data()) != 0 ||
      crypto_sign_ed25519_sk_to_curve25519(x_secret.bytes.data(), key.bytes().data()) != 0) {
    return Error(ErrorCode::invalid_input, "the decryption key is not a valid Ed25519 key");
  }

  SecretBytes<crypto_secretstream_xchacha20poly1305_KEYBYTES> file_key;
  bool opened = false;
  for (std::size_t i = 0; i < count && !opened; ++i) {
    const std::uint8_t* entry = header.data() + fixed + i * k_recipient_entry;
    if (std::memcmp(entry, my_id.data(), my_id.size()) != 0) continue;
    opened = crypto_box_seal_open(file_key.bytes.data(), entry + k_key_id_bytes, k_sealed_key_bytes,
                                  x_public.data(), x_secret.bytes.data()) == 0;
  }
  if (!opened) {
    return Error(ErrorCode::verification, "encrypted stream is not addressed to key " +
                                              public_key.key_id() + " (or its key slot is damaged)");
  }

  std::array<std::uint8_t, k_stream_header> stream_header{};
  AIRLOCK_TRY_ASSIGN(got, read_fully(ciphertext, stream_header));
  if (got < stream_header.size()) return corrupt("truncated before the first chunk");
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, stream_header.data(),
                                                      file_key.bytes.data()) != 0) {
    return corrupt("bad stream header");
  }

  std::vector<std::uint8_t> in(chunk_size + k_tag_bytes), out(chunk_size);
  bool first = true;
  std::uint64_t index = 0;
  for (;;) {
    AIRLOCK_TRY_ASSIGN(got, read_fully(ciphertext, in));
    if (got < k_tag_bytes) {
      sodium_memzero(&state, sizeof state);
      return corrupt("truncated: the stream ends before its final chunk");
    }
    unsigned long long out_size = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state, out.data(), &out_size, &tag, in.data(),
                                                   got, first ? header.data() : nullptr,
                                                   first ? header.size() : 0) != 0) {
      sodium_memzero(&state, sizeof state);
      return corrupt("chunk " + std::to_string(index) + " failed authentication (tampered or truncated)");
    }
    AIRLOCK_TRY(plaintext.write(std::span(out).first(out_size)));
    first = false;
    ++index;
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) break;
    if (got < in.size()) {
      sodium_memzero(&state, sizeof state);
      return corrupt("truncated: the stream ends before its final chunk");
    }
  }
  sodium_memzero(&state, sizeof state);
  std::array<std::uint8_t, 1> extra{};
  AIRLOCK_TRY_ASSIGN(got, ciphertext.read(extra));
  if (got != 0) return corrupt("unexpected data after the final chunk");
  return {};
}

}  // namespace airlock
