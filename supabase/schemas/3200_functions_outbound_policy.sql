-- supabase/schemas/3200_functions_outbound_policy.sql: the current definition (README.md here; docs/database.md, "Declarative schemas").

CREATE FUNCTION edge_guard.address_class(a inet) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select coalesce((select r.cls from (values
    ('0.0.0.0/8', 'unspecified'), ('10.0.0.0/8', 'private'), ('100.100.100.200/32', 'metadata'),
    ('100.64.0.0/10', 'cgnat'), ('127.0.0.0/8', 'loopback'), ('169.254.169.254/32', 'metadata'),
    ('169.254.170.2/32', 'metadata'), ('169.254.0.0/16', 'link_local'), ('172.16.0.0/12', 'private'),
    ('192.0.0.0/24', 'reserved'), ('192.0.2.0/24', 'documentation'), ('192.88.99.0/24', 'reserved'),
    ('192.168.0.0/16', 'private'), ('198.18.0.0/15', 'benchmarking'),
    ('198.51.100.0/24', 'documentation'), ('203.0.113.0/24', 'documentation'),
    ('224.0.0.0/4', 'multicast'), ('240.0.0.0/4', 'reserved'),
    ('::/128', 'unspecified'), ('::1/128', 'loopback'), ('::ffff:0:0/96', 'ipv4_mapped'),
    ('::/96', 'ipv4_compatible'), ('64:ff9b::/96', 'translated'), ('64:ff9b:1::/48', 'translated'),
    ('100::/64', 'reserved'), ('2001:db8::/32', 'documentation'), ('2001:2::/48', 'benchmarking'),
    ('2001::/23', 'reserved'), ('2002::/16', 'translated'), ('3fff::/20', 'documentation'),
    ('fd00:ec2::254/128', 'metadata'), ('fc00::/7', 'unique_local'), ('fe80::/10', 'link_local'),
    ('fec0::/10', 'reserved'), ('ff00::/8', 'multicast'), ('2000::/3', 'public'), ('::/0', 'reserved')
  ) r(net, cls)
  where family(r.net::inet) = family(a) and a <<= r.net::inet
  order by masklen(r.net::inet) desc limit 1), 'public')
$$;

CREATE FUNCTION edge_guard.inet_aton_part(p text) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $_$
declare
  radix integer := 10;
  digits text := p;
  n numeric := 0;
  c text;
begin
  if p ~* '^0x[0-9a-f]*$' then radix := 16; digits := substr(p, 3);
  elsif p ~ '^0[0-7]+$' then radix := 8; digits := substr(p, 2);
  elsif p !~ '^[0-9]+$' then return null;
  end if;
  if length(digits) > 40 then return null; end if;
  foreach c in array regexp_split_to_array(lower(digits), '') loop
    n := n * radix + strpos('0123456789abcdef', c) - 1;
  end loop;
  return n;
end
$_$;

CREATE FUNCTION edge_guard.ipv4_of(p_host text) RETURNS inet
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
declare
  parts text[] := string_to_array(p_host, '.');
  cnt integer := cardinality(parts);
  n numeric := 0;
  v numeric;
begin
  if cnt < 1 or cnt > 4 then return null; end if;
  for i in 1..cnt loop
    v := edge_guard.inet_aton_part(parts[i]);
    if v is null or (i < cnt and v > 255) or (i = cnt and v >= 256 ^ (5 - cnt)) then
      return null;
    end if;
    n := case when i < cnt then n * 256 + v else n * 256 ^ (5 - cnt) + v end;
  end loop;
  return (div(n, 16777216) || '.' || mod(div(n, 65536), 256) || '.' || mod(div(n, 256), 256) ||
    '.' || mod(n, 256))::inet;
end
$$;

CREATE FUNCTION edge_guard.outbound_refusal(url text, allow_private boolean) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $_$
declare
  scheme text := lower(substring(url from '^([A-Za-z][A-Za-z0-9+.-]*):'));
  host text := substring(url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#]*)');
  addr inet;
  cls text;
begin
  if scheme is null then return 'bad_url'; end if;
  if scheme <> 'https' and not (allow_private and scheme = 'http') then return 'scheme'; end if;
  if host is null or host = '' then return 'bad_url'; end if;
  if host like '[%' then
    begin
      addr := substring(host from '^\[([0-9A-Fa-f:.]+)\]')::inet;
    exception when others then
      return 'bad_url';
    end;
    if addr is null then return 'bad_url'; end if;
  else
    host := regexp_replace(regexp_replace(lower(host), ':[0-9]*$', ''), '\.$', '');
    if split_part(host, '.', -1) ~ '^(0x[0-9a-f]*|[0-9]+)$' then
      addr := edge_guard.ipv4_of(host);
      if addr is null then return 'bad_url'; end if;
    elsif host ~ '(^|\.)(internal|metadata|metadata\.goog|instance-data)$' then
      return 'name';
    elsif not allow_private and (host ~ '(^|\.)(localhost|local|localdomain|home\.arpa)$'
        or strpos(host, '.') = 0) then
      return 'name';
    else
      return null;
    end if;
  end if;
  cls := edge_guard.address_class(addr);
  if cls = 'public' or (allow_private and cls in ('loopback', 'private', 'unique_local')) then
    return null;
  end if;
  return 'address:' || cls;
end
$_$;

REVOKE ALL ON FUNCTION edge_guard.address_class(a inet) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.inet_aton_part(p text) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.ipv4_of(p_host text) FROM PUBLIC;

REVOKE ALL ON FUNCTION edge_guard.outbound_refusal(url text, allow_private boolean) FROM PUBLIC;
