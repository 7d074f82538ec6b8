#pragma once
// Clock: waiting and the passing of time, behind an interface so retry and
// polling loops can be tested without sleeping. SystemClock is the real one.

#include <chrono>
#include <thread>

namespace airlock {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() = 0;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
  void sleep_for(std::chrono::milliseconds duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace airlock
