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
      // 2: Orchard's own people (users, memberships, sessions, API tokens, audit log,
      // notifications) and every link method's fields on linked_accounts.
      //
      // An account's identity becomes per method (meta_store.h): `identity` holds key_id for
      // asc-key, the lower-cased apple_id for app-password and apple-id, client_id for
      // search-ads (written by the store). Migration 1's UNIQUE (team_id, method, key_id,
      // vendor_number) cannot be dropped in place, so linked_accounts is rebuilt the way SQLite
      // documents it: create the new table, copy, drop the old one, rename the new one.
      // Database::Migrate runs this with foreign keys off, so the drop does not cascade into
      // report_checkpoints, whose reference names "linked_accounts" and so points at the renamed
      // table afterwards. Version 1 allowed one key with several vendor numbers; the second and
      // later such rows keep "key_id/vendor_number" as identity so the copy cannot collide.
      R"sql(
UPDATE linked_accounts SET method = 'asc-key' WHERE method = 'asc_key';
CREATE TABLE linked_accounts_v2 (
  -- AUTOINCREMENT: an unlinked account's id is never handed out again, so its kept facts and
  -- any old sealed blob (whose associated data names the row) cannot meet a new account.
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  method TEXT NOT NULL,
  identity TEXT NOT NULL,
  name TEXT NOT NULL,
  issuer_id TEXT NOT NULL DEFAULT '',
  key_id TEXT NOT NULL DEFAULT '',
  vendor_number TEXT NOT NULL DEFAULT '',
  apple_id TEXT NOT NULL DEFAULT '',
  client_id TEXT NOT NULL DEFAULT '',
  ads_team_id TEXT NOT NULL DEFAULT '',
  secret_hint TEXT NOT NULL DEFAULT '',
  secret BLOB,
  secret_key_version INTEGER,
  state BLOB,
  state_key_version INTEGER,
  status TEXT NOT NULL DEFAULT 'active',
  last_error TEXT NOT NULL DEFAULT '',
  capabilities TEXT NOT NULL DEFAULT '{}',
  capabilities_at INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  last_sync_at INTEGER NOT NULL DEFAULT 0,
  UNIQUE (team_id, method, identity)
);
INSERT INTO linked_accounts_v2 (id, team_id, method, identity, name, issuer_id, key_id,
                                vendor_number, secret, secret_key_version, status, last_error,
                                created_at, last_used_at, last_sync_at)
SELECT a.id, a.team_id, a.method,
       CASE WHEN a.id = (SELECT min(o.id) FROM linked_accounts o
                         WHERE o.team_id = a.team_id AND o.method = a.method
                           AND o.key_id = a.key_id)
            THEN a.key_id ELSE a.key_id || '/' || a.vendor_number END,
       a.name, a.issuer_id, a.key_id, a.vendor_number, a.secret, a.secret_key_version, a.status,
       a.last_error, a.created_at, a.last_used_at, a.last_sync_at
FROM linked_accounts a;
DROP TABLE linked_accounts;
ALTER TABLE linked_accounts_v2 RENAME TO linked_accounts;

-- Team names are unique regardless of case (NOCASE folds ASCII only).
CREATE UNIQUE INDEX teams_name_nocase ON teams (name COLLATE NOCASE);

-- Orchard's users. Emails are stored lower-cased, so UNIQUE is case-insensitive.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE CHECK (email <> '' AND email = lower(email)),
  password_hash TEXT NOT NULL,
  currency TEXT NOT NULL DEFAULT 'USD',
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  date_format TEXT NOT NULL DEFAULT 'YYYY-MM-DD',
  created_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL
);
CREATE TABLE memberships (
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'admin', 'owner')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_user ON memberships (user_id);

-- Secrets of users are stored only as SHA-256 hashes (raw 32-byte BLOBs). team_id is NULL
-- while a session acts in no team.
CREATE TABLE sessions (
  id_hash BLOB PRIMARY KEY,
  csrf_hash BLOB NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  team_id INTEGER REFERENCES teams(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id, team_id);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  prefix TEXT NOT NULL DEFAULT '',
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  name TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_by_team ON api_tokens (team_id, user_id);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- The audit log outlives the users and teams it names, so it has no foreign keys; 0 = none.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL DEFAULT 0,
  user_id INTEGER NOT NULL DEFAULT 0,
  actor TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE INDEX audit_log_by_team ON audit_log (team_id, id);

-- from_user_id is NULL for the system (and when the sender is deleted).
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  from_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  read_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notifications_by_recipient ON notifications (team_id, user_id, id);
CREATE INDEX notifications_by_sender ON notifications (from_user_id);
)sql",
      // 3: persisted sync jobs (REL-3): one row per report of an account to fetch; a crash
      // leaves `running` rows that the next start puts back in the queue.
      R"sql(
CREATE TABLE sync_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES linked_accounts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  frequency TEXT NOT NULL,
  report_date INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  UNIQUE (account_id, kind, frequency, report_date)
);
CREATE INDEX sync_jobs_due ON sync_jobs (state, not_before);
CREATE INDEX sync_jobs_by_team ON sync_jobs (team_id, account_id);

-- The apps of /v1/apps (issue 5's catalog); a product is its Apple ID, whatever its name.
CREATE TABLE catalog_apps (
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  apple_id TEXT NOT NULL,
  account_id INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL DEFAULT '',
  bundle_id TEXT NOT NULL DEFAULT '',
  sku TEXT NOT NULL DEFAULT '',
  platforms TEXT NOT NULL DEFAULT '',
  primary_locale TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (team_id, apple_id)
) WITHOUT ROWID;
-- Every name a product has had, so a renamed app is still found by its old name.
CREATE TABLE product_names (
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  apple_id TEXT NOT NULL,
  name TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (team_id, apple_id, name)
) WITHOUT ROWID;
)sql",
      // 4: facts laid out for the dashboard's questions. Chunks hold one product's rows (the
      // column comes before the blob, and an index finds a product's chunks without reading
      // blobs), and every stored report gets a stamp that is new for every delivery, so a
      // cached result over a period can tell whether a report of that period changed.
      R"sql(
CREATE TABLE sales_chunks_v4 (
  id INTEGER PRIMARY KEY,
  report_id INTEGER NOT NULL REFERENCES sales_reports(id) ON DELETE CASCADE,
  chunk INTEGER NOT NULL,
  product INTEGER,
  format INTEGER NOT NULL,
  row_count INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (report_id, chunk)
);
INSERT INTO sales_chunks_v4 (id, report_id, chunk, product, format, row_count, data)
  SELECT id, report_id, chunk, NULL, format, row_count, data FROM sales_chunks;
DROP TABLE sales_chunks;
ALTER TABLE sales_chunks_v4 RENAME TO sales_chunks;
CREATE INDEX sales_chunks_by_product ON sales_chunks (report_id, product);
ALTER TABLE sales_reports ADD COLUMN stamp INTEGER NOT NULL DEFAULT 0;
UPDATE sales_reports SET stamp = id;
-- One row per import that added or changed a rate: its earliest day. A result converted with
-- the rates up to day D is still good while no change has min_day <= D.
CREATE TABLE fx_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  min_day INTEGER NOT NULL
);
INSERT INTO fx_changes (min_day) SELECT MIN(day) FROM fx_rates HAVING COUNT(*) > 0;
)sql",
      // 5: customer reviews and ratings (issue 6; review_store.h). A review is unique per
      // (team, source, app, source id); an author's edit updates the row in place and moves the
      // previous version to review_history. reply_state is derived (never written) so it cannot
      // disagree with the response columns: 'outdated' when the review's date is later than the
      // response's. reviews_fts is an external-content FTS5 index over title and body, kept in
      // step by triggers (an UPDATE of other columns does not touch it).
      R"sql(
CREATE TABLE tracked_apps (
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  countries TEXT NOT NULL CHECK (countries <> ''),  -- 'all' or a sorted comma list: 'gb,us'
  account_id INTEGER NOT NULL DEFAULT 0,            -- 0 = public data only
  created_at INTEGER NOT NULL,
  PRIMARY KEY (team_id, app_id)
) WITHOUT ROWID;

CREATE TABLE reviews (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('asc', 'rss')),
  source_id TEXT NOT NULL CHECK (source_id <> ''),
  country TEXT NOT NULL CHECK (length(country) = 2 AND country = lower(country)),
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  title TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL CHECK (updated_at > 0),
  first_seen_at INTEGER NOT NULL,
  response_id TEXT NOT NULL DEFAULT '',
  response_body TEXT NOT NULL DEFAULT '',
  response_state TEXT NOT NULL DEFAULT '' CHECK (response_state IN ('', 'pending', 'published')),
  response_updated_at INTEGER NOT NULL DEFAULT 0,
  reply_state TEXT GENERATED ALWAYS AS (
    CASE WHEN response_state = '' THEN 'none'
         WHEN updated_at > response_updated_at THEN 'outdated'
         ELSE response_state END) VIRTUAL,
  UNIQUE (team_id, source, app_id, source_id)
);
-- The inbox: a team's or an app's reviews by date, and the triage query ("unreplied 1–2 stars
-- in the last 30 days") as index ranges, one per rating.
CREATE INDEX reviews_by_team_time ON reviews (team_id, updated_at);
CREATE INDEX reviews_by_app_time ON reviews (team_id, app_id, updated_at);
CREATE INDEX reviews_by_reply ON reviews (team_id, reply_state, rating, updated_at);

CREATE TABLE review_history (
  id INTEGER PRIMARY KEY,
  review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
  rating INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  version TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  replaced_at INTEGER NOT NULL
);
CREATE INDEX review_history_by_review ON review_history (review_id, id);

CREATE VIRTUAL TABLE reviews_fts USING fts5(
  title, body, content='reviews', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER reviews_fts_insert AFTER INSERT ON reviews BEGIN
  INSERT INTO reviews_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER reviews_fts_delete AFTER DELETE ON reviews BEGIN
  INSERT INTO reviews_fts (reviews_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER reviews_fts_update AFTER UPDATE OF title, body ON reviews BEGIN
  INSERT INTO reviews_fts (reviews_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
  INSERT INTO reviews_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

-- New-review notifications, one row per review at most (the primary key), so a review is
-- queued once whatever a resync or a restart does; a sender claims a row ('sending'), delivers
-- with the review id as the idempotency key, then marks it 'sent' (or back to 'queued' with
-- not_before for a retry, 'failed' when it gives up).
CREATE TABLE review_notifications (
  review_id INTEGER PRIMARY KEY REFERENCES reviews(id) ON DELETE CASCADE,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX review_notifications_due ON review_notifications (state, not_before);

-- Daily ratings per storefront; country 'ww' is the worldwide figure. average_x100 is the
-- average × 100 (exact integers: 4.67 → 467); h1…h5 the histogram.
CREATE TABLE rating_snapshots (
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  country TEXT NOT NULL CHECK (length(country) = 2 AND country = lower(country)),
  day INTEGER NOT NULL,
  average_x100 INTEGER NOT NULL CHECK (average_x100 BETWEEN 0 AND 500),
  count INTEGER NOT NULL CHECK (count >= 0),
  h1 INTEGER NOT NULL DEFAULT 0,
  h2 INTEGER NOT NULL DEFAULT 0,
  h3 INTEGER NOT NULL DEFAULT 0,
  h4 INTEGER NOT NULL DEFAULT 0,
  h5 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (team_id, app_id, country, day)
) WITHOUT ROWID;
)sql",
      // 6: review webhooks (one per team) and the notification queue rebuilt with what delivery
      // needs: a 'skipped' state, a stable delivery id and a claim counter.
      R"sql(
-- The team's new-review webhook. The signing secret is stored sealed only (crypto::Sealer,
-- context: team, 'review_webhooks', 'secret', row id = team id); sealing happens above the
-- store. countries and app_ids are comma lists ('' = all).
CREATE TABLE review_webhooks (
  team_id INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  format TEXT NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
  max_rating INTEGER NOT NULL DEFAULT 5 CHECK (max_rating BETWEEN 1 AND 5),
  countries TEXT NOT NULL DEFAULT '',
  app_ids TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  secret BLOB NOT NULL,
  secret_key_version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The queue of migration 5, rebuilt (SQLite cannot change a CHECK in place):
--   state 'skipped': the review did not match the webhook's filter (or there was no webhook);
--   delivery_id: random, fixed when queued; every attempt for the review carries it
--     (X-Orchard-Delivery), so a receiver can drop a repeat after a crash;
--   claim: bumped by every claim; a finish names the claim it ends, so a sender whose lease
--     ran out cannot overwrite what a later sender recorded.
-- While 'sending', not_before is the end of the sender's lease.
CREATE TABLE review_notifications_new (
  review_id INTEGER PRIMARY KEY REFERENCES reviews(id) ON DELETE CASCADE,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  delivery_id TEXT NOT NULL DEFAULT (lower(hex(randomblob(16)))),
  claim INTEGER NOT NULL DEFAULT 0
);
INSERT INTO review_notifications_new (review_id, team_id, state, attempts, not_before,
                                      created_at, sent_at, last_error)
  SELECT review_id, team_id, state, attempts, not_before, created_at, sent_at, last_error
  FROM review_notifications;
DROP TABLE review_notifications;
ALTER TABLE review_notifications_new RENAME TO review_notifications;
CREATE INDEX review_notifications_due ON review_notifications (state, not_before);
)sql",
      // 7: the
      // review text index also holds each review's team as a token in a third column, team_id
      // (the content table's own column), so a team's text matches are counted in the index
      // alone instead of by looking up every matching row (bench/reviews_bench: 1,000,000
      // reviews). User words are matched in {title body} only (sqlite_review_store.cc). The
      // index is rebuilt from the reviews.
      R"sql(
DROP TRIGGER reviews_fts_insert;
DROP TRIGGER reviews_fts_delete;
DROP TRIGGER reviews_fts_update;
DROP TABLE reviews_fts;
CREATE VIRTUAL TABLE reviews_fts USING fts5(
  title, body, team_id, content='reviews', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild');
CREATE TRIGGER reviews_fts_insert AFTER INSERT ON reviews BEGIN
  INSERT INTO reviews_fts (rowid, title, body, team_id)
    VALUES (new.id, new.title, new.body, new.team_id);
END;
CREATE TRIGGER reviews_fts_delete AFTER DELETE ON reviews BEGIN
  INSERT INTO reviews_fts (reviews_fts, rowid, title, body, team_id)
    VALUES ('delete', old.id, old.title, old.body, old.team_id);
END;
CREATE TRIGGER reviews_fts_update AFTER UPDATE OF title, body, team_id ON reviews BEGIN
  INSERT INTO reviews_fts (reviews_fts, rowid, title, body, team_id)
    VALUES ('delete', old.id, old.title, old.body, old.team_id);
  INSERT INTO reviews_fts (rowid, title, body, team_id)
    VALUES (new.id, new.title, new.body, new.team_id);
END;
)sql",
  };
  return migrations;
}

}  // namespace orchard::store::sqlite
