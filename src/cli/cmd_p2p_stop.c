/*
 * cmd_p2p_stop.c - `ggen marketplace p2p stop`: ask the running node of
 * this $GGEN_HOME to shut down (control command "stop") and wait, at
 * most STOP_WAIT_MS, until it has let go of its lock (its last act) and
 * its process has ended.  So when stop returns 0 a new `p2p start` can
 * begin at once.
 */
#include "cli/cli.h"
#include "cli/cli_daemon.h"
#include "cli/cmds.h"
#include "config/config.h"
#include "node/daemon.h"
#include "util/error.h"

#define STOP_ASK_MS 10000
#define STOP_WAIT_MS 10000

static int run(struct gg_cli *cli, const struct gg_args *a)
{
	json_t *req = json_pack("{s:s}", "cmd", "stop"), *reply = NULL;
	char home[4096];
	long pid = 0;
	int rc;

	if (!req)
		return gg_cli_fail(cli, "out of memory");
	rc = gg_cli_daemon_call(cli, req, STOP_ASK_MS, 0, &reply);
	json_decref(req);
	if (rc != GG_EXIT_OK)
		goto out;
	pid = (long)json_integer_value(json_object_get(reply, "pid"));
	if (gg_home_dir(home, sizeof(home)) ||
	    gg_daemon_wait_stopped(home, pid, STOP_WAIT_MS)) {
		rc = gg_cli_fail(cli, "the node (pid %ld) did not stop within "
				 "%d s", pid, STOP_WAIT_MS / 1000);
		goto out;
	}
	fprintf(cli->out, "stopped the node (pid %ld)\n", pid);
out:
	json_decref(reply);
	return rc;
}

const struct gg_cmd gg_cmd_p2p_stop = {
	.name = "stop",
	.summary = "Stop the running node",
	.help = "Asks the node running for this GGEN_HOME to shut down and "
		"waits up to 10 s\nfor it to exit.  Exit 1 when none runs.",
	.min_args = 0,
	.max_args = 0,
	.exec = run,
};
