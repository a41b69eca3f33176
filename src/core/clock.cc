#include "core/clock.h"

namespace orchard {
namespace {
class WallClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};
}  // namespace

Clock& SystemClock() {
  static WallClock clock;
  return clock;
}
}  // namespace orchard
