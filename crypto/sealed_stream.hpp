#pragma once
// Sealed streams: encryption of a byte stream to one or more recipients'
// public keys, streaming in fixed-size chunks.
//
// Layout (all integers big-endian; specified for users in docs/keys.md):
//   magic        8 bytes  "ALSEALv1"
//   chunk_size   u32      plaintext bytes per chunk (4 KiB … 16 MiB)
//   count        u16      number of recipients (1 … 256)
//   count × { key_id 16 bytes, crypto_box_seal(file key) 80 bytes }
//   secretstream header   24 bytes
//   chunks: XChaCha20-Poly1305 secretstream messages of chunk_size + 17
//           bytes, the last one shorter (or equal) and tagged FINAL.
// The bytes before the secretstream header are the first chunk's associated
// data, so a changed recipient list fails authentication. A missing FINAL tag
// (truncation) or bytes after it are errors.
//
// Decryption writes plaintext chunk by chunk as each one authenticates; the
// caller must treat the output as unverified until decrypt_stream succeeds.

#include <span>

#include "base/byte_stream.hpp"
#include "base/random.hpp"
#include "crypto/keys.hpp"

namespace airlock {

inline constexpr std::size_t k_default_seal_chunk = 64 * 1024;

Status encrypt_stream(ByteSource& plaintext, ByteSink& ciphertext,
                      std::span<const PublicKey> recipients, RandomSource& random,
                      std::size_t chunk_size = k_default_seal_chunk);

Status decrypt_stream(ByteSource& ciphertext, ByteSink& plaintext, const SecretKey& key);

}  // namespace airlock
