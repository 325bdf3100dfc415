/*
 * cmd_gc.c - `ggen marketplace gc [--dry-run]`: remove content-store
 * objects that neither ggen.lock nor a locally published package
 * references, and say how many bytes that freed (gc.h); leftovers of
 * killed installs and removals go too.
 */
#include "cli/cmds.h"
#include "cli/mp_common.h"
#include "market/gc.h"
#include "util/error.h"

static const struct gg_opt opts[] = {
	{ "dry-run", 'n', GG_OPT_FLAG, NULL,
	  "Print what would be removed, remove nothing" },
	GG_OPT_JSON,
	GG_OPT_END
};

struct out {
	struct gg_cli *cli;
	int dry, json;
	json_t *arr;
};

static void on_object(void *arg, const struct gg_pkgid *id, uint64_t size)
{
	struct out *o = arg;
	char s[GG_PKGID_STR_SIZE];

	gg_pkgid_to_str(id, s, sizeof(s));
	if (o->json)
		json_array_append_new(o->arr,
				      json_pack("{s:s, s:I}", "id", s, "size",
						(json_int_t)size));
	else
		fprintf(o->cli->out, "%s %s (%llu bytes)\n",
			o->dry ? "would remove" : "removed", s,
			(unsigned long long)size);
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_gc_result r;
	struct out o = { cli, gg_args_flag(a, "dry-run"),
			 gg_args_flag(a, "json"), NULL };
	struct gg_mp mp;
	int rc;

	o.arr = json_array();
	rc = gg_mp_open(cli, &mp, GG_MP_DB);
	if (rc)
		goto out;
	rc = gg_gc_run(mp.home, mp.db, o.dry, on_object, &o, &r, &err);
	if (rc) {
		rc = gg_cli_fail(cli, "%s", gg_buf_cstr(&err));
		goto out;
	}
	if (o.json) {
		rc = gg_mp_print_json(cli, json_pack(
			"{s:b, s:O, s:I, s:I, s:I}", "dry_run", o.dry,
			"objects", o.arr, "bytes", (json_int_t)r.bytes, "kept",
			(json_int_t)r.kept, "leftovers",
			(json_int_t)r.leftovers));
		goto out;
	}
	fprintf(cli->out, "%s %zu object%s, %llu bytes; %zu referenced "
		"object%s kept\n", o.dry ? "would free" : "freed", r.removed,
		r.removed == 1 ? "" : "s", (unsigned long long)r.bytes, r.kept,
		r.kept == 1 ? "" : "s");
	if (r.leftovers)
		fprintf(cli->out, "%s %zu leftover%s of interrupted "
			"operations\n", o.dry ? "would remove" : "removed",
			r.leftovers, r.leftovers == 1 ? "" : "s");
out:
	json_decref(o.arr);
	gg_buf_release(&err);
	gg_mp_close(&mp);
	return rc;
}

const struct gg_cmd gg_cmd_mp_gc = {
	.name = "gc",
	.summary = "Remove unreferenced packages from the content store",
	.opts = opts,
	.min_args = 0,
	.max_args = 0,
	.exec = run,
};
