-- The billing events of every shard, loaded by tools/ship/pgload.py from
-- `playwavectl -j log tail -f --from SEQ` on each shard.  (shard, seq)
-- names an event once and for all: loading one twice changes nothing.
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
