#include "analyze/decompress.hpp"

#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace airlock {

namespace {

constexpr std::size_t k_input_buffer = 256 * 1024;
// Caps zstd's window (and so its memory) at 64 MiB; layers written by
// docker/buildkit/skopeo use far smaller windows.
constexpr int k_zstd_window_log_max = 26;

Error corrupt(const std::string& name, std::string_view what) {
  return Error(ErrorCode::verification, name + ": " + std::string(what));
}

class GzipSource final : public ByteSource {
 public:
  GzipSource(ByteSource& inner, std::string name)
      : m_inner(inner), m_name(std::move(name)), m_input(k_input_buffer) {
    m_state = std::make_unique<inflate_state>();
    isal_inflate_init(m_state.get());
    m_state->crc_flag = ISAL_GZIP;
  }

  Result<std::size_t> read(std::span<std::uint8_t> buffer) override {
    if (buffer.empty()) return std::size_t{0};
    for (;;) {
      if (m_state->block_state == ISAL_BLOCK_FINISH) {
        AIRLOCK_TRY_ASSIGN(const bool more, next_member());
        if (!more) return std::size_t{0};
      }
      if (m_state->avail_in == 0 && !m_input_done) AIRLOCK_TRY(refill());
      m_state->next_out = buffer.data();
      m_state->avail_out = static_cast<std::uint32_t>(std::min<std::size_t>(buffer.size(), 1u << 30));
      const int rc = isal_inflate(m_state.get());
      if (rc != ISAL_DECOMP_OK) return corrupt(m_name, inflate_error(rc));
      const std::size_t produced = static_cast<std::size_t>(m_state->next_out - buffer.data());
      if (produced > 0) return produced;
      if (m_state->block_state == ISAL_BLOCK_FINISH) continue;
      if (m_state->avail_in == 0 && m_input_done) {
        return corrupt(m_name, "gzip stream is truncated (ends inside compressed data)");
      }
    }
  }

 private:
  static std::string_view inflate_error(int rc) {
    switch (rc) {
      case ISAL_INCORRECT_CHECKSUM: return "gzip checksum mismatch (corrupt data)";
      case ISAL_INVALID_WRAPPER: return "not valid gzip (bad header)";
      case ISAL_UNSUPPORTED_METHOD: return "gzip uses an unsupported method";
      default: return "corrupt gzip data";
    }
  }

  Status refill() {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, m_inner.read(m_input));
    m_state->next_in = m_input.data();
    m_state->avail_in = static_cast<std::uint32_t>(n);
    if (n == 0) m_input_done = true;
    return {};
  }

  // After a member ends: another member follows (concatenated gzip), or the
  // stream ends; zero padding after the last member is tolerated.
  Result<bool> next_member() {
    for (;;) {
      while (m_state->avail_in > 0 && *m_state->next_in == 0) {
        ++m_state->next_in;
        --m_state->avail_in;
        m_saw_padding = true;
      }
      if (m_state->avail_in > 0) break;
      if (m_input_done) return false;
      AIRLOCK_TRY(refill());
    }
    if (m_saw_padding) return corrupt(m_name, "unexpected data after the end of the gzip stream");
    std::uint8_t* next_in = m_state->next_in;
    const std::uint32_t avail_in = m_state->avail_in;
    isal_inflate_reset(m_state.get());
    m_state->crc_flag = ISAL_GZIP;
    m_state->next_in = next_in;
    m_state->avail_in = avail_in;
    return true;
  }

  ByteSource& m_inner;
  std::string m_name;
  std::vector<std::uint8_t> m_input;
  std::unique_ptr<inflate_state> m_state;
  bool m_input_done = false;
  bool m_saw_padding = false;
};

class ZstdSource final : public ByteSource {
 public:
  ZstdSource(ByteSource& inner, std::string name)
      : m_inner(inner), m_name(std::move(name)), m_input(k_input_buffer), m_ctx(ZSTD_createDCtx()) {
    ZSTD_DCtx_setParameter(m_ctx, ZSTD_d_windowLogMax, k_zstd_window_log_max);
  }
  ~ZstdSource() override { ZSTD_freeDCtx(m_ctx); }
  ZstdSource(const ZstdSource&) = delete;
  ZstdSource& operator=(const ZstdSource&) = delete;

  Result<std::size_t> read(std::span<std::uint8_t> buffer) override {
    if (buffer.empty()) return std::size_t{0};
    for (;;) {
      if (m_in.pos == m_in.size && !m_input_done) {
        AIRLOCK_TRY_ASSIGN(const std::size_t n, m_inner.read(m_input));
        m_in = {m_input.data(), n, 0};
        if (n == 0) m_input_done = true;
      }
      if (m_in.pos == m_in.size && m_input_done) {
        if (m_frame_open) return corrupt(m_name, "zstd stream is truncated (ends inside a frame)");
        return std::size_t{0};
      }
      ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
      const std::size_t rc = ZSTD_decompressStream(m_ctx, &out, &m_in);
      if (ZSTD_isError(rc)) {
        return corrupt(m_name, std::string("corrupt zstd data: ") + ZSTD_getErrorName(rc));
      }
      m_frame_open = rc != 0;
      if (out.pos > 0) return out.pos;
    }
  }

 private:
  ByteSource& m_inner;
  std::string m_name;
  std::vector<std::uint8_t> m_input;
  ZSTD_DCtx* m_ctx;
  ZSTD_inBuffer m_in{nullptr, 0, 0};
  bool m_input_done = false;
  bool m_frame_open = false;
};

class PassThroughSource final : public ByteSource {
 public:
  explicit PassThroughSource(ByteSource& inner) : m_inner(inner) {}
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override { return m_inner.read(buffer); }

 private:
  ByteSource& m_inner;
};

}  // namespace

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::none: return "none";
    case Compression::gzip: return "gzip";
    case Compression::zstd: return "zstd";
  }
  return "none";
}

Compression sniff_compression(std::span<const std::uint8_t> head) {
  if (head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b) return Compression::gzip;
  if (head.size() >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) {
    return Compression::zstd;
  }
  return Compression::none;
}

Result<std::size_t> PrefixedSource::read(std::span<std::uint8_t> buffer) {
  if (m_offset < m_prefix.size()) {
    const std::size_t n = std::min(buffer.size(), m_prefix.size() - m_offset);
    std::memcpy(buffer.data(), m_prefix.data() + m_offset, n);
    m_offset += n;
    return n;
  }
  return m_rest.read(buffer);
}

Result<std::unique_ptr<ByteSource>> make_decompressor(Compression kind, ByteSource& inner,
                                                      std::string name) {
  switch (kind) {
    case Compression::gzip: return std::unique_ptr<ByteSource>(new GzipSource(inner, std::move(name)));
    case Compression::zstd: return std::unique_ptr<ByteSource>(new ZstdSource(inner, std::move(name)));
    case Compression::none: return std::unique_ptr<ByteSource>(new PassThroughSource(inner));
  }
  return Error(ErrorCode::internal, "unknown compression");
}

}  // namespace airlock
