/*
 * The states a record of each type moves through (slot word state bits).
 *
 * PW_STATE(type, symbol, value, name)
 *	type	the record type's symbol (record_types.h)
 *	symbol	the state is PW_<type>_<symbol>
 *	value	its number in the slot word: on disk, never reused
 *	name	as playwavectl prints and parses it
 */
PW_STATE(OTT,	 ISSUED,	0, "issued")
PW_STATE(OTT,	 CONSUMED,	1, "consumed")
PW_STATE(LS,	 LIVE,		0, "live")
PW_STATE(LS,	 ENDED,		1, "ended")
PW_STATE(GS,	 LIVE,		0, "live")
PW_STATE(GS,	 EXHAUSTED,	1, "exhausted")	/* in its charge grace */
PW_STATE(GS,	 ENDED,		2, "ended")
PW_STATE(CREDIT, READY,		0, "queued")
PW_STATE(CREDIT, APPLIED,	1, "applied")
PW_STATE(CREDIT, REFUSED,	2, "refused")	/* above 2^53 - 1 */
