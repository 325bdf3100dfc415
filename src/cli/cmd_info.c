/*
 * cmd_info.c - `ggen marketplace info NAME[@VERSION]`: everything the
 * catalog knows about a package, the versions known from every source,
 * whether it can be installed (and why not), and whether it is.
 */
#include "cli/cmds.h"
#include "cli/mp_common.h"
#include "market/lock.h"
#include "market/semver.h"
#include "util/error.h"

static const struct gg_opt opts[] = { GG_OPT_JSON, GG_OPT_END };

struct info {
	struct gg_catalog_entry *rows;
	size_t n;
	size_t best;	    /* the row shown */
	unsigned sources;   /* of the shown version */
	const char *order[64]; /* distinct versions, newest first */
	size_t nver;
	char why[256];	    /* "" when installable */
	struct gg_lock lock;
};

static int vcmp(const char *a, const char *b)
{
	struct gg_semver va, vb;

	if (gg_semver_parse(a, &va, NULL) || gg_semver_parse(b, &vb, NULL))
		return strcmp(a, b);
	return gg_semver_cmp(&va, &vb);
}

static void sort_versions(struct info *in)
{
	size_t i, j;
	const char *t;

	for (i = 0; i < in->n && in->nver < 64; i++) {
		for (j = 0; j < in->nver; j++)
			if (!strcmp(in->order[j], in->rows[i].version))
				break;
		if (j == in->nver)
			in->order[in->nver++] = in->rows[i].version;
	}
	for (i = 1; i < in->nver; i++)
		for (j = i; j > 0 && vcmp(in->order[j - 1], in->order[j]) < 0;
		     j--) {
			t = in->order[j];
			in->order[j] = in->order[j - 1];
			in->order[j - 1] = t;
		}
}

static int rank(unsigned source)
{
	return source == GG_CAT_P2P ? 3 : source == GG_CAT_LOCAL ? 2 : 1;
}

/* The row to show for version v (local over central), the sources that
 * have v, and why it cannot be installed. */
static void choose(struct info *in, const char *v)
{
	const struct gg_catalog_entry *e;
	int ok = 0;
	size_t i;

	in->sources = 0;
	for (i = 0; i < in->n; i++) {
		e = &in->rows[i];
		if (strcmp(e->version, v))
			continue;
		if (!in->sources ||
		    rank(e->source) > rank(in->rows[in->best].source))
			in->best = i;
		in->sources |= e->source;
		ok |= e->has_id && (e->source != GG_CAT_CENTRAL ||
				    e->download_url[0]);
	}
	if (in->sources && !ok)
		snprintf(in->why, sizeof(in->why), "%s %s has no checksum in "
			 "the registry index; ggen installs only verified "
			 "packages", in->rows[in->best].name, v);
}

static void print_list(FILE *f, const char *label, char *const *v,
		       size_t n)
{
	size_t i;

	fprintf(f, "%-14s", label);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", v[i]);
	fprintf(f, "%s\n", n ? "" : "(none)");
}

static void print_text(struct gg_cli *cli, struct info *in)
{
	const struct gg_catalog_entry *e = &in->rows[in->best];
	char src[64], id[GG_PKGID_STR_SIZE];
	FILE *f = cli->out;
	size_t i, k = 0;

	gg_mp_sources_str(in->sources, src, sizeof(src));
	fprintf(f, "%-14s%s\n%-14s%s\n", "name:", e->name, "version:",
		e->version);
	fprintf(f, "%-14s%s\n", "description:", e->description);
	fprintf(f, "%-14s%s\n%-14s%s\n%-14s%s\n", "category:", e->category,
		"author:", e->author, "license:", e->license);
	print_list(f, "tags:", e->tags, e->ntags);
	print_list(f, "keywords:", e->keywords, e->nkeywords);
	print_list(f, "dependencies:", e->deps, e->ndeps);
	fprintf(f, "%-14s%lld downloads, %lld stars\n", "popularity:",
		(long long)e->downloads, (long long)e->stars);
	if (e->has_id && gg_pkgid_to_str(&e->id, id, sizeof(id)) > 0)
		fprintf(f, "%-14s%s\n", "id:", id);
	fprintf(f, "%-14s%s\n%-14s", "sources:", src, "versions:");
	for (i = 0; i < in->nver; i++)
		fprintf(f, "%s%s", i ? ", " : "", in->order[i]);
	fprintf(f, "\n%-14s%s%s\n%-14s", "installable:",
		in->why[0] ? "no: " : "yes", in->why, "installed:");
	for (i = 0; i < in->lock.n; i++)
		if (!strcmp(in->lock.v[i].name, e->name))
			fprintf(f, "%s%s at %s", k++ ? "; " : "",
				in->lock.v[i].version, in->lock.v[i].path);
	fprintf(f, "%s\n", k ? "" : "no");
}

static int print_json(struct gg_cli *cli, struct info *in)
{
	const struct gg_catalog_entry *e = &in->rows[in->best];
	json_t *o = gg_mp_entry_json(e), *vers = json_array(),
	       *inst = json_array();
	size_t i;

	for (i = 0; vers && i < in->nver; i++)
		json_array_append_new(vers, json_string(in->order[i]));
	for (i = 0; inst && i < in->lock.n; i++)
		if (!strcmp(in->lock.v[i].name, e->name))
			json_array_append_new(
				inst, json_pack("{s:s, s:s}", "version",
						in->lock.v[i].version, "path",
						in->lock.v[i].path));
	if (o) {
		json_object_set_new(o, "sources",
				    gg_mp_sources_json(in->sources));
		json_object_set_new(o, "versions", vers);
		json_object_set_new(o, "installed", inst);
		json_object_set_new(o, "installable", json_boolean(!in->why[0]));
		if (in->why[0])
			json_object_set_new(o, "not_installable_reason",
					    json_string(in->why));
	} else {
		json_decref(vers);
		json_decref(inst);
	}
	return gg_mp_print_json(cli, o);
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	char name[128], *at;
	struct info in;
	struct gg_mp mp;
	int rc;

	memset(&in, 0, sizeof(in));
	in.lock.flock_fd = -1;
	snprintf(name, sizeof(name), "%s", a->argv[0]);
	at = strchr(name, '@');
	if (at)
		*at++ = 0;
	rc = gg_mp_open(cli, &mp, GG_MP_SYNC);
	if (rc)
		goto out;
	rc = gg_catalog_get(mp.db, name, GG_CAT_ALL, &in.rows, &in.n);
	if (rc || !in.n) {
		rc = gg_cli_fail(cli, rc ? "catalog: %s" : "unknown package "
			"'%s'", rc ? gg_strerror(rc) : name);
		goto out;
	}
	sort_versions(&in);
	choose(&in, at ? at : in.order[0]);
	if (at && !in.sources) {
		rc = gg_cli_fail(cli, "%s has no version %s (known: %s%s)",
				 name, at, in.order[0],
				 in.nver > 1 ? ", ..." : "");
		goto out;
	}
	rc = gg_lock_load(mp.home, 0, &in.lock, &err);
	if (rc) {
		rc = gg_cli_fail(cli, "%s", gg_buf_cstr(&err));
		goto out;
	}
	rc = gg_args_flag(a, "json") ? print_json(cli, &in)
				     : (print_text(cli, &in), GG_EXIT_OK);
out:
	gg_lock_release(&in.lock);
	gg_catalog_entries_free(in.rows, in.n);
	gg_buf_release(&err);
	gg_mp_close(&mp);
	return rc;
}

const struct gg_cmd gg_cmd_mp_info = {
	.name = "info",
	.summary = "Show everything known about a package",
	.usage = "NAME[@VERSION]",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
	.exec = run,
};
