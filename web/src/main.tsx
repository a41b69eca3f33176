// The dashboard: sign-in, then the shell (navigation, team switcher, user menu) around the page
// the URL names. Everything it shows comes from /api/v1.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, onSessionEnded } from "./api";
import { interceptLinks, navigate, useLocation } from "./router";
import { loadSignedIn, signOut, switchTeam, type SignedIn } from "./session";
import { Login } from "./pages/Login";
import { forgetProducts } from "./reports";
import { PAGES, pageFor } from "./pages/registry";
import "./styles.css";

function Shell({ who, setWho }: { who: SignedIn; setWho: (w: SignedIn | null) => void }) {
  const loc = useLocation();
  const page = pageFor(loc.path);
  const [menuOpen, setMenuOpen] = useState(false);
  const [teamError, setTeamError] = useState("");
  const firstPath = useRef(loc.path);
  useEffect(() => {
    document.title = page ? `${page.title} · Orchard` : "Not found · Orchard";
    setMenuOpen(false);
    // A new page takes the focus (screen readers announce it; the closed menu keeps none),
    // unless the page already put it somewhere inside (the wizard's step heading).
    const main = document.getElementById("main");
    const inside = main?.contains(document.activeElement) && document.activeElement !== main;
    if (loc.path !== firstPath.current && !inside) main?.focus();
    firstPath.current = "";
  }, [loc.path]);
  const refreshWho = () => {
    loadSignedIn().then(setWho).catch(() => setWho(null));
  };
  const Page = page?.component;
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href="/" aria-label="Orchard overview">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>Orchard</span>
        </a>
        <button
          class="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="nav" class={menuOpen ? "nav open" : "nav"} aria-label="Main">
          {PAGES.filter((p) => p.nav).map((p) => {
            const active = p.path === "/" ? loc.path === "/" : loc.path.startsWith(p.path);
            return (
              <a href={p.path} aria-current={active ? "page" : undefined} class={active ? "active" : ""}>
                {p.nav}
              </a>
            );
          })}
        </nav>
        <div class="who">
          <label class="team-switch">
            <span class="visually-hidden">Team</span>
            <select
              aria-label="Team"
              value={String(who.team?.id ?? "")}
              onChange={(e) => {
                const select = e.target as HTMLSelectElement;
                const id = Number(select.value);
                setTeamError("");
                switchTeam(id).then(
                  (w) => {
                    forgetProducts();
                    setWho(w);
                  },
                  (err) => {
                    select.value = String(who.team?.id ?? "");
                    setTeamError("Could not switch teams: " + (err as Error).message);
                  },
                );
              }}
            >
              {who.team === null && <option value="">Choose a team</option>}
              {who.me.teams.map((t) => (
                <option value={String(t.id)}>
                  {t.name} ({t.role})
                </option>
              ))}
            </select>
          </label>
          <span class="email" title={who.me.email}>
            {who.me.email}
          </span>
          <button
            class="secondary"
            onClick={async () => {
              await signOut().catch(() => {});
              forgetProducts();
              setWho(null);
              navigate("/", true);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {teamError && (
          <p class="error" role="alert">
            {teamError}
          </p>
        )}
        {who.team === null ? (
          <section class="card">
            <h1>No team yet</h1>
            <p>You are not a member of any team. Ask an Owner to add you (orchard users add … --team …).</p>
          </section>
        ) : Page ? (
          <Page key={who.team.id} who={who} params={loc.params} path={loc.path} refreshWho={refreshWho} />
        ) : (
          <section class="card">
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{loc.path}</code>. <a href="/">Go to the overview</a>.
            </p>
          </section>
        )}
      </main>
    </div>
  );
}

function App() {
  const [who, setWho] = useState<SignedIn | null | undefined>(undefined);
  const [bootError, setBootError] = useState("");
  useEffect(() => {
    onSessionEnded(() => setWho(null));
    loadSignedIn()
      .then(setWho)
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) setWho(null);
        else setBootError(e.message);
      });
  }, []);
  if (bootError) {
    return (
      <main class="center">
        <section class="card" role="alert">
          <h1>Orchard is not answering</h1>
          <p>{bootError}</p>
        </section>
      </main>
    );
  }
  if (who === undefined) return <main class="center" aria-busy="true">Loading…</main>;
  if (who === null) return <Login onSignedIn={setWho} />;
  return <Shell who={who} setWho={setWho} />;
}

const root = document.getElementById("app")!;
interceptLinks(root);
render(<App />, root);
