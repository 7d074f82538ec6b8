#include "store/blob_store.hpp"

#include <zstd.h>

#include <vector>

#include "base/file.hpp"

namespace airlock {

namespace {

// Decompresses a stored blob and checks it against its name at the end.
class VerifyingBlobSource final : public ByteSource {
 public:
  VerifyingBlobSource(std::unique_ptr<FileSource> file, Sha256Digest digest, std::string name)
      : m_file(std::move(file)), m_digest(digest), m_name(std::move(name)), m_input(128 * 1024),
        m_ctx(ZSTD_createDCtx()) {}
  ~VerifyingBlobSource() override { ZSTD_freeDCtx(m_ctx); }
  VerifyingBlobSource(const VerifyingBlobSource&) = delete;
  VerifyingBlobSource& operator=(const VerifyingBlobSource&) = delete;

  Result<std::size_t> read(std::span<std::uint8_t> buffer) override {
    if (buffer.empty()) return std::size_t{0};
    for (;;) {
      if (m_finished) return std::size_t{0};
      if (m_in.pos == m_in.size && !m_eof) {
        AIRLOCK_TRY_ASSIGN(const std::size_t n, m_file->read(m_input));
        m_in = {m_input.data(), n, 0};
        m_eof = n == 0;
      }
      if (m_in.pos == m_in.size && m_eof) {
        m_finished = true;
        if (m_frame_open) return damaged("it ends inside its compressed data");
        if (m_hash.finish() != m_digest) return damaged("its content does not match its name");
        return std::size_t{0};
      }
      ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
      const std::size_t rc = ZSTD_decompressStream(m_ctx, &out, &m_in);
      if (ZSTD_isError(rc)) return damaged(std::string("corrupt compressed data (") + ZSTD_getErrorName(rc) + ")");
      m_frame_open = rc != 0;
      if (out.pos > 0) {
        m_hash.update(std::span(buffer.data(), out.pos));
        return out.pos;
      }
    }
  }

 private:
  Error damaged(std::string_view why) const {
    return Error(ErrorCode::verification, "store blob " + m_name + " is damaged: " + std::string(why) +
                                              " (run 'airlock store check')");
  }
  std::unique_ptr<FileSource> m_file;
  Sha256Digest m_digest;
  std::string m_name;
  std::vector<std::uint8_t> m_input;
  ZSTD_DCtx* m_ctx;
  ZSTD_inBuffer m_in{nullptr, 0, 0};
  Sha256 m_hash;
  bool m_eof = false;
  bool m_frame_open = false;
  bool m_finished = false;
};

}  // namespace

std::filesystem::path BlobStore::path_of(const Sha256Digest& digest) const {
  const std::string hex = digest.hex();
  return m_root / "blobs/sha256" / hex.substr(0, 2) / hex;
}

struct BlobWriter::State {
  const BlobStore* store = nullptr;
  std::unique_ptr<AtomicFile> file;
  ZSTD_CCtx* ctx = nullptr;
  std::vector<std::uint8_t> out = std::vector<std::uint8_t>(ZSTD_CStreamOutSize());
  Sha256 hash;
  std::uint64_t size = 0;
  ~State() { ZSTD_freeCCtx(ctx); }

  Status compress(std::span<const std::uint8_t> data, bool last) {
    ZSTD_inBuffer input{data.data(), data.size(), 0};
    for (bool done = false; !done;) {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      const std::size_t rc = ZSTD_compressStream2(ctx, &output, &input, last ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(rc)) return Error(ErrorCode::internal, std::string("zstd: ") + ZSTD_getErrorName(rc));
      AIRLOCK_TRY(file->write(std::span(out.data(), output.pos)));
      done = last ? rc == 0 : input.pos == input.size;
    }
    return {};
  }
};

BlobWriter::BlobWriter(std::unique_ptr<State> state) : m_state(std::move(state)) {}
BlobWriter::~BlobWriter() = default;

Status BlobWriter::write(std::span<const std::uint8_t> data) {
  m_state->hash.update(data);
  m_state->size += data.size();
  return m_state->compress(data, false);
}

Result<StoredBlob> BlobWriter::commit() {
  AIRLOCK_TRY(m_state->compress({}, true));
  const StoredBlob blob{m_state->hash.finish(), m_state->size};
  const auto final_path = m_state->store->path_of(blob.digest);
  std::error_code ec;
  if (std::filesystem::exists(final_path, ec)) return blob;  // stored before; the temporary goes away
  std::filesystem::create_directories(final_path.parent_path(), ec);
  if (ec) return Error(ErrorCode::io, "cannot create " + final_path.parent_path().string() + ": " + ec.message());
  AIRLOCK_TRY(m_state->file->commit_as(final_path, Durability::fsync));
  return blob;
}

Result<std::unique_ptr<BlobWriter>> BlobStore::writer() {
  std::error_code ec;
  const auto tmp_dir = m_root / "blobs/tmp";
  std::filesystem::create_directories(tmp_dir, ec);
  if (ec) return Error(ErrorCode::io, "cannot create " + tmp_dir.string() + ": " + ec.message());
  auto state = std::make_unique<BlobWriter::State>();
  state->store = this;
  // The final name is known only at the end: write under a temporary name in
  // the store, then rename.
  AIRLOCK_TRY_ASSIGN(state->file, AtomicFile::create(tmp_dir / "blob", 0644));
  state->ctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(state->ctx, ZSTD_c_compressionLevel, 1);
  // A second thread compresses while the caller produces the bytes (an SBOM
  // is generated and compressed at once). Small jobs let it start early. A
  // libzstd built without threads refuses these and compresses inline.
  ZSTD_CCtx_setParameter(state->ctx, ZSTD_c_nbWorkers, 1);
  ZSTD_CCtx_setParameter(state->ctx, ZSTD_c_jobSize, 512 * 1024);
  return std::unique_ptr<BlobWriter>(new BlobWriter(std::move(state)));
}

Result<StoredBlob> BlobStore::put(ByteSource& content) {
  AIRLOCK_TRY_ASSIGN(auto writer, this->writer());
  AIRLOCK_TRY(copy_stream(content, *writer));
  return writer->commit();
}

Result<StoredBlob> BlobStore::put(std::string_view content) {
  MemorySource source(content);
  return put(source);
}

bool BlobStore::contains(const Sha256Digest& digest) const {
  std::error_code ec;
  return std::filesystem::is_regular_file(path_of(digest), ec);
}

Result<std::unique_ptr<ByteSource>> BlobStore::open(const Sha256Digest& digest) const {
  auto file = FileSource::open(path_of(digest));
  if (!file) {
    if (file.error().code() == ErrorCode::not_found) {
      return Error(ErrorCode::verification, "store blob " + digest.oci() + " is missing (run 'airlock store check')");
    }
    return file.error();
  }
  return std::unique_ptr<ByteSource>(new VerifyingBlobSource(std::move(*file), digest, digest.oci()));
}

Result<std::string> BlobStore::read_small(const Sha256Digest& digest, std::size_t max_bytes) const {
  AIRLOCK_TRY_ASSIGN(auto source, open(digest));
  std::string out;
  std::vector<std::uint8_t> chunk(64 * 1024);
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, source->read(chunk));
    if (n == 0) return out;
    if (out.size() + n > max_bytes) {
      return Error(ErrorCode::invalid_input, "store blob " + digest.oci() + " is larger than expected");
    }
    out.append(reinterpret_cast<const char*>(chunk.data()), n);
  }
}

Status BlobStore::verify(const Sha256Digest& digest) const {
  AIRLOCK_TRY_ASSIGN(auto source, open(digest));
  std::vector<std::uint8_t> chunk(256 * 1024);
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, source->read(chunk));
    if (n == 0) return {};
  }
}

Status BlobStore::remove(const Sha256Digest& digest) {
  std::error_code ec;
  std::filesystem::remove(path_of(digest), ec);
  if (ec) return Error(ErrorCode::io, "cannot remove " + path_of(digest).string() + ": " + ec.message());
  return {};
}

Status BlobStore::for_each(const std::function<void(const std::string&, const std::filesystem::path&)>& visit) const {
  std::error_code ec;
  const auto dir = m_root / "blobs/sha256";
  if (!std::filesystem::exists(dir, ec)) return {};
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) visit(it->path().filename().string(), it->path());
  }
  if (ec) return Error(ErrorCode::io, "cannot list " + dir.string() + ": " + ec.message());
  return {};
}

}  // namespace airlock
