/*
 * cmd_install.c - `ggen marketplace install NAME[@VER|@REQ]`: resolve the
 * package and its dependencies, then download, verify, extract and record
 * each one (install.h).  A progress bar is drawn on stderr only when it
 * is a terminal; --dry-run prints the plan and changes nothing.
 */
#include <unistd.h>

#include "cli/cmds.h"
#include "cli/mp_common.h"
#include "market/install.h"
#include "util/error.h"

static const struct gg_opt opts[] = {
	{ "target", 0, GG_OPT_VALUE, "DIR",
	  "Extract the package to DIR/NAME instead of $GGEN_HOME/packages" },
	{ "force", 'f', GG_OPT_FLAG, NULL, "Reinstall even when installed" },
	{ "dry-run", 'n', GG_OPT_FLAG, NULL,
	  "Print what would be installed, change nothing" },
	GG_OPT_JSON,
	GG_OPT_END
};

struct ui {
	struct gg_cli *cli;
	int tty;	  /* draw a progress bar */
	const char *name; /* package being downloaded */
	int last;	  /* last percentage drawn */
};

static int on_progress(void *arg, uint64_t now, uint64_t total)
{
	struct ui *u = arg;
	char bar[31];
	int pct, i;

	if (!u->tty || !total)
		return 0;
	pct = (int)(now * 100 / total);
	if (pct == u->last)
		return 0;
	u->last = pct;
	for (i = 0; i < 30; i++)
		bar[i] = i < pct * 30 / 100 ? '#' : ' ';
	bar[30] = 0;
	fprintf(u->cli->err, "\r  %-24.24s [%s] %3d%% %6.1f MiB", u->name, bar,
		pct, (double)now / 1048576.0);
	if (pct == 100)
		fputc('\n', u->cli->err);
	fflush(u->cli->err);
	return 0;
}

static void on_step(void *arg, const struct gg_install_step *s)
{
	struct ui *u = arg;

	u->name = s->name;
	u->last = -1;
	if (!u->cli->quiet)
		fprintf(u->cli->err, "installing %s %s\n", s->name,
			s->version);
}

static json_t *step_json(const struct gg_install_step *s)
{
	char id[GG_PKGID_STR_SIZE];

	gg_pkgid_to_str(&s->id, id, sizeof(id));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "name",
			 s->name, "version", s->version, "id", id, "source",
			 gg_catalog_source_name(s->source), "path", s->path,
			 "already_installed", s->installed, "dependency",
			 !s->top);
}

static int report(struct gg_cli *cli, const struct gg_install_plan *p,
		  int json, int dry)
{
	json_t *arr;
	size_t i;

	if (json) {
		arr = json_array();
		for (i = 0; arr && i < p->n; i++)
			json_array_append_new(arr, step_json(&p->v[i]));
		return gg_mp_print_json(cli, json_pack("{s:b, s:o}", "dry_run",
						       dry, "packages", arr));
	}
	for (i = 0; i < p->n; i++) {
		const struct gg_install_step *s = &p->v[i];

		if (s->installed && !s->top)
			continue; /* a dependency that was already there */
		if (s->installed)
			fprintf(cli->out, "%s %s is already installed (%s)\n",
				s->name, s->version, s->path);
		else if (dry)
			fprintf(cli->out, "would install %s %s (%s%s%s) to "
				"%s\n", s->name, s->version,
				gg_catalog_source_name(s->source),
				s->url[0] ? " " : "", s->url, s->path);
		else
			fprintf(cli->out, "installed %s %s to %s\n", s->name,
				s->version, s->path);
	}
	return GG_EXIT_OK;
}

static void set_opts(struct gg_mp *mp, const struct gg_args *a,
		     struct ui *u, struct gg_install_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->home = mp->home;
	gg_mp_registry_opts(mp, &o->reg);
	gg_archive_limits_config(mp->cfg, &o->lim);
	o->target = gg_args_value(a, "target");
	o->force = gg_args_flag(a, "force");
	o->progress = on_progress;
	o->pctx = u;
	o->on_step = on_step;
	o->sctx = u;
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_install_plan plan = { NULL, 0 };
	struct gg_install_opts o;
	struct ui u = { cli, 0, "", -1 };
	struct gg_mp mp;
	int json = gg_args_flag(a, "json"), dry = gg_args_flag(a, "dry-run");
	int rc;

	u.tty = !json && !cli->quiet && isatty(fileno(cli->err));
	rc = gg_mp_open(cli, &mp, GG_MP_SYNC);
	if (rc)
		goto out;
	set_opts(&mp, a, &u, &o);
	rc = gg_install_plan(mp.db, mp.have_central ? mp.reg.url : NULL,
			     a->argv[0], &o, &plan, &err);
	if (!rc && !dry)
		rc = gg_install_apply(&plan, &o, &err);
	if (rc) {
		rc = gg_cli_fail(cli, "%s", err.len ? gg_buf_cstr(&err)
						    : gg_strerror(rc));
		goto out;
	}
	rc = report(cli, &plan, json, dry);
out:
	gg_install_plan_release(&plan);
	gg_buf_release(&err);
	gg_mp_close(&mp);
	return rc;
}

const struct gg_cmd gg_cmd_mp_install = {
	.name = "install",
	.summary = "Install a package and its dependencies",
	.usage = "NAME[@VERSION|@REQUIREMENT]",
	.help = "A bare version is exact (name@1.2.0); requirements follow "
		"cargo (^1.2, ~1.2,\n>=1.2, <2); no version means the highest "
		"release.  Every archive is verified\nagainst the SHA-256 "
		"checksum of the index before it is extracted.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
	.exec = run,
};
