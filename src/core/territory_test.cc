#include "core/territory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace orchard {
namespace {

// apple-apis.md appendix A, copied by hand.
constexpr const char* kAppendixA =
    "ABW,AFG,AGO,AIA,ALB,AND,ANT,ARE,ARG,ARM,ASM,ATG,AUS,AUT,AZE,BDI,BEL,BEN,BES,BFA,BGD,BGR,BHR,"
    "BHS,BIH,BLR,BLZ,BMU,BOL,BRA,BRB,BRN,BTN,BWA,CAF,CAN,CHE,CHL,CHN,CIV,CMR,COD,COG,COK,COL,COM,"
    "CPV,CRI,CUB,CUW,CXR,CYM,CYP,CZE,DEU,DJI,DMA,DNK,DOM,DZA,ECU,EGY,ERI,ESP,EST,ETH,FIN,FJI,FLK,"
    "FRA,FRO,FSM,GAB,GBR,GEO,GGY,GHA,GIB,GIN,GLP,GMB,GNB,GNQ,GRC,GRD,GRL,GTM,GUF,GUM,GUY,HKG,HND,"
    "HRV,HTI,HUN,IDN,IMN,IND,IRL,IRQ,ISL,ISR,ITA,JAM,JEY,JOR,JPN,KAZ,KEN,KGZ,KHM,KIR,KNA,KOR,KWT,"
    "LAO,LBN,LBR,LBY,LCA,LIE,LKA,LSO,LTU,LUX,LVA,MAC,MAR,MCO,MDA,MDG,MDV,MEX,MHL,MKD,MLI,MLT,MMR,"
    "MNE,MNG,MNP,MOZ,MRT,MSR,MTQ,MUS,MWI,MYS,MYT,NAM,NCL,NER,NFK,NGA,NIC,NIU,NLD,NOR,NPL,NRU,NZL,"
    "OMN,PAK,PAN,PER,PHL,PLW,PNG,POL,PRI,PRT,PRY,PSE,PYF,QAT,REU,ROU,RUS,RWA,SAU,SEN,SGP,SHN,SLB,"
    "SLE,SLV,SMR,SOM,SPM,SRB,SSD,STP,SUR,SVK,SVN,SWE,SWZ,SXM,SYC,TCA,TCD,TGO,THA,TJK,TKM,TLS,TON,"
    "TTO,TUN,TUR,TUV,TWN,TZA,UGA,UKR,UMI,URY,USA,UZB,VAT,VCT,VEN,VGB,VIR,VNM,VUT,WLF,WSM,XKS,YEM,"
    "ZAF,ZMB,ZWE";

TEST(TerritoryTest, EveryTerritoryCodeOfTheSpecMapsBothWays) {
  std::stringstream in(kAppendixA);
  std::set<std::string> alpha2;
  size_t count = 0;
  for (std::string code; std::getline(in, code, ',');) {
    ++count;
    auto two = TerritoryAlpha2(code);
    ASSERT_TRUE(two.has_value()) << code;
    EXPECT_EQ(two->size(), 2u) << code;
    EXPECT_TRUE(alpha2.insert(*two).second) << code << " shares " << *two;
    EXPECT_EQ(TerritoryAlpha3(*two), code);
  }
  EXPECT_EQ(count, 233u);
  EXPECT_EQ(TerritoryCount(), 233u);
}

TEST(TerritoryTest, KnownPairsAndCases) {
  EXPECT_EQ(TerritoryAlpha2("USA"), "us");
  EXPECT_EQ(TerritoryAlpha2("gbr"), "gb");
  EXPECT_EQ(TerritoryAlpha2("MYT"), "yt");  // Mayotte: the letters differ
  EXPECT_EQ(TerritoryAlpha2("SRB"), "rs");
  EXPECT_EQ(TerritoryAlpha2("XKS"), "xk");
  EXPECT_EQ(TerritoryAlpha3("US"), "USA");
  EXPECT_EQ(TerritoryAlpha3("de"), "DEU");
  EXPECT_FALSE(TerritoryAlpha2("ZZZ").has_value());
  EXPECT_FALSE(TerritoryAlpha2("US").has_value());
  EXPECT_FALSE(TerritoryAlpha3("zz").has_value());
  EXPECT_FALSE(TerritoryAlpha3("").has_value());
}

}  // namespace
}  // namespace orchard

namespace orchard {
namespace {

TEST(TerritoryTest, Alpha2ListIsEveryTerritorySortedOnce) {
  const auto& list = TerritoryAlpha2List();
  ASSERT_EQ(list.size(), 233u);
  EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
  EXPECT_EQ(std::adjacent_find(list.begin(), list.end()), list.end());
  for (const auto& cc : list) EXPECT_TRUE(TerritoryAlpha3(cc).has_value()) << cc;
  EXPECT_TRUE(std::binary_search(list.begin(), list.end(), "us"));
  EXPECT_TRUE(std::binary_search(list.begin(), list.end(), "xk"));
}

}  // namespace
}  // namespace orchard
