// Every page of the dashboard, in the order of the navigation. Adding a page for a new data set
// is one entry here and one component: the shell, the navigation and the URL handling follow.
import type { ComponentType } from "preact";
import type { SignedIn } from "../session";
import { Overview } from "./Overview";
import { Sales } from "./Sales";
import { Reviews } from "./Reviews";
import { Accounts } from "./Accounts";
import { LinkWizard } from "./LinkWizard";
import { Settings } from "./Settings";

export interface PageProps {
  who: SignedIn;
  params: URLSearchParams;
  path: string;
  refreshWho: () => void;
}

export interface PageDef {
  path: string;             // exact, or a prefix when `prefix` is set
  prefix?: boolean;
  title: string;
  nav?: string;             // the navigation's label (absent: not in the navigation)
  component: ComponentType<PageProps>;
}

export const PAGES: PageDef[] = [
  { path: "/", title: "Overview", nav: "Overview", component: Overview },
  { path: "/sales", title: "Sales", nav: "Sales", component: Sales },
  { path: "/reviews", title: "Reviews", nav: "Reviews", component: Reviews },
  { path: "/accounts/link", prefix: true, title: "Link an account", component: LinkWizard },
  { path: "/accounts", title: "Accounts", nav: "Accounts", component: Accounts },
  { path: "/settings", title: "Settings", nav: "Settings", component: Settings },
];

export function pageFor(path: string): PageDef | undefined {
  return PAGES.find((p) => (p.prefix ? path === p.path || path.startsWith(p.path + "/") : path === p.path));
}
