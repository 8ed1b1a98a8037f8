/**
 * Why the outbound policy refused a destination (docs/operations.md, "Outbound
 * calls"): the `reason` of the `odoo_destination_refused` log line and of
 * the `refusal` of `bot_run_finished`, and, in SQL
 * (`edge_guard.outbound_refusal`), of the `outbound_destination_refused`
 * alert's detail. Never the URL. Internal: read them through `error-catalogue.ts`.
 */
import type { CatalogueEntry } from "./entry.ts";

const refusal = (title: string, meaning: string, action: string) =>
  ({ kinds: ["refusal"], origin: "function", title, meaning, action }) as const;

const STORE = "Store an https URL of a public host.";

/** Why a destination was refused; the client's code is `odoo_`/`webhook_destination_refused`. */
export const REFUSAL_REASONS = {
  bad_url: refusal("Not a URL", "The stored value does not parse as a URL with a host.", STORE),
  scheme: refusal(
    "Not https",
    "The URL's scheme is not `https` (plain `http` only with the development allowance).",
    STORE,
  ),
  name: refusal(
    "Internal host name",
    "The host is an internal name (`*.internal`, `metadata`, ...), or, without the development " +
      "allowance, a local one (`localhost`, `*.local`, a name without a dot).",
    STORE,
  ),
  address: refusal(
    "Address not allowed",
    "The host is, or resolves to, an address outside public unicast; `addressClass` (in SQL " +
      "`address:<class>`) names its range: `metadata`, `link_local`, `cgnat`, `loopback`, " +
      "`private`, ... (loopback and private only with the development allowance).",
    `${STORE} A name that resolves to a private address must be reached another way.`,
  ),
  redirect: refusal(
    "Redirect",
    "The destination answered with a redirect, which is never followed (nothing is sent to " +
      "the `Location`).",
    "Store the final URL.",
  ),
} as const satisfies Record<string, CatalogueEntry>;
