/*
 * cli_config.c - the CLI side of the configuration: load it for a verb,
 * print the loader's warnings and errors, and apply the --listen and
 * --bootstrap flags on top (flags beat everything else).
 */
#include "cli/cli_config.h"

#include "util/error.h"

void gg_cli_config_print(struct gg_cli *cli, const struct gg_buf *b,
			int warning)
{
	const char *s = gg_buf_cstr(b), *nl;

	while (*s) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		if (warning)
			gg_cli_warn(cli, "%.*s", (int)(nl - s), s);
		else
			fprintf(cli->err, "%s: error: %.*s\n", cli->prog,
				(int)(nl - s), s);
		s = *nl ? nl + 1 : nl;
	}
}

int gg_cli_config(struct gg_cli *cli, struct gg_config **out)
{
	struct gg_buf err = GG_BUF_INIT(1 << 16), warn = GG_BUF_INIT(1 << 16);
	int rc;

	rc = gg_config_load(cli->config_path, out, &err, &warn);
	gg_cli_config_print(cli, &warn, 1);
	if (rc && err.len)
		gg_cli_config_print(cli, &err, 0);
	else if (rc)
		gg_cli_fail(cli, "cannot load the configuration: %s",
			    gg_strerror(rc));
	gg_buf_release(&err);
	gg_buf_release(&warn);
	return rc ? GG_EXIT_FAIL : GG_EXIT_OK;
}

/* One LIST option onto one list key, when it was given. */
static int apply_list(struct gg_cli *cli, const struct gg_args *a,
		      struct gg_config *c, const char *opt, const char *key)
{
	const char *items[GG_MAX_ARGVALS];
	struct gg_buf err = GG_BUF_INIT(1 << 16);
	char source[64];
	int n, rc;

	n = gg_args_list(a, opt, items, GG_MAX_ARGVALS);
	if (n <= 0)
		return GG_EXIT_OK;
	snprintf(source, sizeof(source), "flag --%s", opt);
	rc = gg_config_set_list(c, key, items, n, source, &err);
	if (rc)
		gg_cli_config_print(cli, &err, 0);
	gg_buf_release(&err);
	return rc ? GG_EXIT_FAIL : GG_EXIT_OK;
}

int gg_cli_config_flags(struct gg_cli *cli, const struct gg_args *a,
			struct gg_config *c)
{
	int rc = apply_list(cli, a, c, "listen", "network.listen_addresses");

	if (!rc)
		rc = apply_list(cli, a, c, "bootstrap",
				"network.bootstrap_nodes");
	return rc;
}
