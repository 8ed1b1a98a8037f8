/**
 * Realistic `crm.lead` and `mail.message` records for the fake Odoo (and the
 * local stack's demo data). Internal to `supabase/local/odoo.ts`, which re-exports
 * `makeLeads`, `makeMessages` and `MakeLeadsOptions`.
 *
 * @module
 */
import { odooDatetime, type OdooRecord } from "./model.ts";

const COMPANIES = [
  "Azure Interior",
  "Deco Addict",
  "Gemini Furniture",
  "Café Lumière",
  "Lumber Inc",
  "Ready Mat",
  "Wood Corner",
  "Ørsted & Søn",
];
const STAGES: [number, string, number][] = [[1, "New", 10], [2, "Qualified", 30], [
  3,
  "Proposition",
  60,
], [4, "Won", 100]];
const SALESPEOPLE: ([number, string] | false)[] = [[2, "Mitchell Admin"], [6, "Marc Demo"], false];

/** Options of {@linkcode makeLeads}. */
export interface MakeLeadsOptions {
  /** `write_date` of the first lead. */
  start: Date;
  /** Seconds between consecutive distinct `write_date`s. Default: 60. */
  stepSeconds?: number;
  /** Runs of this many consecutive leads share one `write_date`. Default: 3; 1 = all distinct. */
  sameTimestampEvery?: number;
  /** Id of the first lead. Default: 1. */
  firstId?: number;
}

/**
 * Makes `n` realistic `crm.lead` records with ascending ids and non-decreasing
 * `write_date`s (repeated in runs, see `sameTimestampEvery`). Some have no
 * salesperson, email or company (`false`); names include non-ASCII text.
 *
 * @param n how many leads.
 * @param opts start time, spacing and repetition of `write_date`.
 * @returns the records, in Odoo's JSON shape.
 * @example
 * const leads = makeLeads(10_000, { start: new Date("2024-01-01T00:00:00Z"), sameTimestampEvery: 5 });
 */
export function makeLeads(n: number, opts: MakeLeadsOptions): OdooRecord[] {
  const step = (opts.stepSeconds ?? 60) * 1000;
  const run = Math.max(1, Math.floor(opts.sameTimestampEvery ?? 3));
  const first = opts.firstId ?? 1;
  return Array.from({ length: n }, (_, i) => {
    const id = first + i;
    const written = new Date(opts.start.getTime() + Math.floor(i / run) * step);
    const [stageId, stageName, probability] = STAGES[id % STAGES.length];
    const company = COMPANIES[id % COMPANIES.length];
    return {
      id,
      name: `${company}: ${["Office chairs", "Desks", "Design study", "Cabinets"][id % 4]} #${id}`,
      partner_name: id % 11 === 0 ? false : company,
      email_from: id % 7 === 0
        ? false
        : `contact${id}@${company.toLowerCase().replace(/[^a-z]+/g, "")}.example`,
      stage_id: [stageId, stageName],
      user_id: SALESPEOPLE[id % SALESPEOPLE.length],
      probability,
      expected_revenue: 500 * ((id * 37) % 40 + 1),
      active: true,
      create_date: odooDatetime(new Date(written.getTime() - (id % 5) * 3_600_000)),
      write_date: odooDatetime(written),
    };
  });
}

/**
 * Makes `perLead` `mail.message` records for each lead: comments (HTML body,
 * "Discussions" or "Note" subtype) and tracking notifications (empty body).
 * Ids ascend from `firstId` (default 1); `date` and `write_date` follow the
 * lead's `create_date`, one minute apart.
 *
 * @param leads records from {@linkcode makeLeads} (needs `id`, `create_date`, `partner_name`).
 * @param perLead messages per lead.
 * @param opts `firstId`, default 1.
 * @returns the records, in Odoo's JSON shape.
 * @example
 * const messages = makeMessages(makeLeads(100, { start: new Date() }), 3);
 */
export function makeMessages(
  leads: OdooRecord[],
  perLead: number,
  opts: { firstId?: number } = {},
): OdooRecord[] {
  let id = opts.firstId ?? 1;
  return leads.flatMap((lead) =>
    Array.from({ length: perLead }, (_, j) => {
      const created = Date.parse(`${String(lead.create_date).replace(" ", "T")}Z`);
      const stamp = odooDatetime(new Date(created + (j + 1) * 60_000));
      const comment = j % 3 !== 2;
      const who = lead.partner_name || "the customer";
      return {
        id: id++,
        model: "crm.lead",
        res_id: lead.id,
        body: comment ? `<p>Call with ${who}: follow-up #${j + 1} &amp; next steps</p>` : "",
        author_id: j % 2 === 0 ? [3, "Mitchell Admin"] : [7, "Marc Demo"],
        message_type: comment ? "comment" : "notification",
        subtype_id: comment
          ? (j % 2 === 0 ? [1, "Discussions"] : [2, "Note"])
          : [8, "Stage Changed"],
        date: stamp,
        create_date: stamp,
        write_date: stamp,
      };
    })
  );
}
