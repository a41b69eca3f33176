// A portfolio the size of the performance target — 100 apps with 2 in-app purchases each, a
// year of daily sales in 175 storefronts — answered as /api/v1 would answer the overview's
// queries, so the browser measures rendering alone (the server's side is bench/reports_bench).
const COUNTRIES = "US GB DE FR JP CN CA AU IT ES BR MX KR IN RU NL SE CH NO DK FI PL TR SA AE IL ZA EG NG KE AR CL CO PE VE EC UY PY BO CR PA GT HN SV NI DO JM TT BS BB PR CU HT BZ GY SR IS IE PT BE LU AT CZ SK HU SI HR RS BA ME MK AL GR BG RO MD UA BY LT LV EE GE AM AZ KZ UZ TM KG TJ MN CN HK MO TW JP KP VN LA KH TH MM MY SG ID PH BN TL PG FJ NZ SB VU NC PF WS TO KI FM MH PW NR TV CK NU TK WF AS GU MP LK MV NP BT BD PK AF IR IQ SY LB JO KW BH QA OM YE DZ MA TN LY SD SS ET ER DJ SO UG TZ RW BI CD CG GA GQ CM CF TD NE ML BF SN GM GW GN SL LR CI GH TG BJ MR CV ST AO ZM ZW MW MZ MG MU SC KM BW NA SZ LS".split(" ").filter((c, i, all) => all.indexOf(c) === i).slice(0, 175);

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function days(start, end) {
  const out = [];
  for (let d = new Date(start + "T00:00:00Z"); d.toISOString().slice(0, 10) <= end; d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
  return out;
}

const COLUMNS = ["downloads", "redownloads", "updates", "returns", "iap", "revenue", "gross_revenue", "other_units", "returns_amount"];

function row(r) {
  const dl = Math.floor(r() * 5000);
  const rev = Math.round(r() * 800000) / 100;
  return [dl, Math.floor(dl / 5), Math.floor(r() * 6000), Math.floor(r() * 20), Math.floor(dl / 8), rev, Math.round(rev * 150) / 100, 0, Math.round(r() * 9000) / 100];
}

export function products() {
  const list = [];
  for (let a = 0; a < 100; a++) {
    const id = String(1600000000 + a * 10);
    list.push({ apple_id: id, title: `App ${a + 1}`, kind: "app", parent_apple_id: "", sku: `app${a}` });
    for (let i = 1; i <= 2; i++) list.push({ apple_id: String(Number(id) + i), title: `Pack ${i}`, kind: "in_app", parent_apple_id: id, sku: `app${a}.p${i}` });
  }
  return { products: list };
}

// The answer to GET /api/v1/reports/sales with these parameters.
export function sales(params) {
  const start = params.get("start_date");
  const end = params.get("end_date");
  const by = (params.get("group_by") ?? "").split(",").filter(Boolean);
  const r = rng([...start].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7919) + by.length);
  let keys = [[]];
  if (by.includes("date")) keys = days(start, end).map((d) => [d]);
  else if (by.includes("product")) keys = products().products.map((p) => [p.apple_id]);
  else if (by.includes("country")) keys = COUNTRIES.map((c) => [c]);
  const rows = keys.map((k) => [...k, ...row(r)]);
  const totals = {};
  COLUMNS.forEach((c, i) => (totals[c] = Math.round(rows.reduce((s, x) => s + x[by.length ? i + 1 : i], 0) * 100) / 100));
  return {
    query: { report: "sales", start_date: start, end_date: end, granularity: "daily", group_by: by, products: [], countries: [], currency: "USD", format: "json" },
    columns: [...by, ...COLUMNS],
    rows: by.length ? rows : [],
    totals,
  };
}

// Routes a page's /api/v1 to the synthetic portfolio (signed in as an Owner).
export async function routeSynthetic(page) {
  await page.route("**/api/v1/**", async (route) => {
    const url = new URL(route.request().url());
    const json = (body) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
    if (url.pathname === "/api/v1/session") return json({ user: { id: 1, email: "perf@orchard.local" }, team: { id: 1, name: "Perf", role: "owner" }, csrf_token: "x" });
    if (url.pathname === "/api/v1/me") return json({ id: 1, email: "perf@orchard.local", preferences: { currency: "USD", time_zone: "UTC", date_format: "YYYY-MM-DD" }, teams: [{ id: 1, name: "Perf", role: "owner" }] });
    if (url.pathname === "/api/v1/products") return json(products());
    if (url.pathname === "/api/v1/reports/sales") return json(sales(url.searchParams));
    return route.fulfill({ status: 404, contentType: "application/json", body: '{"error":{"code":"not_found","message":"synthetic"}}' });
  });
}
