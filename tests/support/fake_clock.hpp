#pragma once
// Test helper: a Clock whose time passes only when code sleeps; each sleep
// is recorded and none is slept, so retry and polling loops run instantly.

#include <vector>

#include "base/clock.hpp"

namespace airlock::testing {

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return m_now; }
  void sleep_for(std::chrono::milliseconds d) override {
    sleeps.push_back(d);
    m_now += d;
  }
  std::vector<std::chrono::milliseconds> sleeps;

 private:
  std::chrono::steady_clock::time_point m_now{};
};

}  // namespace airlock::testing
