#include "analyze/json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <ostream>
#include <string>

namespace airlock {

namespace {

// Length of the valid UTF-8 sequence at TEXT[i], or 0.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return 0;
  }
  if (n == 2 && c < 0xc2) return 0;  // overlong
  return n;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_length(text, i);
      if (n == 0) {
        out += "\xef\xbf\xbd";
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

namespace {
constexpr std::size_t k_flush_at = 1 << 16;
}  // namespace

JsonWriter::JsonWriter(std::ostream& out) : m_out(out) { m_buffer.reserve(k_flush_at + 4096); }

JsonWriter::~JsonWriter() { flush(); }

void JsonWriter::flush() {
  m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
  m_buffer.clear();
}

void JsonWriter::put(std::string_view text) {
  m_buffer.append(text);
  if (m_buffer.size() >= k_flush_at) flush();
}

void JsonWriter::separate() {
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (m_levels.empty()) return;
  if (!m_levels.back().empty) put(',');
  m_levels.back().empty = false;
}

void JsonWriter::begin_object() {
  separate();
  put('{');
  m_levels.push_back({true, true});
}

void JsonWriter::end_object() {
  m_levels.pop_back();
  put('}');
  if (m_levels.empty()) {
    put('\n');
    flush();
  }
}

void JsonWriter::begin_array() {
  separate();
  put('[');
  m_levels.push_back({false, true});
}

void JsonWriter::end_array() {
  m_levels.pop_back();
  put(']');
}

namespace {

// The bytes a JSON string cannot hold as they are: controls, '"', '\\', and
// everything past ASCII (checked as UTF-8).
constexpr auto k_needs_care = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) table[static_cast<std::size_t>(c)] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return table;
}();

}  // namespace

// Writes TEXT as a string literal; plain text (the usual case) is copied as is.
void JsonWriter::write_string(std::string_view text) {
  for (unsigned char c : text) {
    if (k_needs_care[c]) {
      put(json_string(text));
      return;
    }
  }
  m_buffer += '"';
  m_buffer.append(text);
  m_buffer += '"';
  if (m_buffer.size() >= k_flush_at) flush();
}

void JsonWriter::key(std::string_view name) {
  separate();
  write_string(name);
  put(':');
  m_after_key = true;
}

void JsonWriter::value(std::string_view text) {
  separate();
  write_string(text);
}

void JsonWriter::value(std::int64_t number) {
  separate();
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

void JsonWriter::value(std::uint64_t number) {
  separate();
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

void JsonWriter::value(bool flag) {
  separate();
  put(flag ? "true" : "false");
}

void JsonWriter::null() {
  separate();
  put("null");
}

void JsonWriter::value(const nlohmann::ordered_json& document) {
  separate();
  put(document.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

}  // namespace airlock
