// Vite builds the dashboard into one hashed JS file and one CSS file under assets/. Nothing is
// inlined (the server's Content-Security-Policy is default-src 'self'), and during development
// `npm run dev` proxies /api to a running `orchard serve` (ORCHARD_URL, default :8080).
import { defineConfig } from "vite";

const ORCHARD = process.env.ORCHARD_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1000,
  },
  // The proxy presents the page's requests as same-origin to Orchard's CSRF checks (Origin and
  // Host must agree), as they are when `orchard serve` serves the built files itself.
  server: {
    proxy: {
      "/api": {
        target: ORCHARD,
        changeOrigin: true,
        configure: (proxy) => proxy.on("proxyReq", (req) => req.setHeader("origin", ORCHARD)),
      },
    },
  },
});
