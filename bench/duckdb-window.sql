-- Copied unchanged (below this note) from the project's shared research notes, bench/duckdb-window.sql:
-- the job written the way a DuckDB user would, in one pass, and the bench's reference. The
-- bench (compute-bench.ts, duckdb-run.ts) fills in the placeholders and runs it on DuckDB's default
-- thread count; windows and sizes here must stay those of compute-bench.ts.
--
-- The window-mode job (windows 30/60/90, sizes small/medium/large/xlarge with the default aliases) on a
-- Shopify export, written as a DuckDB user would: one pass, one GROUP BY email, FILTERed aggregates, CSV out.
-- Email and Created at are on every row of a Shopify export; Total only on an order's first row.
-- Placeholders: {{CSV}} input path, {{OUT}} output path, {{ASOF}} as-of as 'YYYY-MM-DD HH:MM:SS+00' (UTC).
SET TimeZone = 'UTC';
COPY (
  WITH r AS (
    SELECT lower(trim("Email")) AS email,
           strptime("Created at", '%Y-%m-%d %H:%M:%S %z') AS ts,
           CAST(NULLIF("Total", '') AS DOUBLE) AS total,
           CASE WHEN strpos("Lineitem name", ' - ') > 0
                THEN list_transform(string_split(lower(string_split("Lineitem name", ' - ')[-1]), ' / '), o -> trim(o))
           END AS opts
    FROM read_csv('{{CSV}}', header = true, all_varchar = true)
    WHERE coalesce(trim("Email"), '') <> ''
  ), w AS (
    SELECT * FROM r WHERE ts <= TIMESTAMPTZ '{{ASOF}}'
  )
  SELECT email AS "Email",
    max(total) FILTER (WHERE total IS NOT NULL AND ts >= TIMESTAMPTZ '{{ASOF}}' - INTERVAL 30 DAY) AS highest_order_value,
    strftime(arg_max(ts, (total, ts)) FILTER (WHERE total IS NOT NULL AND ts >= TIMESTAMPTZ '{{ASOF}}' - INTERVAL 30 DAY), '%Y-%m-%d %H:%M:%S') AS highest_order_date,
    max(total) FILTER (WHERE total IS NOT NULL AND ts >= TIMESTAMPTZ '{{ASOF}}' - INTERVAL 60 DAY) AS "60_day_highest_order_value",
    strftime(arg_max(ts, (total, ts)) FILTER (WHERE total IS NOT NULL AND ts >= TIMESTAMPTZ '{{ASOF}}' - INTERVAL 60 DAY), '%Y-%m-%d %H:%M:%S') AS "60_day_highest_order_date",
    max(total) FILTER (WHERE total IS NOT NULL AND ts >= TIMESTAMPTZ '{{ASOF}}' - INTERVAL 90 DAY) AS "90_day_highest_order_value",
    strftime(arg_max(ts, (total, ts)) FILTER (WHERE total IS NOT NULL AND ts >= TIMESTAMPTZ '{{ASOF}}' - INTERVAL 90 DAY), '%Y-%m-%d %H:%M:%S') AS "90_day_highest_order_date",
    strftime(max(ts) FILTER (WHERE list_has_any(opts, ['small', 's'])), '%Y-%m-%d %H:%M:%S') AS small_order_date,
    strftime(max(ts) FILTER (WHERE list_has_any(opts, ['medium', 'm'])), '%Y-%m-%d %H:%M:%S') AS medium_order_date,
    strftime(max(ts) FILTER (WHERE list_has_any(opts, ['large', 'l'])), '%Y-%m-%d %H:%M:%S') AS large_order_date,
    strftime(max(ts) FILTER (WHERE list_has_any(opts, ['xlarge', 'xl', 'x-large', 'extra large'])), '%Y-%m-%d %H:%M:%S') AS xlarge_order_date
  FROM w
  GROUP BY email
  HAVING highest_order_value IS NOT NULL OR "60_day_highest_order_value" IS NOT NULL OR "90_day_highest_order_value" IS NOT NULL
      OR small_order_date IS NOT NULL OR medium_order_date IS NOT NULL OR large_order_date IS NOT NULL OR xlarge_order_date IS NOT NULL
  ORDER BY email
) TO '{{OUT}}' (HEADER true, DELIMITER ',');
