/*
 * cmd_remove.c - `ggen marketplace remove NAME[@VERSION] [--force]`:
 * every installed version of NAME, or just one; ggen.lock is rewritten
 * first (atomically), then the directories go.  A package that another
 * installed package still needs is kept, with the dependents named,
 * unless --force is given; then it goes and each dependent is named in a
 * warning (install.h).
 */
#include "cli/cmds.h"
#include "cli/mp_common.h"
#include "market/install.h"
#include "util/error.h"

static const struct gg_opt opts[] = {
	{ "force", 'f', GG_OPT_FLAG, NULL,
	  "Remove it even when installed packages depend on it" },
	GG_OPT_JSON,
	GG_OPT_END
};

/* The '\n'-separated dependents as a JSON array, or warnings. */
static json_t *report(struct gg_cli *cli, const char *name,
		      const struct gg_buf *deps, int json)
{
	json_t *arr = json ? json_array() : NULL;
	const char *p = deps->len ? gg_buf_cstr(deps) : NULL, *nl;
	int len;

	for (; p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		len = nl ? (int)(nl - p) : (int)strlen(p);
		if (arr)
			json_array_append_new(arr,
					      json_stringn(p, (size_t)len));
		else
			gg_cli_warn(cli, "%.*s depends on %s, which is no "
				    "longer installed", len, p, name);
	}
	return arr;
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf err = GG_BUF_INIT(4096), deps = GG_BUF_INIT(1 << 20);
	int json = gg_args_flag(a, "json");
	char name[128], *at;
	struct gg_mp mp;
	json_t *arr;
	int rc, n = 0;

	if (snprintf(name, sizeof(name), "%s", a->argv[0]) >=
	    (int)sizeof(name))
		return gg_cli_usage(cli, "'%s' is too long", a->argv[0]);
	at = strchr(name, '@');
	if (at)
		*at++ = 0;
	rc = gg_mp_open(cli, &mp, 0);
	if (rc)
		goto out;
	rc = gg_install_remove(mp.home, name, at, gg_args_flag(a, "force"),
			       &n, &deps, &err);
	if (rc) {
		rc = gg_cli_fail(cli, "%s", err.len ? gg_buf_cstr(&err)
						    : gg_strerror(rc));
		goto out;
	}
	arr = report(cli, name, &deps, json);
	if (json)
		rc = gg_mp_print_json(cli, json_pack("{s:s, s:i, s:o}", "name",
						     name, "removed", n,
						     "broken_dependents",
						     arr ? arr : json_array()));
	else
		fprintf(cli->out, "removed %s (%d version%s)\n", name, n,
			n == 1 ? "" : "s");
out:
	gg_buf_release(&deps);
	gg_buf_release(&err);
	gg_mp_close(&mp);
	return rc;
}

const struct gg_cmd gg_cmd_mp_remove = {
	.name = "remove",
	.summary = "Remove an installed package (every version, or one)",
	.usage = "NAME[@VERSION]",
	.help = "Refuses to remove a package that another installed package "
		"depends on\n(no version left would satisfy it); --force "
		"removes it anyway and names\nthe packages left without it.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
	.exec = run,
};
