\set a :base + random(0, :n - 1)
\set b :base + ((:a - :base + random(1, :n - 1)) % :n)
\set r1 random(1, 1000000000)
\set r2 random(1, 1000000000)
BEGIN;
SELECT id, posted, held, may_go_negative, (SELECT kind || ' ' || fingerprint FROM points_transferkey WHERE transfer_id = 'pgb-' || :client_id || '-' || :r1 || '-' || :r2) FROM points_account WHERE id IN (least(:a, :b), greatest(:a, :b)) ORDER BY id FOR UPDATE;
WITH e AS (INSERT INTO points_entry (transfer_id, kind, debit_id, credit_id, amount, reason, reference, actor_id, note, created_at, hold_id, reverses_id) VALUES ('pgb-' || :client_id || '-' || :r1 || '-' || :r2, 'transfer', :a, :b, 1, 'bench.posting', '', NULL, '', now(), NULL, NULL) RETURNING id), u AS (UPDATE points_account SET posted = posted + CASE WHEN id = :a THEN -1 ELSE 1 END WHERE id IN (:a, :b) RETURNING id), k AS (INSERT INTO points_transferkey (transfer_id, kind, fingerprint, granted, limited_by, created_at) VALUES ('pgb-' || :client_id || '-' || :r1 || '-' || :r2, 'transfer', '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0', NULL, '', now()) RETURNING transfer_id) SELECT id FROM e;
END;
