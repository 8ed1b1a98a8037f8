-- LOCAL STACK ONLY. Never apply to a real Supabase project: the platform ships
-- the real `pg_net` extension (a C background worker using libcurl).
--
-- Stand-in for pg_net with the real names, columns and signatures (supabase/
-- pg_net 0.1x): `net.http_post(url, body, params, headers, timeout_milliseconds)`
-- and `net.http_get(url, params, headers, timeout_milliseconds)` return a request
-- id and queue the request in `net.http_request_queue`; the TypeScript worker
-- `supabase/local/pg_net_worker.ts` sends it and writes `net._http_response`
-- under the same id, and deletes responses older than `pg_net.ttl` in batches
-- of `pg_net.batch_size`, as the real worker does (supabase/pg_net
-- src/core.c delete_expired_responses; src/worker.c: ttl '6 hours', batch 200).
-- Checked against supabase/pg_net sql/pg_net.sql: both tables are UNLOGGED;
-- `grant usage on schema net to PUBLIC` and `grant all on all tables /
-- sequences in schema net to PUBLIC`; functions keep the default PUBLIC
-- execute (hosted Supabase grants it to postgres, anon, authenticated and
-- service_role explicitly: supabase/postgres
-- migrations/db/migrations/20220713082019_pg_cron-pg_net-temp-perms-fix.sql).
-- `http_request_queue.headers` is nullable (sql/pg_net--0.19.2--0.19.3.sql).
-- An empty response body is stored as NULL (src/core.c, insert_response).
-- Applied by `supabase_admin`. Re-runnable.

create schema if not exists net;

do $$
begin
  if not exists (
    select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'net' and t.typname = 'http_method'
  ) then
    create domain net.http_method as text
      check (value ilike 'get' or value ilike 'post' or value ilike 'delete');
  end if;
end
$$;

create unlogged table if not exists net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds int not null
);
create index if not exists http_request_queue_id_idx on net.http_request_queue (id);

create unlogged table if not exists net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out bool,
  error_msg text,
  created timestamptz not null default now()
);
create index if not exists _http_response_created_idx on net._http_response (created);
create index if not exists _http_response_id_idx on net._http_response (id);

-- Percent-encodes a string like curl_easy_escape (unreserved characters kept).
create or replace function net._local_urlencode(s text)
returns text
language sql immutable
as $$
  select coalesce(string_agg(
    case when ch ~ '^[A-Za-z0-9._~-]$' then ch
      else upper(regexp_replace(encode(convert_to(ch, 'UTF8'), 'hex'), '(..)', '%\1', 'g'))
    end, '' order by i), '')
  from regexp_split_to_table(s, '') with ordinality as t(ch, i)
$$;

-- Appends url-encoded params to the url, like the real _encode_url_with_params_array.
create or replace function net._local_url_with_params(url text, params jsonb)
returns text
language sql immutable
as $$
  select case
    when params is null or params = '{}'::jsonb then url
    else url || case when position('?' in url) > 0 then '&' else '?' end || (
      select string_agg(net._local_urlencode(key) || '=' || net._local_urlencode(value), '&')
      from jsonb_each_text(params))
  end
$$;

create or replace function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000
)
returns bigint
language plpgsql volatile
as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._local_url_with_params(url, params), headers, timeout_milliseconds)
  returning id into request_id;
  return request_id;
end
$$;

create or replace function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds int default 5000
)
returns bigint
language plpgsql volatile
as $$
declare
  request_id bigint;
  content_type text;
begin
  select header_value into content_type
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) r(header_name, header_value)
  where lower(header_name) = 'content-type'
  limit 1;

  if content_type is null then
    headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  elsif content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  if body is null then
    raise exception 'body must not be null';
  end if;

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', net._local_url_with_params(url, params), headers,
    convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;
  return request_id;
end
$$;

grant usage on schema net to public;
grant all on all sequences in schema net to public;
grant all on all tables in schema net to public;
