// The product catalog from App Store Connect's /v1/apps (apple-apis.md §4.3): each app's name,
// bundle id, SKU and platforms, kept per team and keyed by Apple ID, with every name it has had
// (a renamed app keeps its history: facts are keyed by the Apple ID, never by the name). In-app
// products and their parent apps come from the Sales reports (Parent Identifier).
#pragma once

#include "apple/asc/asc_client.h"
#include "core/clock.h"
#include "store/meta_store.h"

namespace orchard::sync {

// Reads every page of /v1/apps, and the apps of each platform (`filter[appStoreVersions.platform]`),
// then stores them. Returns how many apps. A malformed answer stores nothing.
Result<int> SyncAppCatalog(apple::asc::AscClient& client, store::MetaStore& meta,
                           const store::LinkedAccount& account, const Clock& clock);

}  // namespace orchard::sync
