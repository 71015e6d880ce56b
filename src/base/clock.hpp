#pragma once
// Time is injected: protocol code asks a Clock, never the system, so tests can run
// whole exchanges in virtual time. Not thread-safe unless stated.

#include <chrono>
#include <cstdint>

namespace sotto::base {

using SystemTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, in whole milliseconds since the Unix epoch.
  virtual SystemTime now() const = 0;
  std::int64_t now_ms() const { return now().time_since_epoch().count(); }
};

// The system's real-time clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  SystemTime now() const override;
};

// A clock that moves only when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start_ms = 1'700'000'000'000) : now_(std::chrono::milliseconds(start_ms)) {}
  SystemTime now() const override { return now_; }
  void set_ms(std::int64_t ms) { now_ = SystemTime(std::chrono::milliseconds(ms)); }
  void advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  SystemTime now_;
};

}  // namespace sotto::base
