// Who is signed in, in which team, with which preferences: loaded once, refreshed on changes.
import { api, get, setCsrfToken, type Me, type Session, type TeamRef } from "./api";
import { setPreferences } from "./format";

export interface SignedIn {
  session: Session;
  me: Me;
  team: TeamRef | null;
}

export async function loadSignedIn(): Promise<SignedIn> {
  const session = await get<Session>("/api/v1/session");
  setCsrfToken(session.csrf_token ?? "");
  const me = await get<Me>("/api/v1/me");
  setPreferences(me.preferences);
  return { session, me, team: session.team };
}

export async function signIn(email: string, password: string): Promise<SignedIn> {
  const r = await api<{ csrf_token: string }>("POST", "/api/v1/session", { email, password });
  setCsrfToken(r.csrf_token);
  return loadSignedIn();
}

export async function signOut(): Promise<void> {
  try {
    await api("DELETE", "/api/v1/session");
  } finally {
    setCsrfToken("");
  }
}

export async function switchTeam(teamId: number): Promise<SignedIn> {
  await api("PUT", "/api/v1/session/team", { team_id: teamId });
  return loadSignedIn();
}

export function canManage(team: TeamRef | null): boolean {
  return team?.role === "admin" || team?.role === "owner";
}
