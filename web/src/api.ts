// The one way the dashboard talks to Orchard: /api/v1, JSON, the session cookie (HttpOnly, set
// by POST /api/v1/session) and the CSRF token the session answers, sent on every change.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = "";
let onSignedOut: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

// Called when the server says the session has ended (401), so the app shows the sign-in page.
export function onSessionEnded(handler: () => void): void {
  onSignedOut = handler;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "unreachable", "Orchard is not answering. Is `orchard serve` running?");
  }
  if (!res.ok) {
    let code = "error";
    let message = `${res.status} ${res.statusText}`;
    try {
      const doc = await res.json();
      if (doc?.error) {
        code = doc.error.code ?? code;
        message = doc.error.message ?? message;
      }
    } catch {
      // not JSON: keep the status line
    }
    if (res.status === 401 && path !== "/api/v1/session") onSignedOut();
    throw new ApiError(res.status, code, message);
  }
  return res;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  return (await res.json()) as T;
}

export const get = <T>(path: string) => api<T>("GET", path);

// "?a=1&b=2" from the non-empty entries.
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

// ---- the shapes the dashboard reads ----

export type Role = "viewer" | "admin" | "owner";

export interface TeamRef {
  id: number;
  name: string;
  role: Role;
}

export interface Preferences {
  currency: string;
  time_zone: string;
  date_format: string;
}

export interface Me {
  id: number;
  email: string;
  preferences: Preferences;
  teams: TeamRef[];
}

export interface Session {
  user: { id: number; email: string };
  team: TeamRef | null;
  csrf_token?: string;
}

// {"sales":{"ok":true},"reviews_reply":{"ok":false,"why":"the key lacks …"}}
export interface Capability {
  ok: boolean;
  why?: string;
}

export interface Account {
  id: number;
  method: "asc-key" | "app-password" | "apple-id" | "search-ads";
  name: string;
  status: string;
  capabilities: Record<string, Capability>;
  capabilities_checked_at: number;
  created_at: number;
  last_sync_at: number;
  last_error: string;
  next_sync_at?: number;
  sync_note?: string; // why the Sales scheduler passes this account by ("" when it does not)
  issuer_id?: string;
  key_id?: string;
  vendor_number?: string;
  apple_id?: string;
  client_id?: string;
  trust_expires_at?: number;
  token_expires_at?: number;
  message?: string;
  next?: { step: string; path: string };
  // health
  state?: string;
  refresh_due_at?: number;
  capabilities_summary?: string;
}

export interface Member {
  user_id: number;
  email: string;
  role: Role;
}
