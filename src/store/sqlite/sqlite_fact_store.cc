#include "store/sqlite/sqlite_fact_store.h"

#include <cstring>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace orchard::store::sqlite {
namespace {

// A fact row in memory. On disk (chunk format 2) each row is eleven zigzag LEB128 varints in
// this order: day, apple_id, product_type, country, device, customer_currency,
// proceeds_currency, promo_code (dim ids), units, developer_proceeds, customer_price. Report rows
// are small numbers (one day, few dims, prices under a million), so a row takes ~20 bytes
// instead of 56: less to write twice (WAL, then checkpoint) and less to read back.
struct PackedSalesRow {
  int32_t day;
  uint32_t apple_id;
  uint32_t product_type;
  uint32_t country;
  uint32_t device;
  uint32_t customer_currency;
  uint32_t proceeds_currency;
  uint32_t promo_code;
  int64_t units;
  int64_t developer_proceeds;
  int64_t customer_price;
};
constexpr int64_t kFormat = 2;

void PutVarint(std::string* out, int64_t signed_value) {
  uint64_t v = (static_cast<uint64_t>(signed_value) << 1) ^ static_cast<uint64_t>(signed_value >> 63);
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads one varint; false on a truncated or over-long encoding.
bool GetVarint(const unsigned char*& p, const unsigned char* end, int64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const unsigned char b = *p++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
      return true;
    }
  }
  return false;
}

void Encode(const PackedSalesRow& r, std::string* out) {
  PutVarint(out, r.day);
  PutVarint(out, r.apple_id);
  PutVarint(out, r.product_type);
  PutVarint(out, r.country);
  PutVarint(out, r.device);
  PutVarint(out, r.customer_currency);
  PutVarint(out, r.proceeds_currency);
  PutVarint(out, r.promo_code);
  PutVarint(out, r.units);
  PutVarint(out, r.developer_proceeds);
  PutVarint(out, r.customer_price);
}

bool Decode(const unsigned char*& p, const unsigned char* end, PackedSalesRow* r) {
  int64_t v[11];
  for (int64_t& x : v) {
    if (!GetVarint(p, end, &x)) return false;
  }
  for (int i = 1; i < 8; ++i) {
    if (v[i] < 0 || v[i] > UINT32_MAX) return false;
  }
  if (v[0] < INT32_MIN || v[0] > INT32_MAX) return false;
  r->day = static_cast<int32_t>(v[0]);
  r->apple_id = static_cast<uint32_t>(v[1]);
  r->product_type = static_cast<uint32_t>(v[2]);
  r->country = static_cast<uint32_t>(v[3]);
  r->device = static_cast<uint32_t>(v[4]);
  r->customer_currency = static_cast<uint32_t>(v[5]);
  r->proceeds_currency = static_cast<uint32_t>(v[6]);
  r->promo_code = static_cast<uint32_t>(v[7]);
  r->units = v[8];
  r->developer_proceeds = v[9];
  r->customer_price = v[10];
  return true;
}

struct ProductSeen {
  std::string sku, title, parent_id, product_type;
  int32_t last_day = 0;
};

class SqliteSalesReportWriter final : public SalesReportWriter {
 public:
  SqliteSalesReportWriter(std::shared_ptr<Database> db, std::unique_lock<std::recursive_mutex> lock,
                          SalesReportKey key, int64_t now)
      : db_(std::move(db)), lock_(std::move(lock)), key_(std::move(key)), now_(now),
        dims_before_(db_->DimCount()) {}

  ~SqliteSalesReportWriter() override {
    if (open_) {
      (void)db_->Exec("ROLLBACK");
      db_->ForgetDimsAbove(dims_before_);
    }
  }

  Status Start() {
    ORCHARD_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
    open_ = true;
    ORCHARD_RETURN_IF_ERROR(db_->RefreshDims());
    dims_before_ = db_->DimCount();
    // Every delivery gets a stamp above every stored one (read before the delete, so a new
    // version never reuses its predecessor's).
    ORCHARD_ASSIGN_OR_RETURN(Statement stamp,
                             db_->Prepare("SELECT COALESCE(MAX(stamp), 0) + 1 FROM sales_reports"));
    ORCHARD_ASSIGN_OR_RETURN(bool stamped, stamp.Step());
    const int64_t next_stamp = stamped ? stamp.Int(0) : 1;
    // Replace: drop the previous version of this report (its chunks cascade).
    ORCHARD_ASSIGN_OR_RETURN(
        Statement del, db_->Prepare("DELETE FROM sales_reports WHERE account_id = ? AND "
                                    "frequency = ? AND report_date = ? AND team_id = ?"));
    del.Bind(1, key_.account_id).Bind(2, key_.frequency).Bind(3, int64_t{key_.report_date.days()});
    del.Bind(4, key_.team_id);
    ORCHARD_RETURN_IF_ERROR(del.Run());
    ORCHARD_ASSIGN_OR_RETURN(
        Statement ins, db_->Prepare("INSERT INTO sales_reports (team_id, account_id, frequency, "
                                    "report_date, row_count, loaded_at, stamp) VALUES (?, ?, ?, ?, 0, ?, ?)"));
    ins.Bind(1, key_.team_id)
        .Bind(2, key_.account_id)
        .Bind(3, key_.frequency)
        .Bind(4, int64_t{key_.report_date.days()})
        .Bind(5, now_)
        .Bind(6, next_stamp);
    ORCHARD_RETURN_IF_ERROR(ins.Run());
    report_id_ = db_->LastInsertId();
    ORCHARD_ASSIGN_OR_RETURN(insert_chunk_,
                             db_->Prepare("INSERT INTO sales_chunks (report_id, chunk, product, "
                                          "format, row_count, data) VALUES (?, ?, ?, ?, ?, ?)"));
    return Status::Ok();
  }

  Status Add(const SalesFact& f) override {
    if (!open_) return Status(Code::kFailedPrecondition, "report writer is closed");
    PackedSalesRow row{};
    row.day = f.day.days();
    ORCHARD_ASSIGN_OR_RETURN(row.apple_id, Dim(0, f.apple_id));
    ORCHARD_ASSIGN_OR_RETURN(row.product_type, Dim(1, f.product_type));
    ORCHARD_ASSIGN_OR_RETURN(row.country, Dim(2, f.country));
    ORCHARD_ASSIGN_OR_RETURN(row.device, Dim(3, f.device));
    ORCHARD_ASSIGN_OR_RETURN(row.customer_currency, Dim(4, f.customer_currency));
    ORCHARD_ASSIGN_OR_RETURN(row.proceeds_currency, Dim(5, f.proceeds_currency));
    ORCHARD_ASSIGN_OR_RETURN(row.promo_code, Dim(6, f.promo_code));
    row.units = f.units;
    row.developer_proceeds = f.developer_proceeds;
    row.customer_price = f.customer_price;
    Pending& chunk = chunks_[row.apple_id];
    Encode(row, &chunk.data);
    ++chunk.rows;
    ++row_count_;
    NoteProduct(row.apple_id, f);
    if (chunk.rows == static_cast<int64_t>(SqliteFactStore::kChunkRows)) {
      return FlushChunk(row.apple_id, &chunk);
    }
    return Status::Ok();
  }

  Status Commit() override {
    if (!open_) return Status(Code::kFailedPrecondition, "report writer is closed");
    for (auto& [product, chunk] : chunks_) ORCHARD_RETURN_IF_ERROR(FlushChunk(product, &chunk));
    ORCHARD_ASSIGN_OR_RETURN(Statement count,
                             db_->Prepare("UPDATE sales_reports SET row_count = ? WHERE id = ?"));
    count.Bind(1, row_count_).Bind(2, report_id_);
    ORCHARD_RETURN_IF_ERROR(count.Run());
    ORCHARD_RETURN_IF_ERROR(UpsertProducts());
    ORCHARD_RETURN_IF_ERROR(db_->Exec("COMMIT"));
    open_ = false;
    return Status::Ok();
  }

 private:
  // Interning with a one-entry cache per column: consecutive rows mostly repeat values.
  Result<uint32_t> Dim(int column, std::string_view value) {
    auto& last = last_[column];
    if (last.valid && last.value == value) return last.id;
    ORCHARD_ASSIGN_OR_RETURN(uint32_t id, db_->DimId(value));
    last.valid = true;
    last.id = id;
    last.value = db_->DimValue(id);
    return id;
  }

  void NoteProduct(uint32_t apple_id, const SalesFact& f) {
    auto [it, inserted] = products_.try_emplace(apple_id);
    if (inserted || f.day.days() >= it->second.last_day) {
      if (!inserted && it->second.sku == f.sku && it->second.title == f.title &&
          it->second.product_type == f.product_type) {
        return;
      }
      it->second.sku = f.sku;
      it->second.title = f.title;
      it->second.parent_id = f.parent_id;
      it->second.product_type = f.product_type;
      it->second.last_day = f.day.days();
    }
  }

  // Rows waiting for their product's next chunk.
  struct Pending {
    std::string data;  // encoded rows
    int64_t rows = 0;
  };

  Status FlushChunk(uint32_t product, Pending* chunk) {
    if (chunk->rows == 0) return Status::Ok();
    insert_chunk_.Bind(1, report_id_)
        .Bind(2, chunk_no_++)
        .Bind(3, int64_t{product})
        .Bind(4, kFormat)
        .Bind(5, chunk->rows)
        .BindBlob(6, chunk->data);
    ORCHARD_RETURN_IF_ERROR(insert_chunk_.Run());
    chunk->data.clear();
    chunk->rows = 0;
    return Status::Ok();
  }

  Status UpsertProducts() {
    ORCHARD_ASSIGN_OR_RETURN(
        Statement st,
        db_->Prepare("INSERT INTO products (team_id, apple_id, sku, title, parent_id, "
                     "product_type, last_day) VALUES (?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (team_id, apple_id) DO UPDATE SET sku = excluded.sku, "
                     "title = excluded.title, parent_id = excluded.parent_id, "
                     "product_type = excluded.product_type, last_day = excluded.last_day "
                     "WHERE excluded.last_day >= products.last_day"));
    for (const auto& [id, p] : products_) {
      st.Bind(1, key_.team_id)
          .Bind(2, db_->DimValue(id))
          .Bind(3, p.sku)
          .Bind(4, p.title)
          .Bind(5, p.parent_id)
          .Bind(6, p.product_type)
          .Bind(7, int64_t{p.last_day});
      ORCHARD_RETURN_IF_ERROR(st.Run());
    }
    return Status::Ok();
  }

  struct LastDim {
    bool valid = false;
    uint32_t id = 0;
    std::string value;
  };

  std::shared_ptr<Database> db_;
  std::unique_lock<std::recursive_mutex> lock_;
  SalesReportKey key_;
  int64_t now_;
  size_t dims_before_;
  bool open_ = false;
  int64_t report_id_ = 0;
  int64_t chunk_no_ = 0;
  int64_t row_count_ = 0;
  Statement insert_chunk_;
  std::map<uint32_t, Pending> chunks_;  // by product (dim id): a chunk holds one product's rows
  LastDim last_[7];
  std::unordered_map<uint32_t, ProductSeen> products_;
};

}  // namespace

Result<std::unique_ptr<SalesReportWriter>> SqliteFactStore::BeginSalesReport(
    const SalesReportKey& key) {
  auto writer = std::make_unique<SqliteSalesReportWriter>(db_, db_->lock(), key,
                                                          clock_->NowSeconds());
  ORCHARD_RETURN_IF_ERROR(writer->Start());
  return std::unique_ptr<SalesReportWriter>(std::move(writer));
}

Result<std::vector<StoredSalesReport>> SqliteFactStore::ListSalesReports(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT id, account_id, frequency, report_date, stamp FROM "
                                 "sales_reports WHERE team_id = ? ORDER BY id"));
  st.Bind(1, team_id);
  std::vector<StoredSalesReport> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.Int(0), st.Int(1), std::string(st.Text(2)),
                   Date::FromDays(static_cast<int32_t>(st.Int(3))), st.Int(4)});
  }
  return out;
}

Status SqliteFactStore::ScanSales(const SalesScan& scan,
                                  const std::function<void(const SalesRecord&)>& on_record) {
  auto lock = db_->lock();
  ORCHARD_RETURN_IF_ERROR(db_->RefreshDims());
  const int32_t lo = scan.start ? scan.start->days() : INT32_MIN;
  const int32_t hi = scan.end ? scan.end->days() : INT32_MAX;

  // Which reports to read, with which weight and on which day.
  std::vector<ReportRole> roles;
  if (scan.frequency.empty()) {
    std::vector<ReportRole> planned;
    if (scan.plan == nullptr) {
      ORCHARD_ASSIGN_OR_RETURN(auto reports, ListSalesReports(scan.team_id));
      planned = PlanCombinedView(reports);
    }
    for (const ReportRole& r : scan.plan ? *scan.plan : planned) {
      if (r.last.days() >= lo && r.first.days() <= hi) roles.push_back(r);
    }
  } else {
    ORCHARD_ASSIGN_OR_RETURN(
        Statement st, db_->Prepare("SELECT id, report_date FROM sales_reports WHERE team_id = ? AND "
                                   "frequency = ? AND report_date BETWEEN ? AND ? "
                                   "ORDER BY report_date, id"));
    // Weekly and longer reports start before their last day: widen the lower bound by a year.
    const int64_t from = scan.start ? int64_t{lo} - (scan.frequency == "DAILY" ? 0 : 366) : INT32_MIN;
    st.Bind(1, scan.team_id).Bind(2, scan.frequency).Bind(3, from).Bind(4, int64_t{hi});
    while (true) {
      ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      const Date d = Date::FromDays(static_cast<int32_t>(st.Int(1)));
      roles.push_back({st.Int(0), 1, std::nullopt, d, d, 0});
    }
  }

  // Filters become sets of dim ids (a value never interned cannot match anything).
  auto to_ids = [&](const std::vector<std::string>& values, std::unordered_set<uint32_t>* ids) {
    for (const auto& v : values) {
      if (auto id = db_->FindDim(v)) ids->insert(*id);
    }
  };
  std::unordered_set<uint32_t> countries, products;
  to_ids(scan.countries, &countries);
  to_ids(scan.products, &products);
  if ((!scan.countries.empty() && countries.empty()) || (!scan.products.empty() && products.empty())) {
    return Status::Ok();
  }

  // A product filter reads only that product's chunks (and chunks stored before chunks were
  // per product, whose product is NULL).
  ORCHARD_ASSIGN_OR_RETURN(Statement all_chunks,
                           db_->Prepare("SELECT format, row_count, data FROM sales_chunks "
                                        "WHERE report_id = ? ORDER BY chunk"));
  // Both through the (report_id, product) index, in rowid order, which is chunk order.
  ORCHARD_ASSIGN_OR_RETURN(Statement legacy_chunks,
                           db_->Prepare("SELECT format, row_count, data FROM sales_chunks "
                                        "INDEXED BY sales_chunks_by_product "
                                        "WHERE report_id = ? AND product IS NULL"));
  ORCHARD_ASSIGN_OR_RETURN(Statement one_product_chunks,
                           db_->Prepare("SELECT format, row_count, data FROM sales_chunks "
                                        "INDEXED BY sales_chunks_by_product "
                                        "WHERE report_id = ? AND product = ?"));
  std::vector<int64_t> product_list(products.begin(), products.end());
  std::sort(product_list.begin(), product_list.end());

  SalesRecord rec;
  auto read_chunks = [&](Statement& chunks, const ReportRole& role, bool any_product) -> Status {
    rec.weight = role.weight;
    while (true) {
      ORCHARD_ASSIGN_OR_RETURN(bool row, chunks.Step());
      if (!row) break;
      const int64_t format = chunks.Int(0);
      const int64_t count = chunks.Int(1);
      const std::string_view data = chunks.Blob(2);
      auto damaged = [&] {
        return Status(Code::kDataLoss, "a stored sales chunk is damaged (format " +
                                           std::to_string(format) + ", " +
                                           std::to_string(data.size()) + " bytes)");
      };
      if (format != kFormat || count < 0) return damaged();
      const auto* cursor = reinterpret_cast<const unsigned char*>(data.data());
      const auto* end = cursor + data.size();
      for (int64_t i = 0; i < count; ++i) {
        PackedSalesRow p;
        if (!Decode(cursor, end, &p)) return damaged();
        const int32_t day = role.day ? role.day->days() : p.day;
        if (day < lo || day > hi) continue;
        if (!countries.empty() && !countries.contains(p.country)) continue;
        if (!any_product && !products.contains(p.apple_id)) continue;
        const uint32_t max_id = std::max({p.apple_id, p.product_type, p.country, p.device,
                                          p.customer_currency, p.proceeds_currency, p.promo_code});
        if (max_id >= db_->DimCount()) {
          return Status(Code::kDataLoss, "a stored sales row names an unknown dimension value");
        }
        rec.day = Date::FromDays(day);
        rec.apple_id = db_->DimValue(p.apple_id);
        rec.product_type = db_->DimValue(p.product_type);
        rec.country = db_->DimValue(p.country);
        rec.device = db_->DimValue(p.device);
        rec.customer_currency = db_->DimValue(p.customer_currency);
        rec.proceeds_currency = db_->DimValue(p.proceeds_currency);
        rec.promo_code = db_->DimValue(p.promo_code);
        rec.units = p.units;
        rec.developer_proceeds = p.developer_proceeds;
        rec.customer_price = p.customer_price;
        on_record(rec);
      }
      if (cursor != end) return damaged();  // bytes left over: the row count does not match
    }
    chunks.Reset();
    return Status::Ok();
  };

  for (const ReportRole& role : roles) {
    if (product_list.empty()) {
      all_chunks.Bind(1, role.report_id);
      ORCHARD_RETURN_IF_ERROR(read_chunks(all_chunks, role, true));
      continue;
    }
    // Each wanted product's chunks, and the chunks of an old report that hold every product
    // (read once, keeping the wanted products' rows).
    legacy_chunks.Bind(1, role.report_id);
    ORCHARD_RETURN_IF_ERROR(read_chunks(legacy_chunks, role, false));
    for (int64_t product : product_list) {
      one_product_chunks.Bind(1, role.report_id).Bind(2, product);
      ORCHARD_RETURN_IF_ERROR(read_chunks(one_product_chunks, role, false));
    }
  }
  return Status::Ok();
}

Result<std::vector<Product>> SqliteFactStore::ListProducts(int64_t team_id) {
  auto lock = db_->lock();
  ORCHARD_ASSIGN_OR_RETURN(
      Statement st, db_->Prepare("SELECT apple_id, sku, title, parent_id, product_type FROM "
                                 "products WHERE team_id = ? ORDER BY apple_id"));
  st.Bind(1, team_id);
  std::vector<Product> out;
  while (true) {
    ORCHARD_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({std::string(st.Text(0)), std::string(st.Text(1)), std::string(st.Text(2)),
                   std::string(st.Text(3)), std::string(st.Text(4))});
  }
  return out;
}

}  // namespace orchard::store::sqlite
