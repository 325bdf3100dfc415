/*
 * cli_daemon.c - the CLI side of the node daemon (see cli_daemon.h).
 *
 * In a detached daemon, cli->out and cli->err are swapped for the pipes
 * to the waiting parent until the node is ready, so `p2p start` prints
 * exactly what it prints in the foreground and the parent copies it
 * through; an error on the way up reaches the person the same way.
 */
#include "cli/cli_daemon.h"

#include <limits.h>

#include "config/config.h"
#include "node/client.h"
#include "node/node.h"
#include "util/error.h"
#include "util/log.h"

static int make_absolute(struct gg_cli *cli, char *home, size_t homesz)
{
	char abs[PATH_MAX];
	int n;

	if (!realpath(home, abs))
		return gg_cli_fail(cli, "cannot resolve %s: %s", home,
				   strerror(errno));
	n = snprintf(home, homesz, "%s", abs);
	if (n < 0 || (size_t)n >= homesz)
		return gg_cli_fail(cli, "path too long: %s", abs);
	return GG_EXIT_OK;
}

static int refuse_busy(struct gg_cli *cli, const char *home, long pid)
{
	if (pid)
		return gg_cli_fail(cli, "a node is already running in %s "
				   "(pid %ld); stop it with 'ggen "
				   "marketplace p2p stop'", home, pid);
	return gg_cli_fail(cli, "a node is already running in %s", home);
}

/* In the parent: say what the daemon said; the exit code. */
static int parent_report(struct gg_cli *cli, struct gg_cli_daemon *dm,
			 int rc, struct gg_daemon_report *rep)
{
	if (rep->out.len)
		fwrite(rep->out.data, 1, rep->out.len, cli->out);
	fflush(cli->out);
	if (rep->err.len)
		fwrite(rep->err.data, 1, rep->err.len, cli->err);
	if (rc == GG_ETIMEOUT)
		return gg_cli_fail(cli, "the daemon did not report within "
				   "%d s; see %s", GG_CLI_DAEMON_WAIT_MS / 1000,
				   dm->d.log_path);
	if (rc)
		return gg_cli_fail(cli, "cannot start the daemon: %s",
				   gg_strerror(rc));
	if (rep->ready)
		return GG_EXIT_OK;
	if (!rep->err.len)
		return gg_cli_fail(cli, "the daemon exited during start-up; "
				   "see %s", dm->d.log_path);
	return GG_EXIT_FAIL;
}

/* In the daemon: print to the parent until ready; log at info. */
static int daemon_streams(struct gg_cli *cli, struct gg_cli_daemon *dm)
{
	dm->rep_out = fdopen(dm->d.report_out, "w");
	if (dm->rep_out)
		dm->d.report_out = -1; /* the FILE owns it */
	dm->rep_err = fdopen(dm->d.report_err, "w");
	if (dm->rep_err)
		dm->d.report_err = -1;
	if (!dm->rep_out || !dm->rep_err)
		return GG_ENOMEM;
	dm->orig_out = cli->out;
	dm->orig_err = cli->err;
	cli->out = dm->rep_out;
	cli->err = dm->rep_err;
	if (!cli->quiet && !getenv("GGEN_LOG") &&
	    gg_log_get_level() < GG_LOG_INFO)
		gg_log_set_level(GG_LOG_INFO);
	return 0;
}

int gg_cli_daemon_begin(struct gg_cli *cli, const struct gg_args *a,
			char *home, size_t homesz, struct gg_cli_daemon *dm,
			int *exit_code)
{
	struct gg_daemon_report rep;
	int rc, is_daemon = 0;
	long pid;

	memset(dm, 0, sizeof(*dm));
	gg_daemon_init(&dm->d);
	*exit_code = make_absolute(cli, home, homesz);
	if (*exit_code)
		return 1;
	rc = gg_daemon_lock(&dm->d, home, &pid);
	if (rc == GG_EBUSY)
		*exit_code = refuse_busy(cli, home, pid);
	else if (rc)
		*exit_code = gg_cli_fail(cli, "cannot lock %s/%s: %s", home,
					 GG_DAEMON_LOCK, gg_strerror(rc));
	if (rc || !gg_args_flag(a, "daemon"))
		return rc ? 1 : 0;
	rc = gg_daemon_detach(&dm->d, GG_CLI_DAEMON_WAIT_MS, &is_daemon, &rep);
	if (!is_daemon) {
		*exit_code = parent_report(cli, dm, rc, &rep);
		gg_daemon_report_release(&rep);
		return 1;
	}
	if (rc == 0)
		rc = daemon_streams(cli, dm);
	if (rc) {
		*exit_code = gg_cli_fail(cli, "cannot become a daemon: %s",
					 gg_strerror(rc));
		return 1;
	}
	return 0;
}

int gg_cli_daemon_serve(struct gg_cli *cli, struct gg_cli_daemon *dm,
			struct gg_node *n, struct gg_op *stop)
{
	char err[512];

	if (gg_daemon_serve(&dm->d, n, stop, err, sizeof(err))) {
		gg_daemon_stop(&dm->d); /* before the node's loop drains */
		return gg_cli_fail(cli, "%s", err);
	}
	return GG_EXIT_OK;
}

static void close_report(struct gg_cli *cli, struct gg_cli_daemon *dm,
			 int ready)
{
	if (!dm->rep_out && !dm->rep_err)
		return;
	if (dm->rep_out && ready)
		fputc(GG_DAEMON_READY, dm->rep_out);
	if (dm->rep_out)
		fclose(dm->rep_out);
	if (dm->rep_err)
		fclose(dm->rep_err);
	dm->rep_out = dm->rep_err = NULL;
	if (dm->orig_out) {
		cli->out = dm->orig_out; /* stdout and stderr: the log now */
		cli->err = dm->orig_err;
	}
}

void gg_cli_daemon_ready(struct gg_cli *cli, struct gg_cli_daemon *dm)
{
	close_report(cli, dm, 1);
}

void gg_cli_daemon_stop(struct gg_cli_daemon *dm)
{
	gg_daemon_stop(&dm->d);
}

void gg_cli_daemon_end(struct gg_cli *cli, struct gg_cli_daemon *dm)
{
	close_report(cli, dm, 0);
	gg_daemon_release(&dm->d);
}

int gg_cli_daemon_call(struct gg_cli *cli, const json_t *req,
		       uint64_t timeout_ms, unsigned flags, json_t **reply)
{
	char home[4096], err[1024];
	int rc;

	*reply = NULL;
	if (gg_home_dir(home, sizeof(home)))
		return gg_cli_fail(cli, "cannot find the ggen home directory");
	rc = gg_client_call(home, req, timeout_ms, reply, err, sizeof(err));
	if (rc == 0)
		return GG_EXIT_OK;
	if (rc == GG_ENOTRUNNING && (flags & GG_CLI_DAEMON_LOCAL))
		return GG_CLI_RUN_LOCAL;
	if (rc == GG_ENOTRUNNING)
		return gg_cli_fail(cli, "%s", GG_CLI_NO_NODE);
	return gg_cli_fail(cli, "%s", err);
}

int gg_cli_daemon_print_json(struct gg_cli *cli, const json_t *reply)
{
	json_t *doc = json_deep_copy(reply);

	if (!doc)
		return gg_cli_fail(cli, "out of memory");
	json_object_del(doc, "v");
	json_object_del(doc, "ok");
	json_dumpf(doc, cli->out, JSON_COMPACT);
	fputc('\n', cli->out);
	json_decref(doc);
	return GG_EXIT_OK;
}
