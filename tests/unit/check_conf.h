/*
 * Pieces of the configurations the Check programs parse: the secrets a
 * config file must set, a game whose api-key is "<id>-key", and the cafe
 * most tests bill.
 */
#ifndef CHECK_CONF_H
#define CHECK_CONF_H

#define CONF_SECRETS	"launcher-secret unit-l\nlaunch-secret unit-j\n"
#define CONF_GAME(id, price)						\
	"game " id " {\n"						\
	"    api-key \"" id "-key\"\n"					\
	"    hmac-secret \"unit-hmac\"\n"				\
	"    price " #price "\n"					\
	"}\n"
#define CONF_CAFE(id, net)						\
	"cafe " id " {\n"						\
	"    network " net "\n"						\
	"}\n"

#endif /* CHECK_CONF_H */
