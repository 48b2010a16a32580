-- The billing events of every shard, loaded by tools/ship/pgload.py from
-- `playwavectl -j log tail -f --from SEQ` on each shard, one
-- SELECT billing_load(shard, line) a line.  (shard, seq) names an event
-- once and for all: loading one twice changes nothing, and loading
-- another record under a (shard, seq) already held is refused.
--
-- The table keeps each record's bytes and its link c_n (log format 2,
-- playwaved(8)): a record is taken only when its own check holds and
-- its link extends the chain held for that shard (c_n = SHA-256(c_{n-1}
-- || bytes 0-119); the first record of a segment continues from the
-- segment's header, SHA-256(prev || digest), whose prev must be the
-- c_{n-1} held -- or, after records of format 1, SHA-256 of all of them).
-- So a log rewritten after it was shipped, its chain recomputed and all,
-- no longer loads where the table holds what it was.
CREATE TABLE IF NOT EXISTS billing_event (
	shard	smallint	NOT NULL,
	seq	bigint		NOT NULL,
	ts	timestamptz	NOT NULL,
	type	text		NOT NULL,	-- START, CHARGE, END, CREDIT, DEBIT
	session	text,
	game	text,
	wallet	text,
	amount	bigint,				-- minor units, positive
	balance	bigint,				-- the wallet's, after
	reason	text,				-- on END
	event	jsonb		NOT NULL,	-- the line as logged
	PRIMARY KEY (shard, seq)
);
-- A table made before the chain: the columns it lacks.
ALTER TABLE billing_event ADD COLUMN IF NOT EXISTS memo text;
ALTER TABLE billing_event ADD COLUMN IF NOT EXISTS link bytea;	-- c_n
ALTER TABLE billing_event ADD COLUMN IF NOT EXISTS record bytea;

-- The little-endian u64 at byte off (0-based) of r.
CREATE OR REPLACE FUNCTION billing_u64(r bytea, off int) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT ('x' || encode(substring(r FROM off + 8 FOR 1) ||
	    substring(r FROM off + 7 FOR 1) || substring(r FROM off + 6 FOR 1) ||
	    substring(r FROM off + 5 FOR 1) || substring(r FROM off + 4 FOR 1) ||
	    substring(r FROM off + 3 FOR 1) || substring(r FROM off + 2 FOR 1) ||
	    substring(r FROM off + 1 FOR 1), 'hex'))::bit(64)::bigint
$$;

-- The record of a line: its own check holds and it is the line's seq.
CREATE OR REPLACE FUNCTION billing_record(p_shard smallint, e jsonb)
RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	r	bytea := decode(e->>'record', 'hex');
	n	int := length(r);
BEGIN
	IF r IS NULL OR n NOT IN (128, 160) THEN
		RAISE EXCEPTION 'shard %: seq % carries no record', p_shard,
		    e->>'seq';
	END IF;
	IF substring(sha256(substring(r FROM 1 FOR n - 8)) FROM 1 FOR 8) <>
	    substring(r FROM n - 7 FOR 8) OR
	    billing_u64(r, 8) <> (e->>'seq')::bigint OR
	    (n = 160 AND substring(r FROM 121 FOR 32) <>
	    decode(e->>'link', 'hex')) THEN
		RAISE EXCEPTION 'shard %: seq %: the record is not valid '
		    '(its own check, its seq or its link)', p_shard, e->>'seq';
	END IF;
	RETURN r;
END $$;

-- What the record of seq must chain from, by what the shard holds; NULL
-- when it holds nothing to extend (the shipping began after seq - 1).
CREATE OR REPLACE FUNCTION billing_prev(p_shard smallint, s bigint, e jsonb)
RETURNS bytea LANGUAGE plpgsql STABLE AS $$
DECLARE
	held	billing_event%ROWTYPE;
	seg	jsonb := e->'segment';
	was	bytea;
BEGIN
	SELECT * INTO held FROM billing_event WHERE shard = p_shard AND
	    seq = s - 1;
	IF held.link IS NOT NULL THEN
		was := held.link;
	ELSIF FOUND AND (SELECT count(*) FROM billing_event WHERE
	    shard = p_shard AND seq < s AND link IS NULL) = s - 1 THEN
		-- After format 1: SHA-256 of that whole file.
		SELECT sha256(string_agg(record, ''::bytea ORDER BY seq)) INTO was
		    FROM billing_event WHERE shard = p_shard AND seq < s;
	END IF;
	IF seg IS NULL THEN
		RETURN was;
	END IF;
	IF was IS NOT NULL AND decode(seg->>'prev', 'hex') <> was THEN
		RAISE EXCEPTION 'shard %: seq % begins a segment that does not '
		    'continue the chain held at seq %', p_shard, s, s - 1;
	END IF;
	RETURN sha256(decode(seg->>'prev', 'hex') || decode(seg->>'digest',
	    'hex'));
END $$;

CREATE OR REPLACE FUNCTION billing_load(p_shard smallint, e jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	s	bigint := (e->>'seq')::bigint;
	r	bytea := billing_record(p_shard, e);
	held	bytea;
	prev	bytea;
BEGIN
	SELECT record INTO held FROM billing_event WHERE shard = p_shard AND
	    seq = s;
	IF FOUND THEN
		IF held IS DISTINCT FROM r THEN
			RAISE EXCEPTION 'shard %: seq % is loaded already with '
			    'another record (sha256 % held, % now)', p_shard, s,
			    encode(sha256(coalesce(held, ''::bytea)), 'hex'),
			    encode(sha256(r), 'hex');
		END IF;
		RETURN;
	END IF;
	IF length(r) = 160 THEN
		prev := billing_prev(p_shard, s, e);
		IF prev IS NOT NULL AND sha256(prev || substring(r FROM 1 FOR
		    120)) <> substring(r FROM 121 FOR 32) THEN
			RAISE EXCEPTION 'shard %: seq % does not extend the chain '
			    'held at seq %', p_shard, s, s - 1;
		END IF;
	END IF;
	INSERT INTO billing_event (shard, seq, ts, type, session, game, wallet,
	    amount, balance, reason, memo, event, link, record)
	VALUES (p_shard, s, to_timestamp((e->>'ts')::bigint / 1000.0),
	    e->>'type', e->>'session', e->>'game', e->>'wallet',
	    (e->>'amount')::bigint, (e->>'balance')::bigint, e->>'reason',
	    e->>'memo', e, decode(e->>'link', 'hex'), r);
END $$;
