#pragma once
// JsonWriter: writes compact JSON (no indentation, as syft writes syft-json
// by default) straight to a stream, token by token, so a large document (an
// SBOM of a 70,000-file image) is never built in memory first.
// Bytes that are not valid UTF-8 are replaced with U+FFFD.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace airlock {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out);
  // Flushes what is buffered.
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);
  void value(std::string_view text);
  void value(const char* text) { value(std::string_view(text)); }
  void value(const std::string& text) { value(std::string_view(text)); }
  void value(std::int64_t number);
  void value(std::uint64_t number);
  void value(int number) { value(static_cast<std::int64_t>(number)); }
  void value(unsigned number) { value(static_cast<std::uint64_t>(number)); }
  void value(bool flag);
  void null();
  // A small document built with nlohmann (package metadata), written in place.
  void value(const nlohmann::ordered_json& document);

  template <typename T>
  void field(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

 private:
  void separate();
  void put(char c) { m_buffer += c; }
  void put(std::string_view text);
  void write_string(std::string_view text);
  void flush();
  std::ostream& m_out;
  // Tokens gather here and reach the stream in large writes: a stream call
  // per token costs more than the JSON itself.
  std::string m_buffer;
  struct Level {
    bool is_object;
    bool empty;
  };
  std::vector<Level> m_levels;
  bool m_after_key = false;
};

// TEXT as a JSON string literal, quotes included.
std::string json_string(std::string_view text);

}  // namespace airlock
