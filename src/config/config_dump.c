/*
 * playwaved -T: the configuration in effect, as nginx -T shows its own:
 * every directive of playwaved.conf(5), set or not, with the value the
 * daemon uses (its default when the file leaves it out).  Secrets are
 * shown as <set>, never their values; what is unset is a comment.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "config_parse.h"

/* A string as the lexer reads it back: quoted, " and \ escaped. */
static void
quoted(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void
str(FILE *fp, const char *ind, const char *name, const char *v,
    const char *unset)
{
	if (v[0] == '\0') {
		fprintf(fp, "%s#%-20s (%s)\n", ind, name, unset);
		return;
	}
	fprintf(fp, "%s%-20s ", ind, name);
	quoted(fp, v);
	fputc('\n', fp);
}

static void
num(FILE *fp, const char *ind, const char *name, long long v)
{
	fprintf(fp, "%s%-20s %lld\n", ind, name, v);
}

static void
secret(FILE *fp, const char *ind, const char *name, const char *v)
{
	fprintf(fp, "%s%s%-20s %s\n", ind, v[0] != '\0' ? "" : "#", name,
	    v[0] != '\0' ? "<set>" : "(not set)");
}

static void
net(FILE *fp, const char *ind, const char *name, const struct pw_net *n)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(n->af, n->addr, a, sizeof(a)) == NULL)
		(void)strlcpy(a, "?", sizeof(a));
	fprintf(fp, "%s%-20s %s/%d\n", ind, name, a, n->prefix);
}

static void
network(FILE *fp, const struct pw_config *c)
{
	int i;

	for (i = 0; i < c->nlisten; i++)
		fprintf(fp, "%-20s %s\n", "listen", c->listen[i].text);
	for (i = 0; i < c->nmetrics_listen; i++)
		fprintf(fp, "%-20s %s\n", "metrics-listen",
		    c->metrics_listen[i].text);
	if (c->nmetrics_listen == 0)
		fprintf(fp, "#%-19s (none: /metrics on listen, loopback "
		    "peers only)\n", "metrics-listen");
	for (i = 0; i < c->nproxies; i++)
		net(fp, "", "trusted-proxy", &c->proxies[i]);
	if (c->nproxies == 0)
		fprintf(fp, "#%-19s (none)\n", "trusted-proxy");
	num(fp, "", "max-connections", c->max_connections);
	num(fp, "", "max-connections-per-source", c->max_conn_per_source);
	num(fp, "", "max-body", c->max_body);
	num(fp, "", "max-header", c->max_header);
	num(fp, "", "header-timeout", c->header_timeout);
	num(fp, "", "body-timeout", c->body_timeout);
	num(fp, "", "idle-timeout", c->idle_timeout);
	num(fp, "", "write-timeout", c->write_timeout);
	num(fp, "", "rate-limit", c->rate_limit);
}

static void
files(FILE *fp, const struct pw_config *c)
{
	num(fp, "", "workers", c->workers);
	num(fp, "", "shard", c->shard);
	str(fp, "", "user", c->user, "none: stays root if started as root");
	str(fp, "", "pidfile", c->pidfile, "none");
	str(fp, "", "store", c->store, "none");
	num(fp, "", "store-slots", (long long)c->store_slots);
	str(fp, "", "billing-log", c->billing_log, "none");
	fprintf(fp, "%-20s %s\n", "billing-fsync", c->billing_fsync ==
	    PW_FSYNC_ALWAYS ? "always" : "interval");
	num(fp, "", "billing-segment-size", (long long)c->billing_segment_size);
	str(fp, "", "access-log", c->access_log, "none: no access log");
	str(fp, "", "log-file", c->log_file, "none: syslog, or stderr with -d");
	fprintf(fp, "%-20s %s\n", "log-format", c->log_format == PW_LOG_JSON ?
	    "json" : "text");
}

static void
sessions(FILE *fp, const struct pw_config *c)
{
	int i;

	num(fp, "", "ott-ttl", c->ott_ttl);
	num(fp, "", "session-timeout", c->session_timeout);
	num(fp, "", "heartbeat-interval", c->heartbeat_interval);
	num(fp, "", "charge-grace", c->charge_grace);
	num(fp, "", "billing-unit", c->billing_unit);
	num(fp, "", "launcher-timeout", c->launcher_timeout);
	num(fp, "", "ott-per-launcher", c->ott_per_launcher);
	num(fp, "", "max-token-lifetime", c->max_token_lifetime);
	num(fp, "", "cafe-start-quota", c->cafe_start_quota);
	num(fp, "", "home-start-quota", c->home_start_quota);
	num(fp, "", "home-start-total", c->home_start_total);
	fprintf(fp, "%-20s %s\n", "launcher-key-required",
	    c->launcher_key_required ? "yes" : "no");
	secret(fp, "", "launcher-secret", c->launcher_secret);
	secret(fp, "", "launch-secret", c->launch_secret);
	for (i = 0; i < c->ncurrencies; i++)
		fprintf(fp, "%-20s %s %lld\n", "currency-truncation",
		    c->currencies[i].code,
		    (long long)c->currencies[i].truncation);
	if (c->ncurrencies == 0)
		fprintf(fp, "#%-19s (none: 1 for every currency)\n",
		    "currency-truncation");
}

static void
offer(FILE *fp, const struct pw_offer *o)
{
	fprintf(fp, "\t%-14s %lld %lld ", "offer", (long long)o->instance_id,
	    (long long)o->offer_id);
	quoted(fp, o->name);
	fprintf(fp, " awarded %lld remaining %lld\n\t    cost-per-bet %lld "
	    "rejectable %s\n\t    start %s end %s\n",
	    (long long)o->rounds_awarded, (long long)o->rounds_remaining,
	    (long long)o->cost_per_bet, o->rejectable ? "yes" : "no",
	    o->start, o->end);
}

static void
game(FILE *fp, const struct pw_game *g)
{
	int k;

	fprintf(fp, "\ngame %s {\n", g->id);
	str(fp, "\t", "name", g->name, "none");
	for (k = 0; k < g->napi_keys; k++)
		secret(fp, "\t", "api-key", g->api_keys[k]);
	num(fp, "\t", "price", g->price);
	str(fp, "\t", "provider", g->provider, "none");
	secret(fp, "\t", "hmac-secret", g->hmac_secret);
	num(fp, "\t", "min-bet", g->min_bet);
	num(fp, "\t", "max-bet", g->max_bet);
	num(fp, "\t", "default-bet", g->default_bet);
	num(fp, "\t", "max-exposure", g->max_exposure);
	str(fp, "\t", "lobby-url", g->lobby_url, "none");
	str(fp, "\t", "deposit-url", g->deposit_url, "none");
	for (k = 0; k < g->noffers; k++)
		offer(fp, &g->offers[k]);
	if (g->noffers == 0)
		fprintf(fp, "\t#%-19s (none)\n", "offer");
	fprintf(fp, "}\n");
}

static void
cafe(FILE *fp, const struct pw_cafe *c)
{
	int k;

	fprintf(fp, "\ncafe %s {\n", c->id);
	for (k = 0; k < c->nnets; k++)
		net(fp, "\t", "network", &c->nets[k]);
	for (k = 0; k < c->nkeys; k++)
		fprintf(fp, "\t%-20s %s <set>\n", "launcher-key",
		    c->keys[k].id);
	if (c->nkeys == 0)
		fprintf(fp, "\t#%-19s (none: the home key starts here)\n",
		    "launcher-key");
	num(fp, "\t", "cafe-start-quota", c->start_quota);
	fprintf(fp, "}\n");
}

void
pw_config_dump(const struct pw_config *c, FILE *fp)
{
	int i;

	fprintf(fp, "# playwaved -T: the configuration in effect, from %s\n",
	    c->path[0] != '\0' ? c->path : "the built-in development "
	    "configuration");
	network(fp, c);
	files(fp, c);
	sessions(fp, c);
	for (i = 0; i < c->ngames; i++)
		game(fp, &c->games[i]);
	for (i = 0; i < c->ncafes; i++)
		cafe(fp, &c->cafes[i]);
}
