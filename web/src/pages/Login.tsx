import { useState } from "preact/hooks";
import { signIn, type SignedIn } from "../session";

export function Login({ onSignedIn }: { onSignedIn: (w: SignedIn) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      onSignedIn(await signIn(email.trim(), password));
      setPassword("");
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="center" id="main">
      <form class="card login" onSubmit={submit} aria-labelledby="login-title">
        <div class="brand big">
          <img src="/favicon.svg" alt="" width="36" height="36" />
          <span>Orchard</span>
        </div>
        <h1 id="login-title">Sign in</h1>
        <p class="muted">App Store analytics that stay on your own machine.</p>
        <label>
          E-mail
          <input
            type="email"
            name="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
