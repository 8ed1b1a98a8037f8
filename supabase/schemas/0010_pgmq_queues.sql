-- supabase/schemas/0010_pgmq_queues.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

SELECT pgmq.create('odoo_sync_chatter');

SELECT pgmq.create('odoo_sync_crm');
