"""offline stage (issue 15): files of sales, orders and leads -> the live ingest path.

reader   rows of a CSV/JSONL file (any delimiter, BOM, gzip), streamed
mapping  what the columns mean (YAML; built-ins for Shopify, WooCommerce, a sheet)
rows     an order's rows -> a Segment `track` (offline, deterministic messageId)
runner   chunks through Ingestor.build_records + commit, yielding to live traffic
jobs     uploads, previews, running and resuming imports inside `pinrelay serve`
"""
