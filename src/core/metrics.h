// Metrics: a small process-wide registry rendered in the Prometheus text format (`/metrics`).
//
// Counters only go up, gauges are set, histograms count observations into fixed buckets. A
// series is a name plus a label set written as Prometheus writes it (`method="GET",status="200"`);
// label values are escaped on the way in. Thread-safe; every call takes one mutex, which is
// cheap next to what is being measured (an HTTP request, an Apple call, a sync job).
#pragma once

#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orchard::metrics {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class Registry {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  // The one registry of the process.
  static Registry& Global();

  // Declares a family (name, help, type); declaring again is a no-op. Series of undeclared
  // names are declared on first use as untyped-looking counters/gauges with an empty help.
  void Declare(std::string_view name, std::string_view help, Type type);

  void Increment(std::string_view name, Labels labels = {}, double by = 1);
  void Set(std::string_view name, Labels labels, double value);
  // Seconds (or any unit) into the buckets of kBuckets.
  void Observe(std::string_view name, Labels labels, double value);

  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

  // For tests: the value of one counter or gauge series (0 when absent).
  double Value(std::string_view name, Labels labels = {}) const;

  static constexpr double kBuckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                        0.25,  0.5,   1,    2.5,   5,    10};

 private:
  struct Histogram {
    std::vector<double> counts = std::vector<double>(std::size(kBuckets), 0);
    double sum = 0;
    double count = 0;
  };
  struct Family {
    std::string help;
    Type type = Type::kCounter;
    std::map<std::string, double> values;         // label text → value
    std::map<std::string, Histogram> histograms;  // label text → histogram
  };
  static std::string LabelText(Labels labels);
  Family& FamilyFor(std::string_view name, Type type);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace orchard::metrics
