import assert from "node:assert/strict";
import { entryKey, parseDump } from "./dump.ts";

// The shape pg_dump 15 writes (pg_backup_archiver.c `_printTocEntry`), with
// pg_dump 15.14+'s `\restrict` guard lines.
const DUMP = `\\restrict abc123
SET statement_timeout = 0;

--
-- Name: bots; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.bots (
    id uuid NOT NULL
);


ALTER TABLE public.bots OWNER TO postgres;

--
-- Name: bots bots_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.bots
    ADD CONSTRAINT bots_pkey PRIMARY KEY (id);


--
-- PostgreSQL database dump complete
--

\\unrestrict abc123
`;

Deno.test("parseDump: one entry per header, without ownership or restrict lines", () => {
  const entries = parseDump(DUMP);
  assert.deepEqual(entries.map(entryKey), [
    "TABLE public.bots",
    "CONSTRAINT public.bots bots_pkey",
  ]);
  assert.equal(entries[0].sql, "CREATE TABLE public.bots (\n    id uuid NOT NULL\n);");
  assert.equal(
    entries[1].sql,
    "ALTER TABLE ONLY public.bots\n    ADD CONSTRAINT bots_pkey PRIMARY KEY (id);",
  );
});
