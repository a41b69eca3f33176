// The subscription family and pre-orders of the portfolio (apple-apis.md §2.8–2.11).
//
// FitPulse's two auto-renewable subscriptions (monthly and yearly, one subscription group) are
// simulated subscriber by subscriber: arrivals follow the same demand curve as every other
// product; each subscriber then lives a seeded life of free trial or direct purchase, renewals,
// refunds, cancellations (some reactivated before the period ends), billing failures that go
// through a grace period and billing retry, upgrades and downgrades, the 85 % rate after a year
// of paid service, and a price rise that existing subscribers are spared (preserved pricing).
// Every report is then read off the same book of lives, which is what makes them agree:
//   - a day's events change the snapshot by exactly their activations minus deactivations;
//   - the Sales report's IAY units are the day's purchases and renewals minus its refunds;
//   - the Subscriber report lists those same transactions one by one.
#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <tuple>

#include "sandbox/generator.h"
#include "sandbox/generator_internal.h"

namespace orchard::sandbox {
namespace {
using namespace internal;

constexpr const char* kGroupId = "20548311";
constexpr const char* kDevices[] = {"iPhone", "iPad"};
constexpr double kArrivalsPerDay = 38;  // new subscribers a day worldwide, before demand factors
constexpr int kTrialDays = 7;
constexpr int kGraceDays = 6;
constexpr int kPriceRiseAfterLaunch = 420;  // the monthly plan goes from 9.99 to 12.99

enum class Type : uint8_t {
  kStartIntro,
  kSubscribe,
  kPaidFromIntro,
  kRenew,
  kRenewFromRetry,
  kUpgrade,
  kDowngrade,
  kBillingRetry,
  kCancel,
  kCanceledFromRetry,
  kCanceledFromGrace,
  kRefund,
  kReactivate,
};
const char* NameOf(Type t) {
  switch (t) {
    case Type::kStartIntro: return "Start Introductory Offer";
    case Type::kSubscribe: return "Subscribe";
    case Type::kPaidFromIntro: return "Paid Subscription from Introductory Offer";
    case Type::kRenew: return "Renew";
    case Type::kRenewFromRetry: return "Renewal from Billing Retry";
    case Type::kUpgrade: return "Upgrade";
    case Type::kDowngrade: return "Downgrade";
    case Type::kBillingRetry: return "Billing Retry from Paid Subscription";
    case Type::kCancel: return "Cancel";
    case Type::kCanceledFromRetry: return "Canceled from Billing Retry";
    case Type::kCanceledFromGrace: return "Canceled from Billing Grace Period";
    case Type::kRefund: return "Refund";
    case Type::kReactivate: return "Reactivate";
  }
  return "";
}
// A purchase that the Sales report counts (a refund counts minus one).
bool IsPurchase(Type t) {
  return t == Type::kSubscribe || t == Type::kPaidFromIntro || t == Type::kRenew ||
         t == Type::kRenewFromRetry || t == Type::kUpgrade || t == Type::kDowngrade;
}
bool IsRenewal(Type t) { return t == Type::kRenew || t == Type::kRenewFromRetry; }

const char* kReasons[] = {"", "Canceled", "Billing issue", "Other"};

enum class State : uint8_t { kTrial, kPaid, kGrace, kRetry };

const Product& SubscriptionProduct(int which) {
  return kProducts[which == 0 ? kMonthlyIndex : kYearlyIndex];
}

Date AddMonths(Date d, int months) {
  const int index = d.year() * 12 + static_cast<int>(d.month()) - 1 + months;
  const int year = index / 12;
  const unsigned month = static_cast<unsigned>(index % 12) + 1;
  const Date first = Date::FromYmd(year, month, 1);
  const Date next = month == 12 ? Date::FromYmd(year + 1, 1, 1) : Date::FromYmd(year, month + 1, 1);
  const unsigned last = static_cast<unsigned>(next.days() - first.days());
  return Date::FromYmd(year, month, std::min(d.day(), last));
}

std::string Num(long v) { return std::to_string(v); }

void AppendFields(std::string* out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) out->push_back('\t');
    first = false;
    out->append(f);
  }
  out->push_back('\n');
}

}  // namespace

struct Portfolio::Book {
  struct Subscriber {
    uint32_t id;            // Subscriber ID: random-looking, unique
    uint16_t storefront;    // index into Storefronts()
    uint8_t device;         // index into kDevices
    int32_t start;          // Original Start Date
  };
  struct Segment {  // [from, to): a subscriber's state, product and price
    int32_t from, to;
    uint32_t subscriber;
    uint8_t product;  // 0 monthly, 1 yearly
    State state;
    bool preserved, senior;
    double price_usd;
  };
  struct Event {
    int32_t day;
    uint32_t subscriber;
    Type type;
    uint8_t product;
    int8_t previous = -1;  // upgrades and downgrades: the plan left
    bool trial = false;    // an event of the free-trial introductory offer
    bool preserved = false, senior = false, renewal = false;
    int16_t paid_periods = 0;
    int16_t days_before_canceling = -1, days_canceled = -1, days_recovered = -1;
    uint8_t reason = 0;
    double price_usd = 0;
    int32_t purchase_day = 0;  // refunds: the day of the refunded purchase
  };
  std::vector<Subscriber> subscribers;
  std::vector<Segment> segments;
  std::vector<Event> events;  // by day

  std::pair<std::vector<Event>::const_iterator, std::vector<Event>::const_iterator> On(Date day) const {
    auto lo = std::lower_bound(events.begin(), events.end(), day.days(),
                               [](const Event& e, int32_t d) { return e.day < d; });
    auto hi = std::upper_bound(lo, events.end(), day.days(),
                               [](int32_t d, const Event& e) { return d < e.day; });
    return {lo, hi};
  }
};

struct Portfolio::LazyBook {
  std::once_flag once;
  std::unique_ptr<const Book> book;
};

std::shared_ptr<Portfolio::LazyBook> Portfolio::NewLazyBook() { return std::make_shared<LazyBook>(); }

const Portfolio::Book& Portfolio::Subscribers() const {
  std::call_once(book_->once, [this] {
    auto book = std::make_unique<Book>();
    const Product& monthly = kProducts[kMonthlyIndex];
    const Date launch = first_sales_day_.AddDays(monthly.launch_offset);
    const Date price_rise = launch.AddDays(kPriceRiseAfterLaunch);
    const uint32_t id_offset = static_cast<uint32_t>(Key({seed_, 61}));
    auto price_of = [&](int product, Date period_start, bool grandfathered) {
      if (product == 1) return kProducts[kYearlyIndex].price_usd;
      return period_start < price_rise || grandfathered ? monthly.price_usd : 12.99;
    };
    auto period_end = [](int product, Date start) {
      return AddMonths(start, product == 0 ? 1 : 12);
    };
    for (Date day = launch; day < today_; day = day.AddDays(1)) {
      const double demand = DemandFactor(day, day.days() - launch.days());
      for (size_t si = 0; si < storefronts_; ++si) {
        for (uint8_t dev = 0; dev < 2; ++dev) {
          const uint64_t k = Key({seed_, 60, static_cast<uint64_t>(day.days()), si, dev});
          const long arrivals =
              Draw(k, kArrivalsPerDay * StorefrontShare(si) * demand *
                          DeviceShare(kDevices[dev], monthly.devices));
          for (long j = 0; j < arrivals; ++j) {
            const auto index = static_cast<uint32_t>(book->subscribers.size());
            const uint64_t r = Key({k, static_cast<uint64_t>(j)});
            book->subscribers.push_back(
                {1'000'000'000u + ((index * 2654435761u + id_offset) & ((1u << 30) - 1)),
                 static_cast<uint16_t>(si), dev, day.days()});
            auto& segments = book->segments;
            auto& events = book->events;
            int product = Unit(Key({r, 1})) < 8.0 / kArrivalsPerDay ? 1 : 0;
            // Subscribers from before the price rise keep their price while on the monthly plan.
            bool grandfathered = day < price_rise;
            auto event = [&](Date on, Type type) -> Book::Event& {
              events.push_back({on.days(), index, type, static_cast<uint8_t>(product)});
              return events.back();
            };
            auto segment = [&](Date from, Date to, State state, bool senior, double price) {
              if (from < to) {
                segments.push_back({from.days(), to.days(), index, static_cast<uint8_t>(product),
                                    state, grandfathered && product == 0 && from >= price_rise,
                                    senior, price});
              }
            };
            Date first_paid;  // the day of the first purchase
            int periods = 0;  // paid periods bought so far
            bool opened_by_renewal = false;  // how the current paid period was bought
            // A purchase (first, renewal or a move to the other plan) opens a paid period.
            auto purchase = [&](Date on, Type type) -> Book::Event& {
              auto& e = event(on, type);
              if (periods++ == 0) first_paid = on;
              e.price_usd = price_of(product, on, grandfathered);
              e.senior = on.days() - first_paid.days() >= 365;
              e.preserved = grandfathered && product == 0 && on >= price_rise;
              e.renewal = IsRenewal(type);
              e.paid_periods = static_cast<int16_t>(periods);
              opened_by_renewal = e.renewal;
              return e;
            };
            Date p0 = day;
            if (Unit(Key({r, 2})) < 0.6) {  // a one-week free trial first
              const Date trial_end = day.AddDays(kTrialDays);
              event(day, Type::kStartIntro).trial = true;
              segment(day, trial_end, State::kTrial, false, price_of(product, trial_end, grandfathered));
              if (Unit(Key({r, 3})) < 0.45) {  // turns auto-renew off during the trial
                auto& e = event(trial_end, Type::kCancel);
                e.trial = true;
                e.days_before_canceling = static_cast<int16_t>(1 + Key({r, 4}) % kTrialDays);
                e.reason = 1;
                continue;
              }
              p0 = trial_end;
              purchase(p0, Type::kPaidFromIntro);
            } else {
              purchase(p0, Type::kSubscribe);
            }
            for (int i = 0; p0 < today_; ++i) {
              const Date p1 = period_end(product, p0);
              const bool senior = p0.days() - first_paid.days() >= 365;
              const double price = price_of(product, p0, grandfathered);
              const bool preserved = grandfathered && product == 0 && p0 >= price_rise;
              const uint64_t pr = Key({r, 100, static_cast<uint64_t>(i)});
              // The purchase that opened this period was the event just before the loop turn.
              if (Unit(Key({pr, 1})) < 0.008) {  // refunded a few days in: the service ends
                const Date refund_day = p0.AddDays(1 + static_cast<int32_t>(Key({pr, 2}) % 5));
                segment(p0, refund_day, State::kPaid, senior, price);
                auto& e = event(refund_day, Type::kRefund);
                e.price_usd = price;
                e.senior = senior;
                e.preserved = preserved;
                e.renewal = opened_by_renewal;
                e.paid_periods = static_cast<int16_t>(periods);
                e.purchase_day = p0.days();
                break;
              }
              segment(p0, p1, State::kPaid, senior, price);
              const double u = Unit(Key({pr, 3}));
              const double churn = product == 0 ? (i == 0 ? 0.14 : 0.07) : (i == 0 ? 0.3 : 0.2);
              if (u < churn) {  // turns auto-renew off during the period
                const int32_t length = p1.days() - p0.days();
                const Date off = p0.AddDays(static_cast<int32_t>(Key({pr, 4}) % length));
                if (Unit(Key({pr, 5})) < 0.15 && p1.days() - off.days() >= 2) {
                  const int32_t gap = 1 + static_cast<int32_t>(Key({pr, 6}) % (p1.days() - off.days() - 1));
                  auto& e = event(off.AddDays(gap), Type::kReactivate);
                  e.days_canceled = static_cast<int16_t>(gap);
                  e.paid_periods = static_cast<int16_t>(periods);
                  e.preserved = preserved;
                  e.senior = senior;
                } else {
                  auto& e = event(p1, Type::kCancel);
                  e.days_before_canceling = static_cast<int16_t>(p1.days() - off.days());
                  e.reason = Unit(Key({pr, 7})) < 0.9 ? 1 : 3;
                  e.paid_periods = static_cast<int16_t>(periods);
                  e.preserved = preserved;
                  e.senior = senior;
                  break;
                }
              } else if (u < churn + 0.05) {  // the renewal's payment fails
                auto& e = event(p1, Type::kBillingRetry);
                e.paid_periods = static_cast<int16_t>(periods);
                e.preserved = preserved;
                e.senior = senior;
                const bool recovers = Unit(Key({pr, 8})) < 0.55;
                const int32_t days = recovers ? 1 + static_cast<int32_t>(Key({pr, 9}) % 30)
                                              : 3 + static_cast<int32_t>(Key({pr, 9}) % 58);
                const Date resolved = p1.AddDays(days);
                const Date grace_end = std::min(resolved, p1.AddDays(kGraceDays));
                segment(p1, grace_end, State::kGrace, senior, price);
                segment(grace_end, resolved, State::kRetry, senior, price);
                if (!recovers) {
                  auto& c = event(resolved, days < kGraceDays ? Type::kCanceledFromGrace
                                                             : Type::kCanceledFromRetry);
                  c.reason = 2;
                  c.paid_periods = static_cast<int16_t>(periods);
                  c.preserved = preserved;
                  c.senior = senior;
                  break;
                }
                p0 = resolved;
                purchase(p0, Type::kRenewFromRetry).days_recovered = static_cast<int16_t>(days);
                continue;
              }
              // Renews, or moves to the other plan of the group when this period ends.
              p0 = p1;
              const double move = Unit(Key({pr, 10}));
              if ((product == 0 && move < 0.02) || (product == 1 && move < 0.05)) {
                const Type type = product == 0 ? Type::kUpgrade : Type::kDowngrade;
                const int previous = product;
                product = 1 - product;
                grandfathered = false;
                purchase(p0, type).previous = static_cast<int8_t>(previous);
                continue;
              }
              purchase(p0, Type::kRenew);
            }
          }
        }
      }
    }
    std::stable_sort(book->events.begin(), book->events.end(),
                     [](const Book::Event& a, const Book::Event& b) { return a.day < b.day; });
    book_->book = std::move(book);
  });
  return *book_->book;
}

void Portfolio::ForEachSubscriptionSale(Date day,
                                        const std::function<void(const SaleRow&)>& emit) const {
  const Book& book = Subscribers();
  // (product, storefront, device, renewal, price, senior, preserved, refund) → units
  using SaleKey = std::tuple<int, int, int, bool, double, bool, bool, bool>;
  std::map<SaleKey, long> units;
  auto [lo, hi] = book.On(day);
  for (auto it = lo; it != hi; ++it) {
    const bool refund = it->type == Type::kRefund;
    if (!refund && !IsPurchase(it->type)) continue;
    const auto& who = book.subscribers[it->subscriber];
    units[{it->product, who.storefront, who.device, it->renewal || IsRenewal(it->type),
           it->price_usd, it->senior, it->preserved, refund}] += refund ? -1 : 1;
  }
  const Product& app = kProducts[kProducts[kMonthlyIndex].app];
  const std::string version = VersionOn(day.days() - first_sales_day_.days() - app.launch_offset);
  for (const auto& [key, count] : units) {
    const auto& [product, si, dev, renewal, price_usd, senior, preserved, refund] = key;
    const Product& p = SubscriptionProduct(product);
    const Storefront& s = Storefronts()[static_cast<size_t>(si)];
    const double local = LocalPrice(price_usd, s);
    SaleRow row{&p, &app, p.apple_id, p.sku, p.title, app.sku, version, p.pti_download,
                count, Money(ProceedsOf(local, s, senior ? 0.85 : 0.7), s.currency),
                (refund ? "-" : "") + Money(local, s.currency), &s, kDevices[dev]};
    row.subscription = renewal ? "Renewal" : "New";
    row.period = p.period;
    if (senior) row.proceeds_reason = "Rate After One Year";
    if (preserved) row.preserved = "Yes";
    emit(row);
  }
}

std::string Portfolio::SubscriptionTsv(Date day) const {
  if (day >= today_) return "";
  const Book& book = Subscribers();
  struct Counts {
    long standard = 0, trial = 0, retry = 0, grace = 0;
  };
  // (product, country, device, price, senior, preserved) → counts in each state
  std::map<std::tuple<int, int, int, double, bool, bool>, Counts> slices;
  for (const auto& seg : book.segments) {
    if (seg.from > day.days() || seg.to <= day.days()) continue;
    const auto& who = book.subscribers[seg.subscriber];
    Counts& c = slices[{seg.product, who.storefront, who.device, seg.price_usd, seg.senior,
                        seg.preserved}];
    switch (seg.state) {
      case State::kTrial: ++c.trial; break;
      case State::kPaid: ++c.standard; break;
      case State::kGrace: ++c.grace; break;
      case State::kRetry: ++c.retry; break;
    }
  }
  if (slices.empty()) return "";
  std::string out =
      "App Name\tApp Apple ID\tSubscription Name\tSubscription Apple ID\tSubscription Group ID\t"
      "Standard Subscription Duration\tSubscription Offer Name\tPromotional Offer ID\tCustomer "
      "Price\tCustomer Currency\tDeveloper Proceeds\tProceeds Currency\tPreserved Pricing\t"
      "Proceeds Reason\tClient\tDevice\tState\tCountry\tActive Standard Price Subscriptions\t"
      "Active Free Trial Introductory Offer Subscriptions\tActive Pay Up Front Introductory Offer "
      "Subscriptions\tActive Pay As You Go Introductory Offer Subscriptions\tFree Trial "
      "Promotional Offer Subscriptions\tPay Up Front Promotional Offer Subscriptions\tPay As You "
      "Go Promotional Offer Subscriptions\tMarketing Opt-Ins\tBilling Retry\tGrace Period\tFree "
      "Trial Offer Code Subscriptions\tPay Up Front Offer Code Subscriptions\tPay As You Go Offer "
      "Code Subscriptions\tSubscribers\n";
  const Product& app = kProducts[kProducts[kMonthlyIndex].app];
  for (const auto& [key, c] : slices) {
    const auto& [product, si, dev, price_usd, senior, preserved] = key;
    const Product& p = SubscriptionProduct(product);
    const Storefront& s = Storefronts()[static_cast<size_t>(si)];
    const double local = LocalPrice(price_usd, s);
    const long total = c.standard + c.trial + c.retry + c.grace;
    AppendFields(&out, {app.title, app.apple_id, p.title, p.apple_id, kGroupId, p.period, "", "",
                        Money(local, s.currency), s.currency,
                        Money(ProceedsOf(local, s, senior ? 0.85 : 0.7), s.currency), s.currency,
                        preserved ? "Yes" : "", senior ? "Rate After One Year" : "", "",
                        kDevices[dev], "", s.country, Num(c.standard), Num(c.trial), "0", "0",
                        "0", "0", "0", "0", Num(c.retry), Num(c.grace), "0", "0", "0",
                        total > 3 ? Num(total) : ""});
  }
  return out;
}

std::string Portfolio::SubscriptionEventTsv(Date day) const {
  if (day >= today_) return "";
  const Book& book = Subscribers();
  auto [lo, hi] = book.On(day);
  if (lo == hi) return "";
  const Product& app = kProducts[kProducts[kMonthlyIndex].app];
  // Identical rows are counted once, with their number in Quantity, in first-seen order.
  std::vector<std::string> rows;
  std::map<std::string, long> quantity;
  for (auto it = lo; it != hi; ++it) {
    const Book::Event& e = *it;
    const auto& who = book.subscribers[e.subscriber];
    const Product& p = SubscriptionProduct(e.product);
    const Storefront& s = Storefronts()[who.storefront];
    std::string row;
    const bool paid = !e.trial && e.type != Type::kStartIntro;
    AppendFields(
        &row,
        {day.Iso(), NameOf(e.type), app.title, app.apple_id, p.title, p.apple_id, kGroupId,
         p.period, e.trial ? "Free Trial" : "", e.trial ? "1 Week" : "", "", "",
         e.preserved ? "Yes" : "", e.senior ? "Rate After One Year" : "", "", "",
         paid ? Num(e.paid_periods) : "", Date::FromDays(who.start).Iso(), kDevices[who.device],
         "", "", s.country, e.previous >= 0 ? SubscriptionProduct(e.previous).title : "",
         e.previous >= 0 ? SubscriptionProduct(e.previous).apple_id : "",
         e.days_before_canceling >= 0 ? Num(e.days_before_canceling) : "", kReasons[e.reason],
         e.days_canceled >= 0 ? Num(e.days_canceled) : ""});
    row.pop_back();  // Quantity and Paid Service Days Recovered follow
    row += "\t";
    row += e.days_recovered >= 0 ? Num(e.days_recovered) : "";
    if (quantity[row]++ == 0) rows.push_back(row);
  }
  std::string out =
      "Event Date\tEvent\tApp Name\tApp Apple ID\tSubscription Name\tSubscription Apple ID\t"
      "Subscription Group ID\tStandard Subscription Duration\tSubscription Offer Type\t"
      "Subscription Offer Duration\tMarketing Opt-In\tMarketing Opt-In Duration\tPreserved "
      "Pricing\tProceeds Reason\tSubscription Offer Name\tPromotional Offer ID\tConsecutive Paid "
      "Periods\tOriginal Start Date\tDevice\tClient\tState\tCountry\tPrevious Subscription Name\t"
      "Previous Subscription Apple ID\tDays Before Canceling\tCancellation Reason\tDays Canceled\t"
      "Quantity\tPaid Service Days Recovered\n";
  for (const auto& row : rows) {
    // Quantity sits before the last column.
    const size_t last_tab = row.rfind('\t');
    out += row.substr(0, last_tab) + "\t" + Num(quantity[row]) + row.substr(last_tab) + "\n";
  }
  return out;
}

std::string Portfolio::SubscriberTsv(Date day) const {
  if (day >= today_) return "";
  const Book& book = Subscribers();
  auto [lo, hi] = book.On(day);
  std::string out;
  const Product& app = kProducts[kProducts[kMonthlyIndex].app];
  for (auto it = lo; it != hi; ++it) {
    const Book::Event& e = *it;
    const bool refund = e.type == Type::kRefund;
    if (!refund && !IsPurchase(e.type)) continue;
    if (out.empty()) {
      out =
          "Event Date\tApp Name\tApp Apple ID\tSubscription Name\tSubscription Apple ID\t"
          "Subscription Group ID\tStandard Subscription Duration\tSubscription Offer Name\t"
          "Promotional Offer ID\tSubscription Offer Type\tSubscription Offer Duration\tMarketing "
          "Opt-In Duration\tCustomer Price\tCustomer Currency\tDeveloper Proceeds\tProceeds "
          "Currency\tPreserved Pricing\tProceeds Reason\tClient\tDevice\tCountry\tSubscriber ID\t"
          "Subscriber ID Reset\tRefund\tPurchase Date\tUnits\n";
    }
    const auto& who = book.subscribers[e.subscriber];
    const Product& p = SubscriptionProduct(e.product);
    const Storefront& s = Storefronts()[who.storefront];
    const double local = LocalPrice(e.price_usd, s);
    AppendFields(&out, {day.Iso(), app.title, app.apple_id, p.title, p.apple_id, kGroupId,
                        p.period, "", "", "", "", "",
                        (refund ? "-" : "") + Money(local, s.currency), s.currency,
                        Money(ProceedsOf(local, s, e.senior ? 0.85 : 0.7), s.currency),
                        s.currency, e.preserved ? "Yes" : "",
                        e.senior ? "Rate After One Year" : "", "", kDevices[who.device],
                        s.country, Num(who.id), "", refund ? "Yes" : "",
                        refund ? Date::FromDays(e.purchase_day).Iso() : "", refund ? "-1" : "1"});
  }
  return out;
}

Portfolio::PreOrderCounts Portfolio::PreOrdersThrough(size_t storefront, const std::string& device,
                                                      Date end, Date period_start) const {
  const Product& p = kProducts[kPreOrderIndex];
  const Date launch = first_sales_day_.AddDays(p.launch_offset);
  const Date open = launch.AddDays(-p.preorder_days);
  PreOrderCounts c;
  const uint64_t dh = std::hash<std::string>{}(device);
  for (Date day = open; day <= end && day < launch; day = day.AddDays(1)) {
    // Orders build up towards the launch; a few are canceled again.
    const double ramp = 0.6 + 0.8 * (day.days() - open.days()) / p.preorder_days;
    const uint64_t k = Key({seed_, 70, static_cast<uint64_t>(day.days()), storefront, dh});
    const long ordered = Draw(k, p.base * 0.5 * ramp * StorefrontShare(storefront) *
                                     DeviceShare(device, p.devices));
    const long standing = c.cumulative_ordered - c.cumulative_canceled + ordered;
    const long canceled = std::min(
        standing, Draw(Key({k, 1}), 0.004 * static_cast<double>(standing) + 0.02 * ordered));
    c.cumulative_ordered += ordered;
    c.cumulative_canceled += canceled;
    if (day >= period_start) {
      c.ordered += ordered;
      c.canceled += canceled;
    }
  }
  return c;
}

std::string Portfolio::PreOrderTsv(Frequency frequency, Date start) const {
  const Product& p = kProducts[kPreOrderIndex];
  const Date launch = first_sales_day_.AddDays(p.launch_offset);
  const Date open = launch.AddDays(-p.preorder_days);
  const Date end = PeriodEnd(frequency, start);
  if (end < open || start >= launch || start >= today_) return "";
  std::string out =
      "Provider\tProvider Country\tSKU\tDeveloper\tTitle\tPre-Order Start Date\tPre-Order End "
      "Date\tOrdered\tCanceled\tCumulative Ordered\tCumulative Canceled\tStart Date\tEnd Date\t"
      "Country Code\tApple Identifier\tDevice\tSupported Platforms\tCategory\tClient\n";
  bool any = false;
  for (size_t si = 0; si < storefronts_; ++si) {
    for (const char* device : kDevices) {
      const PreOrderCounts c = PreOrdersThrough(si, device, std::min(end, today_.AddDays(-1)), start);
      if (c.cumulative_ordered == 0) continue;
      any = true;
      AppendFields(&out, {"APPLE", "US", p.sku, "Orchard Demo Apps Inc.", p.title, UsDate(open),
                          UsDate(launch), Num(c.ordered), Num(c.canceled),
                          Num(c.cumulative_ordered), Num(c.cumulative_canceled), UsDate(start),
                          UsDate(end), Storefronts()[si].country, p.apple_id, device, p.platforms,
                          p.category, " "});
    }
  }
  return any ? out : "";
}

}  // namespace orchard::sandbox
