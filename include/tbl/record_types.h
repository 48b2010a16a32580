/*
 * Record types of the store, as Varnish keeps its tables: one line each,
 * expanded wherever an enum, a name or a metric label is needed.
 *
 * PW_TYPE(symbol, name, prefix)
 *	symbol	enum pw_type is PW_T_<symbol>
 *	name	the store_slots_used{type=...} label and playwavectl's key
 *	prefix	of the record's id where one is shown ("gs_<uuid>"), or NULL
 *		for records keyed by a derived key
 *
 * The order is the on-disk type number (slot word bits): append only.
 */
PW_TYPE(OTT,	"ott",			"playwave_")	/* one-time token */
PW_TYPE(LS,	"launcher_session",	"ls_")
PW_TYPE(GS,	"game_session",		"gs_")	/* word hi: billed minutes */
PW_TYPE(PC,	"pc",			NULL)	/* its launcher and game */
PW_TYPE(WALLET,	"wallet",		NULL)
PW_TYPE(CREDIT,	"credit",		"cr_")	/* for the reaper to log */
PW_TYPE(REQID,	"request_id",		NULL)	/* authenticate's request */
PW_TYPE(PT,	"player_token",		"pt_")	/* real-play player token */
PW_TYPE(NONCE,	"nonce",		NULL)	/* launcher X-Nonce: replay cache */
