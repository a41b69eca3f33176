#include "store/sqlite/migrations.h"

namespace orchard::store::sqlite {

const std::vector<std::string_view>& Migrations() {
  static const std::vector<std::string_view> migrations = {
      // 1: teams, linked accounts, checkpoints, FX rates, sales facts.
      R"sql(
CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE linked_accounts (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  method TEXT NOT NULL,
  name TEXT NOT NULL,
  issuer_id TEXT NOT NULL DEFAULT '',
  key_id TEXT NOT NULL DEFAULT '',
  vendor_number TEXT NOT NULL DEFAULT '',
  secret BLOB,
  secret_key_version INTEGER,
  status TEXT NOT NULL DEFAULT 'active',
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  last_sync_at INTEGER NOT NULL DEFAULT 0,
  UNIQUE (team_id, method, key_id, vendor_number)
);
CREATE TABLE report_checkpoints (
  account_id INTEGER NOT NULL REFERENCES linked_accounts(id) ON DELETE CASCADE,
  report TEXT NOT NULL,
  report_date INTEGER NOT NULL,
  state TEXT NOT NULL,
  rows INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (account_id, report, report_date)
) WITHOUT ROWID;
CREATE TABLE fx_rates (
  currency TEXT NOT NULL,
  day INTEGER NOT NULL,
  per_eur INTEGER NOT NULL CHECK (per_eur > 0),
  PRIMARY KEY (currency, day)
) WITHOUT ROWID;

-- Fact tables. Strings are interned in dims; facts are stored per source report in chunks of
-- packed rows (see sqlite_fact_store.cc for the row layout), so a report is replaced by
-- deleting its chunks and a query reads only the reports in its date range.
CREATE TABLE dims (
  id INTEGER PRIMARY KEY,
  value TEXT NOT NULL UNIQUE
);
INSERT INTO dims (id, value) VALUES (0, '');
CREATE TABLE products (
  team_id INTEGER NOT NULL,
  apple_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  title TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  product_type TEXT NOT NULL,
  last_day INTEGER NOT NULL,
  PRIMARY KEY (team_id, apple_id)
) WITHOUT ROWID;
CREATE TABLE sales_reports (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  frequency TEXT NOT NULL,
  report_date INTEGER NOT NULL,
  row_count INTEGER NOT NULL,
  loaded_at INTEGER NOT NULL,
  UNIQUE (account_id, frequency, report_date)
);
CREATE INDEX sales_reports_by_team ON sales_reports (team_id, frequency, report_date);
CREATE TABLE sales_chunks (
  id INTEGER PRIMARY KEY,
  report_id INTEGER NOT NULL REFERENCES sales_reports(id) ON DELETE CASCADE,
  chunk INTEGER NOT NULL,
  format INTEGER NOT NULL,
  row_count INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (report_id, chunk)
);
)sql",
  };
  return migrations;
}

}  // namespace orchard::store::sqlite
