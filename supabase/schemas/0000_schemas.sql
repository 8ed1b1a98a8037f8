-- supabase/schemas/0000_schemas.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE EXTENSION IF NOT EXISTS "pg_cron" WITH SCHEMA pg_catalog;

CREATE EXTENSION IF NOT EXISTS "pg_net" WITH SCHEMA extensions;

CREATE EXTENSION IF NOT EXISTS "pgmq";

CREATE SCHEMA edge_guard;
