/*
 * cli_daemon.h - the CLI side of the node daemon (ADR-002).
 *
 * For `p2p start`: the lock (one node per $GGEN_HOME), --daemon (detach;
 * the waiting parent prints what the daemon printed and exits 0 only
 * when it runs), the control socket and pid file.  For every other verb:
 * one call that asks the running node, and says "no running node" or
 * lets the verb run a short-lived node of its own when none runs.
 */
#ifndef GG_CLI_DAEMON_H
#define GG_CLI_DAEMON_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/cli.h"
#include "node/daemon.h"

struct gg_node;
struct gg_op;

#define GG_OPT_DAEMON                                                   \
	{ "daemon", 'd', GG_OPT_FLAG, NULL,                             \
	  "Detach and run in the background (log in "                   \
	  "$GGEN_HOME/logs/ggen.log)" }

#define GG_CLI_NO_NODE                                                  \
	"no running node (start one with 'ggen marketplace p2p start "  \
	"--daemon')"

/* How long the parent of --daemon waits for the daemon's report. */
#define GG_CLI_DAEMON_WAIT_MS 30000

struct gg_cli_daemon {
	struct gg_daemon d;
	FILE *rep_out, *rep_err;   /* a daemon's start-up output, until ready */
	FILE *orig_out, *orig_err; /* cli's streams before that */
};

/*
 * The start of `p2p start`: make home absolute, take its lock (printing
 * who runs there when busy) and, with --daemon, detach.  Returns 1 when
 * the command is over (*exit_code: a refusal, or the parent of a daemon
 * after printing its report); 0 to go on (in the foreground, or as the
 * daemon, whose cli->out/err then lead to the waiting parent).
 * gg_cli_daemon_end must follow in every case.
 */
int gg_cli_daemon_begin(struct gg_cli *cli, const struct gg_args *a,
			char *home, size_t homesz, struct gg_cli_daemon *dm,
			int *exit_code);
/* Serve the control socket and write p2p.pid: GG_EXIT_OK, or
 * GG_EXIT_FAIL after printing why. */
int gg_cli_daemon_serve(struct gg_cli *cli, struct gg_cli_daemon *dm,
			struct gg_node *n, struct gg_op *stop);
/* Start-up output is complete: a daemon's parent may now exit 0. */
void gg_cli_daemon_ready(struct gg_cli *cli, struct gg_cli_daemon *dm);
/* Close the control socket, remove p2p.pid (before the node goes). */
void gg_cli_daemon_stop(struct gg_cli_daemon *dm);
/* Release everything; the lock last. */
void gg_cli_daemon_end(struct gg_cli *cli, struct gg_cli_daemon *dm);

/* gg_cli_daemon_call flags */
#define GG_CLI_DAEMON_LOCAL 1u /* no node: return GG_CLI_RUN_LOCAL */
#define GG_CLI_RUN_LOCAL (-1)

/*
 * Ask the node of $GGEN_HOME (req gets "v").  GG_EXIT_OK: *reply is its
 * ok answer.  GG_EXIT_FAIL: printed why (its error, a transport problem,
 * or GG_CLI_NO_NODE); *reply holds its error answer if it sent one.
 * With GG_CLI_DAEMON_LOCAL, no node returns GG_CLI_RUN_LOCAL silently:
 * the verb then does the work in-process.  Free *reply in every case.
 */
int gg_cli_daemon_call(struct gg_cli *cli, const json_t *req,
		       uint64_t timeout_ms, unsigned flags, json_t **reply);
/* Print an answer as one JSON document without its "v" and "ok". */
int gg_cli_daemon_print_json(struct gg_cli *cli, const json_t *reply);

#endif
