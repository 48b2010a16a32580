/*
 * Billing log event types (the record's type byte).
 *
 * PW_EVENT(symbol)	enum pw_ev_type is PW_EV_<symbol>, named "<symbol>"
 *
 * Numbered from 1 in this order, on disk: append only.
 */
PW_EVENT(START)
PW_EVENT(CHARGE)
PW_EVENT(END)
PW_EVENT(CREDIT)
PW_EVENT(DEBIT)		/* money leaving a wallet by playwavectl */
