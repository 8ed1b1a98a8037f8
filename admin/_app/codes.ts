/**
 * What a watchdog alert code means to a person: its title, meaning and what
 * to do, from the project's error catalogue
 * (`supabase/functions/_shared/error-catalogue.ts`, the same words as
 * docs/errors.md). An alert about the whole project is one the organization's
 * admin cannot fix alone, so its action is addressed to the operator. Pure
 * (no DOM).
 */
import {
  type CatalogueEntry,
  ERROR_CATALOGUE,
  isErrorCode,
} from "../../supabase/functions/_shared/error-catalogue.ts";

/** A code said in words. */
export interface CodeWords {
  title: string;
  meaning: string;
  action: string;
}

const OPERATOR = "Tell your operator (whoever runs this Supabase project)";

/** The catalogue writes names as `code`; the page shows plain text. */
const plain = (text: string) => text.replaceAll("`", "");
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * The words for a watchdog check id; an unknown code is named as it is.
 *
 * @example
 * alertWords("http_auth_rejected").title; // "Cron calls refused (401/403)"
 */
export function alertWords(code: string): CodeWords {
  if (!isErrorCode(code, "alert")) {
    return {
      title: code,
      meaning: "The watchdog raised this check.",
      action: `${OPERATOR}; ./dev doctor names the problem.`,
    };
  }
  const entry: CatalogueEntry = ERROR_CATALOGUE[code];
  const action = plain(entry.action);
  return {
    title: entry.title,
    meaning: plain(entry.meaning),
    action: entry.scope === "project" ? `${OPERATOR}: ${lowerFirst(action)}` : action,
  };
}
