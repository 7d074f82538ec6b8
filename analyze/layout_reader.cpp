#include "analyze/layout_reader.hpp"

#include "analyze/file_index.hpp"
#include "base/file.hpp"

namespace airlock {

Result<std::filesystem::path> DirectoryLayout::full_path(std::string_view path) const {
  AIRLOCK_TRY_ASSIGN(const std::string clean, clean_member_path(path).context(m_root.string()));
  return m_root / clean.substr(clean.empty() ? 0 : 1);
}

Result<std::unique_ptr<ByteSource>> DirectoryLayout::open(std::string_view path) const {
  AIRLOCK_TRY_ASSIGN(const auto full, full_path(path));
  AIRLOCK_TRY_ASSIGN(auto source, FileSource::open(full));
  return std::unique_ptr<ByteSource>(std::move(source));
}

Result<std::string> DirectoryLayout::read_small(std::string_view path, std::size_t max_bytes) const {
  AIRLOCK_TRY_ASSIGN(const auto full, full_path(path));
  return read_small_file(full, max_bytes);
}

bool DirectoryLayout::contains(std::string_view path) const {
  auto full = full_path(path);
  std::error_code ec;
  return full && std::filesystem::is_regular_file(*full, ec);
}

Result<std::uint64_t> DirectoryLayout::size_of(std::string_view path) const {
  AIRLOCK_TRY_ASSIGN(const auto full, full_path(path));
  std::error_code ec;
  const auto size = std::filesystem::file_size(full, ec);
  if (ec) return Error(ErrorCode::not_found, "cannot read " + full.string() + ": " + ec.message());
  return static_cast<std::uint64_t>(size);
}

std::string DirectoryLayout::describe(std::string_view path) const {
  return (m_root / std::string(path)).string();
}

}  // namespace airlock
