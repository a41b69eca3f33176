#include "core/metrics.h"

#include <cmath>
#include <cstdio>

namespace orchard::metrics {
namespace {

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string Series(const std::string& name, const std::string& labels, std::string_view extra = {}) {
  std::string out = name;
  if (labels.empty() && extra.empty()) return out;
  out += '{';
  out += labels;
  if (!labels.empty() && !extra.empty()) out += ',';
  out += extra;
  out += '}';
  return out;
}

}  // namespace

Registry& Registry::Global() {
  static Registry* registry = new Registry();  // never destroyed: used until exit
  return *registry;
}

std::string Registry::LabelText(Labels labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    if (!out.empty()) out += ',';
    out += key;
    out += "=\"";
    for (char c : value) {
      if (c == '\\') out += "\\\\";
      else if (c == '"') out += "\\\"";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
    out += '"';
  }
  return out;
}

Registry::Family& Registry::FamilyFor(std::string_view name, Type type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{}).first;
    it->second.type = type;
  }
  return it->second;
}

void Registry::Declare(std::string_view name, std::string_view help, Type type) {
  std::lock_guard lock(mu_);
  Family& f = FamilyFor(name, type);
  if (f.help.empty()) f.help = std::string(help);
}

void Registry::Increment(std::string_view name, Labels labels, double by) {
  const std::string key = LabelText(labels);
  std::lock_guard lock(mu_);
  FamilyFor(name, Type::kCounter).values[key] += by;
}

void Registry::Set(std::string_view name, Labels labels, double value) {
  const std::string key = LabelText(labels);
  std::lock_guard lock(mu_);
  FamilyFor(name, Type::kGauge).values[key] = value;
}

void Registry::Observe(std::string_view name, Labels labels, double value) {
  const std::string key = LabelText(labels);
  std::lock_guard lock(mu_);
  Histogram& h = FamilyFor(name, Type::kHistogram).histograms[key];
  for (size_t i = 0; i < std::size(kBuckets); ++i) {
    if (value <= kBuckets[i]) h.counts[i] += 1;
  }
  h.sum += value;
  h.count += 1;
}

double Registry::Value(std::string_view name, Labels labels) const {
  const std::string key = LabelText(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto v = it->second.values.find(key);
  return v == it->second.values.end() ? 0 : v->second;
}

std::string Registry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::kCounter ? "counter" : f.type == Type::kGauge ? "gauge" : "histogram";
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, v] : f.values) out += Series(name, labels) + " " + Number(v) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      for (size_t i = 0; i < std::size(kBuckets); ++i) {
        out += Series(name + "_bucket", labels, "le=\"" + Number(kBuckets[i]) + "\"") + " " +
               Number(h.counts[i]) + "\n";
      }
      out += Series(name + "_bucket", labels, "le=\"+Inf\"") + " " + Number(h.count) + "\n";
      out += Series(name + "_sum", labels) + " " + Number(h.sum) + "\n";
      out += Series(name + "_count", labels) + " " + Number(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace orchard::metrics
