/*
 * cmd_search.c - `ggen marketplace search QUERY`: the central index
 * (synced into the catalog) and locally published packages, ranked as
 * search.h describes, one line per package plus its description, or a
 * JSON array with --json.
 */
#include <strings.h>

#include "cli/cmds.h"
#include "cli/mp_common.h"
#include "market/search.h"
#include "util/error.h"

static const char *const registry_choices[] = { "central", "local", "all",
						NULL };

static const struct gg_opt opts[] = {
	{ "category", 0, GG_OPT_VALUE, "C", "Only packages in category C" },
	{ "tag", 0, GG_OPT_LIST, "T", "Only packages tagged T (repeatable)" },
	{ "author", 0, GG_OPT_VALUE, "A", "Only packages by author A" },
	{ "limit", 'n', GG_OPT_VALUE, "N",
	  "Show at most N results (default 10)" },
	{ "registry", 0, GG_OPT_VALUE, "central|local|all",
	  "Which sources to search (default all)" },
	GG_OPT_JSON,
	GG_OPT_END
};

static int parse_sources(struct gg_cli *cli, const char *v, unsigned *out)
{
	size_t i;

	*out = GG_CAT_ALL;
	if (!v)
		return GG_EXIT_OK;
	for (i = 0; registry_choices[i]; i++)
		if (!strcasecmp(v, registry_choices[i]))
			break;
	if (!registry_choices[i])
		return gg_cli_usage(cli, "--registry wants central, local or "
				    "all, not '%s'", v);
	*out = i == 0 ? GG_CAT_CENTRAL : i == 1 ? GG_CAT_LOCAL : GG_CAT_ALL;
	return GG_EXIT_OK;
}

static int print_json(struct gg_cli *cli, const struct gg_search_hit *h,
		      size_t n)
{
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; arr && i < n; i++) {
		o = gg_mp_entry_json(&h[i].e);
		if (!o) {
			json_decref(arr);
			return gg_mp_print_json(cli, NULL);
		}
		json_object_set_new(o, "sources",
				    gg_mp_sources_json(h[i].sources));
		json_object_set_new(o, "score", json_real(h[i].score));
		json_object_set_new(o, "match",
				    json_string(gg_search_match_name(
					    h[i].match)));
		json_array_append_new(arr, o);
	}
	return gg_mp_print_json(cli, arr);
}

static void print_text(struct gg_cli *cli, const struct gg_search_hit *h,
		       size_t n, const char *query)
{
	char src[64];
	size_t i;

	if (!n) {
		fprintf(cli->out, "No packages match '%s'. Try fewer words, "
			"or another spelling.\n", query);
		return;
	}
	for (i = 0; i < n; i++) {
		gg_mp_sources_str(h[i].sources, src, sizeof(src));
		fprintf(cli->out, "%s %s (%s)%s\n", h[i].e.name,
			h[i].e.version, src,
			h[i].match == GG_MATCH_FUZZY ? " ~ close match" : "");
		if (h[i].e.description[0])
			fprintf(cli->out, "    %s\n", h[i].e.description);
	}
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	const char *tags[GG_SEARCH_MAX_TAGS + 1];
	struct gg_search_query q;
	struct gg_search_hit *hits = NULL;
	struct gg_mp mp;
	uint64_t limit;
	size_t n = 0;
	int rc, ntags;

	memset(&q, 0, sizeof(q));
	rc = gg_args_uint(cli, a, "limit", 1, GG_SEARCH_MAX_LIMIT, 10, &limit);
	if (!rc)
		rc = parse_sources(cli, gg_args_value(a, "registry"),
				   &q.sources);
	if (rc)
		return rc;
	ntags = gg_args_list(a, "tag", tags, GG_SEARCH_MAX_TAGS + 1);
	if (ntags > GG_SEARCH_MAX_TAGS)
		return gg_cli_usage(cli, "at most %d --tag options",
				    GG_SEARCH_MAX_TAGS);
	q.text = a->argv[0];
	q.category = gg_args_value(a, "category");
	q.author = gg_args_value(a, "author");
	q.tags = tags;
	q.ntags = (size_t)ntags;
	q.limit = (size_t)limit;
	rc = gg_mp_open(cli, &mp, q.sources & GG_CAT_CENTRAL ? GG_MP_SYNC
							      : GG_MP_DB);
	if (rc)
		goto out;
	rc = gg_search_run(mp.db, &q, &hits, &n);
	if (rc) {
		rc = gg_cli_fail(cli, "search failed: %s", gg_strerror(rc));
		goto out;
	}
	if (gg_args_flag(a, "json"))
		rc = print_json(cli, hits, n);
	else
		print_text(cli, hits, n, q.text);
out:
	gg_search_hits_free(hits, n);
	gg_mp_close(&mp);
	return rc;
}

const struct gg_cmd gg_cmd_mp_search = {
	.name = "search",
	.summary = "Search packages by name, description, tags and keywords",
	.usage = "QUERY",
	.help = "Ranks an exact name first, then name prefixes, then text "
		"matches (bm25),\nthen close spellings of a name; popular "
		"packages get a small bonus.\nFilters match case-insensitively.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
	.exec = run,
};
