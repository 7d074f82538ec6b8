#pragma once
// List pages in Anchore's envelope {"pagination":{"item_count","next_cursor"},
// "items":[...]}: at most min(limit, --page-size) items, an opaque cursor to
// the next page, no next_cursor on the last one.

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstddef>

namespace airlock::fake_anchore {

// Answers RES with the page of ITEMS (a JSON array) that REQ's limit and
// cursor select, or 400 (shape 2) for a bad limit or cursor.
void reply_page(const httplib::Request& req, httplib::Response& res, const nlohmann::json& items,
                std::size_t max_page_size);

}  // namespace airlock::fake_anchore
