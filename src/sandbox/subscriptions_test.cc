// The subscription family and pre-orders, checked the way a client sees them: each report is
// read by header name from its TSV text, and the identities that tie Apple's reports together
// are recomputed here over a generated year.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>

#include "sandbox/generator.h"

namespace orchard::sandbox {
namespace {

// A TSV report read by header name.
struct Row {
  std::shared_ptr<const std::map<std::string, size_t>> columns;
  std::vector<std::string> fields;
  const std::string& at(const std::string& name) const { return fields.at(columns->at(name)); }
};
struct Table {
  std::vector<std::string> header;
  std::vector<Row> rows;
};
Table Parse(const std::string& tsv) {
  Table t;
  auto columns = std::make_shared<std::map<std::string, size_t>>();
  size_t pos = 0;
  bool first = true;
  while (pos < tsv.size()) {
    size_t eol = tsv.find('\n', pos);
    if (eol == std::string::npos) eol = tsv.size();
    std::vector<std::string> fields;
    size_t start = pos;
    while (true) {
      const size_t tab = tsv.find('\t', start);
      if (tab == std::string::npos || tab > eol) {
        fields.emplace_back(tsv, start, eol - start);
        break;
      }
      fields.emplace_back(tsv, start, tab - start);
      start = tab + 1;
    }
    pos = eol + 1;
    if (first) {
      t.header = fields;
      for (size_t i = 0; i < fields.size(); ++i) (*columns)[fields[i]] = i;
      first = false;
      continue;
    }
    EXPECT_EQ(fields.size(), t.header.size()) << tsv.substr(start, 200);
    t.rows.push_back({columns, std::move(fields)});
  }
  return t;
}
std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string f; std::getline(in, f, '\t');) out.push_back(f);
  return out;
}
std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(' ');
  return a == std::string::npos ? "" : s.substr(a, s.find_last_not_of(' ') - a + 1);
}
long Int(const std::string& s) { return Trim(s).empty() ? 0 : std::stol(Trim(s)); }
// An amount in minor units ("12.99" → 1299, "1500" in a currency without decimals → 1500).
long Minor(const std::string& text) {
  std::string s = Trim(text);
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s = s.substr(1);
  const size_t dot = s.find('.');
  long v = dot == std::string::npos ? std::stol(s) * 100
                                    : std::stol(s.substr(0, dot)) * 100 + std::stol(s.substr(dot + 1));
  return negative ? -v : v;
}

// The headers as apple-apis.md writes them (§2.8 v1_3 block, §2.9, §2.10, §2.11).
const char* kSubscriptionHeader =
    "App Name\tApp Apple ID\tSubscription Name\tSubscription Apple ID\tSubscription Group ID\t"
    "Standard Subscription Duration\tSubscription Offer Name\tPromotional Offer ID\tCustomer "
    "Price\tCustomer Currency\tDeveloper Proceeds\tProceeds Currency\tPreserved Pricing\tProceeds "
    "Reason\tClient\tDevice\tState\tCountry\tActive Standard Price Subscriptions\tActive Free "
    "Trial Introductory Offer Subscriptions\tActive Pay Up Front Introductory Offer "
    "Subscriptions\tActive Pay As You Go Introductory Offer Subscriptions\tFree Trial Promotional "
    "Offer Subscriptions\tPay Up Front Promotional Offer Subscriptions\tPay As You Go Promotional "
    "Offer Subscriptions\tMarketing Opt-Ins\tBilling Retry\tGrace Period\tFree Trial Offer Code "
    "Subscriptions\tPay Up Front Offer Code Subscriptions\tPay As You Go Offer Code "
    "Subscriptions\tSubscribers";
const char* kEventHeader =
    "Event Date\tEvent\tApp Name\tApp Apple ID\tSubscription Name\tSubscription Apple ID\t"
    "Subscription Group ID\tStandard Subscription Duration\tSubscription Offer Type\tSubscription "
    "Offer Duration\tMarketing Opt-In\tMarketing Opt-In Duration\tPreserved Pricing\tProceeds "
    "Reason\tSubscription Offer Name\tPromotional Offer ID\tConsecutive Paid Periods\tOriginal "
    "Start Date\tDevice\tClient\tState\tCountry\tPrevious Subscription Name\tPrevious "
    "Subscription Apple ID\tDays Before Canceling\tCancellation Reason\tDays Canceled\tQuantity\t"
    "Paid Service Days Recovered";
const char* kSubscriberHeader =
    "Event Date\tApp Name\tApp Apple ID\tSubscription Name\tSubscription Apple ID\tSubscription "
    "Group ID\tStandard Subscription Duration\tSubscription Offer Name\tPromotional Offer ID\t"
    "Subscription Offer Type\tSubscription Offer Duration\tMarketing Opt-In Duration\tCustomer "
    "Price\tCustomer Currency\tDeveloper Proceeds\tProceeds Currency\tPreserved Pricing\tProceeds "
    "Reason\tClient\tDevice\tCountry\tSubscriber ID\tSubscriber ID Reset\tRefund\tPurchase Date\t"
    "Units";

const Date kToday = *Date::ParseIso("2026-03-10");

TEST(SubscriptionReportsTest, UseTheDocumentedColumnsAndDateForms) {
  Portfolio p(5, kToday);
  const Date day = *Date::ParseIso("2026-02-14");
  const Table snapshot = Parse(p.SubscriptionTsv(day));
  EXPECT_EQ(snapshot.header, Split(kSubscriptionHeader));
  ASSERT_GT(snapshot.rows.size(), 100u);
  const Table events = Parse(p.SubscriptionEventTsv(day));
  EXPECT_EQ(events.header, Split(kEventHeader));
  ASSERT_GT(events.rows.size(), 20u);
  const Table subscribers = Parse(p.SubscriberTsv(day));
  EXPECT_EQ(subscribers.header, Split(kSubscriberHeader));
  ASSERT_GT(subscribers.rows.size(), 20u);
  for (const auto& r : events.rows) {
    EXPECT_EQ(r.at("Event Date"), "2026-02-14");
    EXPECT_TRUE(Date::ParseIso(r.at("Original Start Date")).has_value()) << r.at("Original Start Date");
    EXPECT_GE(Int(r.at("Quantity")), 1);
  }
  std::set<std::string> ids;
  for (const auto& r : subscribers.rows) {
    EXPECT_EQ(r.at("Event Date"), "2026-02-14");
    EXPECT_EQ(r.at("Subscriber ID").size(), 10u);
    EXPECT_TRUE(r.at("Units") == "1" || r.at("Units") == "-1");
    if (r.at("Refund") == "Yes") {
      EXPECT_EQ(r.at("Customer Price")[0], '-');
      EXPECT_LT(*Date::ParseIso(r.at("Purchase Date")), day);
    }
    ids.insert(r.at("Subscriber ID"));
  }
  EXPECT_GT(ids.size(), subscribers.rows.size() * 9 / 10) << "subscriber ids are per customer";
  // Slices with more than three subscriptions say how many subscribers they hold.
  for (const auto& r : snapshot.rows) {
    const long total = Int(r.at("Active Standard Price Subscriptions")) +
                       Int(r.at("Active Free Trial Introductory Offer Subscriptions")) +
                       Int(r.at("Billing Retry")) + Int(r.at("Grace Period"));
    EXPECT_GT(total, 0);
    EXPECT_EQ(r.at("Subscribers"), total > 3 ? std::to_string(total) : "");
  }
  // Nothing before the subscriptions existed, nothing from today on.
  EXPECT_EQ(p.SubscriptionTsv(*Date::ParseIso("2024-01-01")), "");
  EXPECT_EQ(p.SubscriptionEventTsv(kToday), "");
  EXPECT_EQ(p.SubscriberTsv(kToday.AddDays(3)), "");
}

TEST(SubscriptionReportsTest, SameSeedSameBytesAndThePastDoesNotMoveWithToday) {
  const Date day = *Date::ParseIso("2025-11-02");
  Portfolio a(5, kToday), b(5, kToday), later(5, kToday.AddDays(40)), other(6, kToday);
  EXPECT_EQ(a.SubscriptionTsv(day), b.SubscriptionTsv(day));
  EXPECT_EQ(a.SubscriptionEventTsv(day), later.SubscriptionEventTsv(day));
  EXPECT_EQ(a.SubscriberTsv(day), later.SubscriberTsv(day));
  EXPECT_EQ(a.SubscriptionTsv(day), later.SubscriptionTsv(day));
  EXPECT_NE(a.SubscriberTsv(day), other.SubscriberTsv(day));
}

// Over a year of days: the events of a day change the snapshot by exactly their activations
// minus their deactivations; the Sales report's IAY units are the day's purchases and renewals
// minus its refunds; the Subscriber report lists the same transactions, with the same proceeds.
TEST(SubscriptionReportsTest, EveryDayOfAYearTheReportsAgree) {
  Portfolio p(5, kToday);
  using Slice = std::tuple<std::string, std::string, std::string>;  // subscription id, country, device
  // +1 activates a subscription of the row's plan, -1 ends one, 0 changes no count; a move
  // between plans ends one of the previous plan and activates one of the new.
  const std::map<std::string, int> delta = {
      {"Start Introductory Offer", 1}, {"Subscribe", 1}, {"Upgrade", 1}, {"Downgrade", 1},
      {"Cancel", -1}, {"Canceled from Billing Retry", -1},
      {"Canceled from Billing Grace Period", -1}, {"Refund", -1},
      {"Paid Subscription from Introductory Offer", 0}, {"Renew", 0},
      {"Renewal from Billing Retry", 0}, {"Billing Retry from Paid Subscription", 0},
      {"Reactivate", 0}};
  const std::set<std::string> purchases = {"Subscribe", "Paid Subscription from Introductory Offer",
                                           "Upgrade", "Downgrade"};
  const std::set<std::string> renewals = {"Renew", "Renewal from Billing Retry"};

  auto totals = [](const Table& snapshot) {
    std::map<Slice, long> out;
    for (const auto& r : snapshot.rows) {
      out[{r.at("Subscription Apple ID"), r.at("Country"), r.at("Device")}] +=
          Int(r.at("Active Standard Price Subscriptions")) +
          Int(r.at("Active Free Trial Introductory Offer Subscriptions")) +
          Int(r.at("Billing Retry")) + Int(r.at("Grace Period"));
    }
    return out;
  };
  std::map<std::string, long> seen_events;
  long preserved_rows = 0, senior_rows = 0, checked_slices = 0;
  const Date first = kToday.AddDays(-365);
  auto before = totals(Parse(p.SubscriptionTsv(first.AddDays(-1))));
  for (Date day = first; day < kToday; day = day.AddDays(1)) {
    const auto after = totals(Parse(p.SubscriptionTsv(day)));
    std::map<Slice, long> change, new_units, renewal_units, refund_units;
    for (const auto& r : Parse(p.SubscriptionEventTsv(day)).rows) {
      const std::string& event = r.at("Event");
      ASSERT_TRUE(delta.contains(event)) << "an event the test does not know: " << event;
      const long q = Int(r.at("Quantity"));
      seen_events[event] += q;
      const Slice slice{r.at("Subscription Apple ID"), r.at("Country"), r.at("Device")};
      change[slice] += delta.at(event) * q;
      if (!r.at("Previous Subscription Apple ID").empty()) {
        change[{r.at("Previous Subscription Apple ID"), r.at("Country"), r.at("Device")}] -= q;
      }
      if (purchases.contains(event)) new_units[slice] += q;
      if (renewals.contains(event)) renewal_units[slice] += q;
      if (event == "Refund") refund_units[slice] += q;
    }
    std::set<Slice> slices;
    for (const auto* m : std::initializer_list<const std::map<Slice, long>*>{&before, &after, &change}) {
      for (const auto& [k, v] : *m) slices.insert(k);
    }
    for (const Slice& s : slices) {
      const long was = before.contains(s) ? before.at(s) : 0;
      const long is = after.contains(s) ? after.at(s) : 0;
      const long moved = change.contains(s) ? change.at(s) : 0;
      ASSERT_EQ(is - was, moved) << day.Iso() << " " << std::get<0>(s) << " " << std::get<1>(s)
                                 << " " << std::get<2>(s);
      ++checked_slices;
    }
    before = after;

    // Sales: IAY rows, New and Renewal apart (refunds are negative units).
    std::map<Slice, long> sales_new, sales_renewal, sales_refund;
    std::map<std::string, long> sales_proceeds;  // by currency, minor units
    for (const auto& r : Parse(p.SalesSummaryDailyTsv(day)).rows) {
      if (r.at("Product Type Identifier") != "IAY") continue;
      const Slice slice{r.at("Apple Identifier"), r.at("Country Code"), r.at("Device")};
      const long units = Int(r.at("Units"));
      if (units < 0) {
        sales_refund[slice] -= units;
      } else if (r.at("Subscription") == "New") {
        sales_new[slice] += units;
      } else {
        ASSERT_EQ(r.at("Subscription"), "Renewal");
        sales_renewal[slice] += units;
      }
      if (r.at("Preserved Pricing") == "Yes") ++preserved_rows;
      if (r.at("Proceeds Reason") == "Rate After One Year") ++senior_rows;
      sales_proceeds[r.at("Currency of Proceeds")] += units * Minor(r.at("Developer Proceeds"));
    }
    ASSERT_EQ(sales_new, new_units) << day.Iso();
    ASSERT_EQ(sales_renewal, renewal_units) << day.Iso();
    ASSERT_EQ(sales_refund, refund_units) << day.Iso();

    std::map<Slice, long> subscriber_units;
    std::map<std::string, long> subscriber_proceeds;
    for (const auto& r : Parse(p.SubscriberTsv(day)).rows) {
      const long units = Int(r.at("Units"));
      subscriber_units[{r.at("Subscription Apple ID"), r.at("Country"), r.at("Device")}] += units;
      subscriber_proceeds[r.at("Proceeds Currency")] += units * Minor(r.at("Developer Proceeds"));
    }
    std::map<Slice, long> net;
    for (const std::map<Slice, long>* m : {&new_units, &renewal_units}) {
      for (const auto& [k, v] : *m) net[k] += v;
    }
    for (const auto& [k, v] : refund_units) net[k] -= v;
    std::erase_if(net, [](const auto& kv) { return kv.second == 0; });
    std::erase_if(subscriber_units, [](const auto& kv) { return kv.second == 0; });
    ASSERT_EQ(subscriber_units, net) << day.Iso();
    ASSERT_EQ(subscriber_proceeds, sales_proceeds) << day.Iso();
  }
  // The identities were tested on every kind of event, not on an idle portfolio.
  for (const auto& [event, d] : delta) EXPECT_GT(seen_events[event], 0) << event;
  EXPECT_GT(seen_events["Renew"], 10000);
  EXPECT_GT(preserved_rows, 0);
  EXPECT_GT(senior_rows, 0);
  EXPECT_GT(checked_slices, 100000);
}

TEST(PreOrderReportTest, OrdersAccumulateAndBecomeDownloadsOnLaunchDay) {
  // Find the pre-order window from the report itself.
  const Date today = *Date::ParseIso("2027-03-01");
  Portfolio p(5, today);
  Date open, launch;
  for (Date day = *Date::ParseIso("2026-06-01"); day < today; day = day.AddDays(1)) {
    const Table t = Parse(p.PreOrderTsv(Frequency::kDaily, day));
    if (t.rows.empty()) continue;
    open = *Date::ParseUs(t.rows[0].at("Pre-Order Start Date"));
    launch = *Date::ParseUs(t.rows[0].at("Pre-Order End Date"));
    break;
  }
  ASSERT_LT(open, launch);
  EXPECT_EQ(launch.days() - open.days(), 60);
  EXPECT_EQ(p.PreOrderTsv(Frequency::kDaily, open.AddDays(-1)), "");
  EXPECT_EQ(p.PreOrderTsv(Frequency::kDaily, launch), "");

  using Slice = std::pair<std::string, std::string>;  // country, device
  std::map<Slice, std::pair<long, long>> cumulative;
  std::map<Slice, long> week_ordered;
  for (Date day = open; day < launch; day = day.AddDays(1)) {
    const Table t = Parse(p.PreOrderTsv(Frequency::kDaily, day));
    ASSERT_FALSE(t.rows.empty()) << day.Iso();
    EXPECT_EQ(t.header[5], "Pre-Order Start Date");
    for (const auto& r : t.rows) {
      EXPECT_EQ(*Date::ParseUs(r.at("Start Date")), day);
      EXPECT_EQ(r.at("SKU"), "starforge");
      const Slice s{r.at("Country Code"), r.at("Device")};
      auto& [ordered, canceled] = cumulative[s];
      ordered += Int(r.at("Ordered"));
      canceled += Int(r.at("Canceled"));
      ASSERT_EQ(Int(r.at("Cumulative Ordered")), ordered) << day.Iso();
      ASSERT_EQ(Int(r.at("Cumulative Canceled")), canceled) << day.Iso();
      ASSERT_LE(canceled, ordered);
      if (day >= launch.AddDays(-7)) week_ordered[s] += Int(r.at("Ordered"));
    }
  }
  // A weekly report sums its days.
  const Date sunday = launch.AddDays(-1).iso_weekday() == 7
                          ? launch.AddDays(-1)
                          : launch.AddDays(-1 - static_cast<int32_t>(launch.AddDays(-1).iso_weekday()));
  std::map<Slice, long> daily_sum, weekly;
  for (Date day = sunday.AddDays(-6); day <= sunday; day = day.AddDays(1)) {
    for (const auto& r : Parse(p.PreOrderTsv(Frequency::kDaily, day)).rows) {
      daily_sum[{r.at("Country Code"), r.at("Device")}] += Int(r.at("Ordered"));
    }
  }
  for (const auto& r : Parse(p.PreOrderTsv(Frequency::kWeekly, sunday.AddDays(-6))).rows) {
    weekly[{r.at("Country Code"), r.at("Device")}] += Int(r.at("Ordered"));
  }
  std::erase_if(daily_sum, [](const auto& kv) { return kv.second == 0; });
  std::erase_if(weekly, [](const auto& kv) { return kv.second == 0; });
  EXPECT_EQ(weekly, daily_sum);

  // Launch day: the orders still standing arrive as "Pre-Order" downloads.
  std::map<Slice, long> delivered;
  for (const auto& r : Parse(p.SalesSummaryDailyTsv(launch)).rows) {
    if (r.at("Order Type") != "Pre-Order") continue;
    EXPECT_EQ(r.at("SKU"), "starforge");
    EXPECT_EQ(r.at("Product Type Identifier"), "1F");
    delivered[{r.at("Country Code"), r.at("Device")}] += Int(r.at("Units"));
  }
  std::map<Slice, long> standing;
  for (const auto& [s, c] : cumulative) {
    if (c.first - c.second > 0) standing[s] = c.first - c.second;
  }
  ASSERT_GT(standing.size(), 20u);
  EXPECT_EQ(delivered, standing);
  // No pre-order downloads on any other day.
  for (const auto& r : Parse(p.SalesSummaryDailyTsv(launch.AddDays(1))).rows) {
    EXPECT_NE(r.at("Order Type"), "Pre-Order");
  }
}

}  // namespace
}  // namespace orchard::sandbox
