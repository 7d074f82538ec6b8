#include "tests/fake_anchore/pagination.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

#include "crypto/base64.hpp"
#include "tests/fake_anchore/errors.hpp"

namespace airlock::fake_anchore {
namespace {

constexpr std::string_view cursor_prefix = "fake-cursor:";

std::optional<std::size_t> parse_size(std::string_view text) {
  std::size_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// Opaque to clients (base64), so they pass it back rather than build one.
std::string make_cursor(std::size_t offset) { return to_base64(std::string(cursor_prefix) + std::to_string(offset)); }

std::optional<std::size_t> read_cursor(const std::string& cursor) {
  const auto decoded = from_base64(cursor);
  if (!decoded) return std::nullopt;
  const std::string text(decoded->begin(), decoded->end());
  if (!text.starts_with(cursor_prefix)) return std::nullopt;
  return parse_size(std::string_view(text).substr(cursor_prefix.size()));
}

}  // namespace

void reply_page(const httplib::Request& req, httplib::Response& res, const nlohmann::json& items,
                std::size_t max_page_size) {
  std::size_t size = max_page_size;
  if (req.has_param("limit")) {
    const auto limit = parse_size(req.get_param_value("limit"));
    if (!limit || *limit == 0) {
      reply_problem(res, 400, "'" + req.get_param_value("limit") + "' is not a valid value for 'limit'");
      return;
    }
    size = std::min(size, *limit);
  }
  std::size_t offset = 0;
  if (req.has_param("cursor") && !req.get_param_value("cursor").empty()) {
    const auto start = read_cursor(req.get_param_value("cursor"));
    if (!start) {
      reply_problem(res, 400, "Invalid cursor '" + req.get_param_value("cursor") + "'");
      return;
    }
    offset = *start;
  }
  nlohmann::json page = nlohmann::json::array();
  for (std::size_t i = offset; i < items.size() && page.size() < size; ++i) page.push_back(items[i]);
  nlohmann::json pagination = {{"item_count", page.size()}};
  if (offset + page.size() < items.size()) pagination["next_cursor"] = make_cursor(offset + page.size());
  reply_json(res, 200, {{"pagination", pagination}, {"items", page}});
}

}  // namespace airlock::fake_anchore
