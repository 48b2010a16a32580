/*
 * The configuration playwaved uses when started without -f: a loopback
 * development set-up that keeps its state in ./playwave-state.  The keys
 * and secrets below are published development defaults, not secrets;
 * production always runs from a file (see playwaved.conf(5)).
 */
#include "config_parse.h"

const char pw_config_embedded[] =
	"# playwaved built-in development configuration\n"
	"listen          127.0.0.1:8080\n"
	"workers         2\n"
	"store           \"playwave-state/store\"\n"
	"store-slots     65536\n"
	"billing-log     \"playwave-state/billing.log\"\n"
	"pidfile         \"playwave-state/playwaved.pid\"\n"
	"launcher-secret \"" CF_DEV_LAUNCHER_SECRET "\"\n"
	"launch-secret   \"" CF_DEV_LAUNCH_SECRET "\"\n"
	"currency-truncation vnd 1000\n"
	"home-start-total 1000\n"
	"\n"
	"game devgame {\n"
	"	name        \"Dev Game\"\n"
	"	api-key     \"" CF_DEV_API_KEY "\"\n"
	"	price       10\n"
	"	provider    devprovider\n"
	"	hmac-secret \"" CF_DEV_HMAC_SECRET "\"\n"
	"	min-bet 1  max-bet 500  default-bet 10  max-exposure 100000\n"
	"	lobby-url   \"https://operator.example/lobby\"\n"
	"	deposit-url \"https://operator.example/deposit\"\n"
	"	offer 1001 501 \"Welcome spins\" awarded 10 remaining 10\n"
	"	    cost-per-bet 10 rejectable yes\n"
	"	    start 2025-01-01T00:00:00Z end 2035-01-01T00:00:00Z\n"
	"}\n"
	"\n"
	"cafe dev-cafe {\n"
	"	network     127.0.0.0/8\n"
	"	network     ::1/128\n"
	"	launcher-key " CF_DEV_CAFE_KEY_ID " \"" CF_DEV_CAFE_KEY "\"\n"
	"}\n";
