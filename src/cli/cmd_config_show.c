/*
 * cmd_config_show.c - `ggen marketplace p2p config show [--json]`: every
 * key's effective value and where it came from.
 *
 * Text: one aligned line per key, `key = value   # source`, the value in
 * TOML syntax so a line can be pasted into the file.  JSON: one object
 * keyed by the full key name, in table order, each
 * {"value": <typed value>, "source": "default" | "FILE:LINE" | ...}.
 * --listen and --bootstrap mirror `p2p start`, so the flag layer of the
 * precedence can be seen here.
 */
#include <jansson.h>

#include "cli/cli_config.h"
#include "cli/cmds.h"

#define ALIGN_MAX 64 /* longer "key = value" parts are not padded */

static json_t *value_json(const struct gg_config *c,
			  const struct gg_config_key *k)
{
	const char *const *items;
	json_t *a;
	int i, n;

	switch (k->type) {
	case GG_CFG_STR:
		return json_string(gg_config_str(c, k->name));
	case GG_CFG_INT:
		return json_integer(gg_config_int(c, k->name));
	case GG_CFG_FLOAT:
		return json_real(gg_config_float(c, k->name));
	case GG_CFG_BOOL:
		return json_boolean(gg_config_bool(c, k->name));
	default:
		break;
	}
	n = gg_config_list(c, k->name, &items);
	a = json_array();
	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(items[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static int show_json(struct gg_cli *cli, const struct gg_config *c)
{
	json_t *o = json_object(), *v;
	const struct gg_config_key *k;
	size_t i;
	int bad = !o;

	for (i = 0; !bad && i < gg_config_nkeys(); i++) {
		k = gg_config_key_at(i);
		v = json_pack("{s:o?, s:s}", "value", value_json(c, k),
			      "source", gg_config_source(c, k->name));
		bad = !v || json_object_set_new(o, k->name, v);
	}
	if (bad) {
		json_decref(o);
		return gg_cli_fail(cli, "out of memory");
	}
	json_dumpf(o, cli->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
				    JSON_REAL_PRECISION(15));
	fputc('\n', cli->out);
	json_decref(o);
	return GG_EXIT_OK;
}

/* "key = value" for key i into b (reset first). */
static int key_line(const struct gg_config *c, size_t i, struct gg_buf *b)
{
	const struct gg_config_key *k = gg_config_key_at(i);

	gg_buf_reset(b);
	if (gg_buf_printf(b, "%s = ", k->name))
		return -1;
	return gg_config_value_toml(c, k->name, b);
}

static int show_text(struct gg_cli *cli, const struct gg_config *c)
{
	struct gg_buf b = GG_BUF_INIT(1 << 20);
	size_t i, width = 0;
	int rc = 0;

	for (i = 0; !rc && i < gg_config_nkeys(); i++) {
		rc = key_line(c, i, &b);
		if (!rc && b.len > width && b.len <= ALIGN_MAX)
			width = b.len;
	}
	for (i = 0; !rc && i < gg_config_nkeys(); i++) {
		rc = key_line(c, i, &b);
		if (!rc)
			fprintf(cli->out, "%-*s   # %s\n", (int)width,
				gg_buf_cstr(&b),
				gg_config_source(c,
						 gg_config_key_at(i)->name));
	}
	gg_buf_release(&b);
	return rc ? gg_cli_fail(cli, "out of memory") : GG_EXIT_OK;
}

static const struct gg_opt opts[] = {
	GG_OPT_JSON,
	GG_OPT_LISTEN,
	GG_OPT_BOOTSTRAP,
	{ "set", 0, GG_OPT_LIST, "KEY=VALUE",
	  "Override one key, as a command-line flag would (repeatable)" },
	GG_OPT_END
};

/* --set KEY=VALUE, in order; the flag layer of the precedence. */
static int apply_sets(struct gg_cli *cli, const struct gg_args *a,
		      struct gg_config *c)
{
	const char *sets[GG_MAX_ARGVALS], *eq;
	struct gg_buf err = GG_BUF_INIT(1 << 16);
	char key[128];
	size_t len;
	int i, n = gg_args_list(a, "set", sets, GG_MAX_ARGVALS), rc = 0;

	for (i = 0; !rc && i < n; i++) {
		eq = strchr(sets[i], '=');
		len = eq ? (size_t)(eq - sets[i]) : 0;
		if (!len || len >= sizeof(key)) {
			rc = gg_cli_usage(cli, "--set wants KEY=VALUE, not "
					  "'%s'", sets[i]);
			break;
		}
		memcpy(key, sets[i], len);
		key[len] = '\0';
		if (gg_config_set(c, key, eq + 1, "flag --set", &err)) {
			const char *near = gg_config_suggest(key);

			gg_cli_config_print(cli, &err, 0);
			if (near && !gg_config_key_find(key))
				fprintf(cli->err, "%s: did you mean '%s'?\n",
					cli->prog, near);
			rc = GG_EXIT_FAIL;
		}
	}
	gg_buf_release(&err);
	return rc;
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_config *c = NULL;
	int rc = gg_cli_config(cli, &c);

	if (!rc)
		rc = gg_cli_config_flags(cli, a, c);
	if (!rc)
		rc = apply_sets(cli, a, c);
	if (!rc)
		rc = gg_args_flag(a, "json") ? show_json(cli, c) :
					       show_text(cli, c);
	gg_config_free(c);
	return rc;
}

const struct gg_cmd gg_cmd_config_show = {
	.name = "show",
	.summary = "Print every configuration value and where it came from",
	.help = "Each line is `key = value   # source`; the source is "
		"\"default\", \"FILE:LINE\",\n\"env VARIABLE\" or \"flag "
		"--NAME\".  With --json: one object mapping each key to\n"
		"{\"value\": ..., \"source\": ...}.",
	.opts = opts,
	.max_args = 0,
	.exec = run,
};
