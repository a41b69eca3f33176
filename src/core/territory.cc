#include "core/territory.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace orchard {
namespace {

// Apple's TerritoryCode enum (apple-apis.md appendix A), sorted by alpha-3, with the ISO 3166-1
// alpha-2 of each. Non-ISO or retired codes: XKS (Kosovo) → xk (the user-assigned code Apple's
// store URLs use), ANT (Netherlands Antilles) → an (transitionally reserved).
constexpr std::array<std::pair<std::string_view, std::string_view>, 233> kTerritories = {{
    {"ABW", "aw"}, {"AFG", "af"}, {"AGO", "ao"}, {"AIA", "ai"}, {"ALB", "al"}, {"AND", "ad"},
    {"ANT", "an"}, {"ARE", "ae"}, {"ARG", "ar"}, {"ARM", "am"}, {"ASM", "as"}, {"ATG", "ag"},
    {"AUS", "au"}, {"AUT", "at"}, {"AZE", "az"}, {"BDI", "bi"}, {"BEL", "be"}, {"BEN", "bj"},
    {"BES", "bq"}, {"BFA", "bf"}, {"BGD", "bd"}, {"BGR", "bg"}, {"BHR", "bh"}, {"BHS", "bs"},
    {"BIH", "ba"}, {"BLR", "by"}, {"BLZ", "bz"}, {"BMU", "bm"}, {"BOL", "bo"}, {"BRA", "br"},
    {"BRB", "bb"}, {"BRN", "bn"}, {"BTN", "bt"}, {"BWA", "bw"}, {"CAF", "cf"}, {"CAN", "ca"},
    {"CHE", "ch"}, {"CHL", "cl"}, {"CHN", "cn"}, {"CIV", "ci"}, {"CMR", "cm"}, {"COD", "cd"},
    {"COG", "cg"}, {"COK", "ck"}, {"COL", "co"}, {"COM", "km"}, {"CPV", "cv"}, {"CRI", "cr"},
    {"CUB", "cu"}, {"CUW", "cw"}, {"CXR", "cx"}, {"CYM", "ky"}, {"CYP", "cy"}, {"CZE", "cz"},
    {"DEU", "de"}, {"DJI", "dj"}, {"DMA", "dm"}, {"DNK", "dk"}, {"DOM", "do"}, {"DZA", "dz"},
    {"ECU", "ec"}, {"EGY", "eg"}, {"ERI", "er"}, {"ESP", "es"}, {"EST", "ee"}, {"ETH", "et"},
    {"FIN", "fi"}, {"FJI", "fj"}, {"FLK", "fk"}, {"FRA", "fr"}, {"FRO", "fo"}, {"FSM", "fm"},
    {"GAB", "ga"}, {"GBR", "gb"}, {"GEO", "ge"}, {"GGY", "gg"}, {"GHA", "gh"}, {"GIB", "gi"},
    {"GIN", "gn"}, {"GLP", "gp"}, {"GMB", "gm"}, {"GNB", "gw"}, {"GNQ", "gq"}, {"GRC", "gr"},
    {"GRD", "gd"}, {"GRL", "gl"}, {"GTM", "gt"}, {"GUF", "gf"}, {"GUM", "gu"}, {"GUY", "gy"},
    {"HKG", "hk"}, {"HND", "hn"}, {"HRV", "hr"}, {"HTI", "ht"}, {"HUN", "hu"}, {"IDN", "id"},
    {"IMN", "im"}, {"IND", "in"}, {"IRL", "ie"}, {"IRQ", "iq"}, {"ISL", "is"}, {"ISR", "il"},
    {"ITA", "it"}, {"JAM", "jm"}, {"JEY", "je"}, {"JOR", "jo"}, {"JPN", "jp"}, {"KAZ", "kz"},
    {"KEN", "ke"}, {"KGZ", "kg"}, {"KHM", "kh"}, {"KIR", "ki"}, {"KNA", "kn"}, {"KOR", "kr"},
    {"KWT", "kw"}, {"LAO", "la"}, {"LBN", "lb"}, {"LBR", "lr"}, {"LBY", "ly"}, {"LCA", "lc"},
    {"LIE", "li"}, {"LKA", "lk"}, {"LSO", "ls"}, {"LTU", "lt"}, {"LUX", "lu"}, {"LVA", "lv"},
    {"MAC", "mo"}, {"MAR", "ma"}, {"MCO", "mc"}, {"MDA", "md"}, {"MDG", "mg"}, {"MDV", "mv"},
    {"MEX", "mx"}, {"MHL", "mh"}, {"MKD", "mk"}, {"MLI", "ml"}, {"MLT", "mt"}, {"MMR", "mm"},
    {"MNE", "me"}, {"MNG", "mn"}, {"MNP", "mp"}, {"MOZ", "mz"}, {"MRT", "mr"}, {"MSR", "ms"},
    {"MTQ", "mq"}, {"MUS", "mu"}, {"MWI", "mw"}, {"MYS", "my"}, {"MYT", "yt"}, {"NAM", "na"},
    {"NCL", "nc"}, {"NER", "ne"}, {"NFK", "nf"}, {"NGA", "ng"}, {"NIC", "ni"}, {"NIU", "nu"},
    {"NLD", "nl"}, {"NOR", "no"}, {"NPL", "np"}, {"NRU", "nr"}, {"NZL", "nz"}, {"OMN", "om"},
    {"PAK", "pk"}, {"PAN", "pa"}, {"PER", "pe"}, {"PHL", "ph"}, {"PLW", "pw"}, {"PNG", "pg"},
    {"POL", "pl"}, {"PRI", "pr"}, {"PRT", "pt"}, {"PRY", "py"}, {"PSE", "ps"}, {"PYF", "pf"},
    {"QAT", "qa"}, {"REU", "re"}, {"ROU", "ro"}, {"RUS", "ru"}, {"RWA", "rw"}, {"SAU", "sa"},
    {"SEN", "sn"}, {"SGP", "sg"}, {"SHN", "sh"}, {"SLB", "sb"}, {"SLE", "sl"}, {"SLV", "sv"},
    {"SMR", "sm"}, {"SOM", "so"}, {"SPM", "pm"}, {"SRB", "rs"}, {"SSD", "ss"}, {"STP", "st"},
    {"SUR", "sr"}, {"SVK", "sk"}, {"SVN", "si"}, {"SWE", "se"}, {"SWZ", "sz"}, {"SXM", "sx"},
    {"SYC", "sc"}, {"TCA", "tc"}, {"TCD", "td"}, {"TGO", "tg"}, {"THA", "th"}, {"TJK", "tj"},
    {"TKM", "tm"}, {"TLS", "tl"}, {"TON", "to"}, {"TTO", "tt"}, {"TUN", "tn"}, {"TUR", "tr"},
    {"TUV", "tv"}, {"TWN", "tw"}, {"TZA", "tz"}, {"UGA", "ug"}, {"UKR", "ua"}, {"UMI", "um"},
    {"URY", "uy"}, {"USA", "us"}, {"UZB", "uz"}, {"VAT", "va"}, {"VCT", "vc"}, {"VEN", "ve"},
    {"VGB", "vg"}, {"VIR", "vi"}, {"VNM", "vn"}, {"VUT", "vu"}, {"WLF", "wf"}, {"WSM", "ws"},
    {"XKS", "xk"}, {"YEM", "ye"}, {"ZAF", "za"}, {"ZMB", "zm"}, {"ZWE", "zw"},
}};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> TerritoryAlpha2(std::string_view alpha3) {
  if (alpha3.size() != 3) return std::nullopt;
  const std::string key = Upper(alpha3);
  const auto it = std::lower_bound(kTerritories.begin(), kTerritories.end(), key,
                                   [](const auto& entry, const std::string& k) { return entry.first < k; });
  if (it == kTerritories.end() || it->first != key) return std::nullopt;
  return std::string(it->second);
}

std::optional<std::string> TerritoryAlpha3(std::string_view alpha2) {
  if (alpha2.size() != 2) return std::nullopt;
  const std::string key = Lower(alpha2);
  for (const auto& [a3, a2] : kTerritories) {
    if (a2 == key) return std::string(a3);
  }
  return std::nullopt;
}

const std::vector<std::string>& TerritoryAlpha2List() {
  static const std::vector<std::string> list = [] {
    std::vector<std::string> out;
    for (const auto& entry : kTerritories) out.emplace_back(entry.second);
    std::sort(out.begin(), out.end());
    return out;
  }();
  return list;
}

size_t TerritoryCount() { return kTerritories.size(); }

}  // namespace orchard
