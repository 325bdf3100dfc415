/*
 * cmd_registry_build.c - `ggen marketplace registry build DIR
 * [--base-url URL]`: read every *.tar.gz in DIR (sorted by file name), check
 * its manifest, hash it, and write DIR/index.json atomically in the
 * central index format (DESIGN §5), so any static web server can host a
 * registry.  Without --base-url each download_url is the archive's file
 * name, relative to the index's own URL.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_config.h"
#include "cli/cmds.h"
#include "market/archive.h"
#include "util/error.h"
#include "util/fs.h"

#define SUFFIX ".tar.gz"
#define MAX_ARCHIVES 100000
/* Largest archive read (its unpacked size is limited separately). */
#define MAX_ARCHIVE_FILE ((size_t)1 << 30)

static const struct gg_opt opts[] = {
	{ "base-url", 0, GG_OPT_VALUE, "URL",
	  "Prefix each download_url with URL (default: relative names)" },
	GG_OPT_END
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of DIR's regular *.tar.gz files. */
static int list_archives(const char *dir, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	int rc = 0;

	*n = 0;
	if (!d)
		return gg_from_errno(errno);
	while (!rc && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		struct stat st;
		char **nv;

		if (len <= strlen(SUFFIX) ||
		    strcmp(e->d_name + len - strlen(SUFFIX), SUFFIX) ||
		    fstatat(dirfd(d), e->d_name, &st, 0) || !S_ISREG(st.st_mode))
			continue;
		nv = *n < MAX_ARCHIVES ? realloc(v, (*n + 1) * sizeof(*v))
				       : NULL;
		if (!nv || !(nv[*n] = strdup(e->d_name)))
			rc = nv ? GG_ENOMEM : GG_ELIMIT;
		if (nv)
			v = nv;
		if (!rc)
			(*n)++;
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), name_cmp);
	*out = v;
	return rc;
}

/* URL-escape a file name (RFC 3986 unreserved characters kept). */
static void url_escape(struct gg_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			gg_buf_addc(b, c);
		else
			gg_buf_printf(b, "%%%02X", c);
	}
}

static json_t *entry_json(const struct gg_manifest *m, const char *file,
			  const char *base, const struct gg_pkgid *id)
{
	struct gg_buf url = GG_BUF_INIT(16384);
	char sum[GG_PKGID_STR_SIZE];
	json_t *o = NULL;
	size_t bl = base ? strlen(base) : 0;

	if (gg_manifest_to_json(m, &o))
		return NULL;
	if (base)
		gg_buf_printf(&url, "%s%s", base,
			      bl && base[bl - 1] == '/' ? "" : "/");
	url_escape(&url, file);
	gg_pkgid_to_str(id, sum, sizeof(sum));
	json_object_del(o, "repository");
	json_object_del(o, "homepage");
	if (json_object_set_new(o, "downloads", json_integer(0)) ||
	    json_object_set_new(o, "stars", json_integer(0)) ||
	    json_object_set_new(o, "download_url",
				json_string(gg_buf_cstr(&url))) ||
	    json_object_set_new(o, "checksum", json_string(sum))) {
		json_decref(o);
		o = NULL;
	}
	gg_buf_release(&url);
	return o;
}

struct build {
	struct gg_cli *cli;
	const char *dir;
	const char *base;
	struct gg_archive_limits lim;
	json_t *pkgs;
	json_t *files; /* the file name of each entry of pkgs */
};

/* Append the whole file at path to b (its cap bounds the size). */
static int read_whole(const char *path, struct gg_buf *b)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (fd < 0)
		return gg_from_errno(errno);
	while (!rc && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0)
			rc = errno == EINTR ? 0 : gg_from_errno(errno);
		else
			rc = gg_buf_add(b, chunk, (size_t)n);
	}
	close(fd);
	return rc;
}

/* Read, hash and describe one archive; appends to b->pkgs. */
static int add_archive(struct build *b, const char *file)
{
	struct gg_buf data = GG_BUF_INIT(MAX_ARCHIVE_FILE);
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_manifest m;
	struct gg_pkgid id;
	char path[4200];
	size_t i;
	json_t *v;
	int rc;

	gg_manifest_init(&m);
	snprintf(path, sizeof(path), "%s/%s", b->dir, file);
	rc = read_whole(path, &data);
	if (rc) {
		rc = gg_cli_fail(b->cli, "%s: %s", path, gg_strerror(rc));
		goto out;
	}
	gg_pkgid_of(data.data, data.len, &id);
	if (gg_archive_read_manifest_mem(data.data, data.len, &b->lim, &m,
					 &err)) {
		rc = gg_cli_fail(b->cli, "%s: %s", path, gg_buf_cstr(&err));
		goto out;
	}
	json_array_foreach(b->pkgs, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "name")),
			   m.name) ||
		    strcmp(json_string_value(json_object_get(v, "version")),
			   m.version))
			continue;
		rc = gg_cli_fail(b->cli, "%s and %s are both %s@%s",
				 json_string_value(json_array_get(b->files, i)),
				 file, m.name, m.version);
		goto out;
	}
	if (json_array_append_new(b->pkgs, entry_json(&m, file, b->base, &id))
	    || json_array_append_new(b->files, json_string(file)))
		rc = gg_cli_fail(b->cli, "out of memory");
out:
	gg_manifest_release(&m);
	gg_buf_release(&data);
	gg_buf_release(&err);
	return rc;
}

/* "2025-11-10T17:49:18Z" for now. */
static void now_utc(char *out, size_t outsz)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_index(struct build *b)
{
	char path[4200], when[32];
	json_t *doc;
	char *text = NULL;
	int rc;

	now_utc(when, sizeof(when));
	doc = json_pack("{s:s, s:s, s:I, s:O}", "version", "1.0.0",
			"updated_at", when, "package_count",
			(json_int_t)json_array_size(b->pkgs), "packages",
			b->pkgs);
	text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	if (!text)
		return gg_cli_fail(b->cli, "out of memory");
	snprintf(path, sizeof(path), "%s/index.json", b->dir);
	rc = gg_write_file_atomic(path, text, strlen(text),
				  0644, GG_FS_REPLACE);
	free(text);
	if (rc)
		return gg_cli_fail(b->cli, "cannot write %s: %s", path,
				   gg_strerror(rc));
	fprintf(b->cli->out, "wrote %s (%zu packages)\n", path,
		json_array_size(b->pkgs));
	return GG_EXIT_OK;
}

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	struct build b = { cli, a->argv[0], gg_args_value(a, "base-url"),
			   { 0, 0 }, json_array(), json_array() };
	struct gg_config *cfg = NULL;
	char **files = NULL;
	size_t i, n = 0;
	int rc = gg_cli_config(cli, &cfg);

	if (rc)
		goto out;
	gg_archive_limits_config(cfg, &b.lim);
	if (!b.pkgs || !b.files) {
		rc = gg_cli_fail(cli, "out of memory");
		goto out;
	}
	rc = list_archives(b.dir, &files, &n);
	if (rc) {
		rc = gg_cli_fail(cli, "cannot list %s: %s", b.dir,
				 gg_strerror(rc));
		goto out;
	}
	for (i = 0; !rc && i < n; i++)
		rc = add_archive(&b, files[i]);
	if (!rc)
		rc = write_index(&b);
out:
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	json_decref(b.pkgs);
	json_decref(b.files);
	gg_config_free(cfg);
	return rc;
}

const struct gg_cmd gg_cmd_mp_registry_build = {
	.name = "build",
	.summary = "Write DIR/index.json for the package archives in DIR",
	.usage = "DIR",
	.help = "Reads every *.tar.gz in DIR (sorted by name), checks its "
		"package.toml and\nwrites DIR/index.json in the central "
		"index format, with a download_url and\na sha256 checksum "
		"for each.  Serve DIR from any static web server and point\n"
		"registry.url (or GGEN_REGISTRY_URL) at DIR/index.json.",
	.opts = opts,
	.min_args = 1,
	.max_args = 1,
	.exec = run,
};
