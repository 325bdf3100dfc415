/*
 * daemon.h - one node per $GGEN_HOME, in the foreground or detached
 * (ADR-002): the lock, the pid file, the control socket, the log, and the
 * double fork.
 *
 * $GGEN_HOME/p2p.lock is held (flock) for as long as a node runs there;
 * the kernel lets go of it when the process dies, however it dies, so a
 * free lock means "no node", and whatever p2p.sock or p2p.pid a killed
 * node left behind is stale and removed by the next one that takes the
 * lock.  The lock file itself stays (removing it would race).
 *
 * Detaching reports back: the daemon's start-up output (what `p2p start`
 * prints in the foreground, or its error) travels over two pipes to the
 * waiting parent, and the daemon marks success by ending the output pipe
 * with one NUL byte once it listens and serves the control socket.  So
 * the parent exits 0 only for a daemon that really runs.
 */
#ifndef GG_NODE_DAEMON_H
#define GG_NODE_DAEMON_H

#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"

struct gg_node;
struct gg_op;
struct gg_control;

#define GG_DAEMON_LOCK "p2p.lock"
#define GG_DAEMON_PID "p2p.pid"
#define GG_DAEMON_LOG "logs/ggen.log"
#define GG_DAEMON_READY '\0' /* last byte of the output pipe: running */

struct gg_daemon {
	char home[4096];
	char lock_path[4096], pid_path[4096], sock_path[4096];
	char log_path[4096];
	int lock_fd;              /* held while a node runs here */
	int report_out, report_err; /* in the daemon: pipes to the parent */
	FILE *log;                /* in the daemon: the log sink */
	struct gg_control *ctl;
	int pid_written;
};

/* What the parent gathered from the daemon's start-up. */
struct gg_daemon_report {
	struct gg_buf out, err;
	int ready; /* the daemon runs (the NUL mark was seen and stripped) */
};

void gg_daemon_init(struct gg_daemon *d);
/* Take the lock of home (an absolute path).  0; or GG_EBUSY when a node
 * runs there (*other_pid: its pid from p2p.pid, 0 when unknown).  With
 * the lock, a stale p2p.sock and p2p.pid are removed. */
int gg_daemon_lock(struct gg_daemon *d, const char *home, long *other_pid);
/* The pid in home's p2p.pid: 0, GG_ENOTFOUND or GG_EPARSE. */
int gg_daemon_read_pid(const char *home, long *pid);

/*
 * Detach (double fork, setsid, umask 077, cwd /, stdin /dev/null,
 * stdout and stderr to the log, other descriptors closed) with the lock
 * held.  In the daemon *is_daemon = 1: log lines go to logs/ggen.log and
 * report_out/report_err are the pipes to the parent.  In the parent
 * *is_daemon = 0: it has waited up to wait_ms for the daemon to report
 * and let go of the lock; rep (initialised here; release both buffers)
 * holds what the daemon said.  0, GG_ETIMEOUT (rep holds what came), or
 * an error from fork/pipe.
 */
int gg_daemon_detach(struct gg_daemon *d, uint64_t wait_ms, int *is_daemon,
		     struct gg_daemon_report *rep);
void gg_daemon_report_release(struct gg_daemon_report *rep);

/* Serve home's control socket on n (the stop command sets stop done) and
 * write p2p.pid atomically.  0 or a GG_E* code (err says why). */
int gg_daemon_serve(struct gg_daemon *d, struct gg_node *n,
		    struct gg_op *stop, char *err, size_t errsz);
/* Close the control socket (removed) and remove p2p.pid; the lock stays
 * until gg_daemon_release.  Run the node's loop afterwards. */
void gg_daemon_stop(struct gg_daemon *d);
/* Stop, close the report pipes and the log, let go of the lock. */
void gg_daemon_release(struct gg_daemon *d);

/* Wait up to timeout_ms until no node holds home's lock and process pid
 * (when > 0) has exited: 0 or GG_ETIMEOUT. */
int gg_daemon_wait_stopped(const char *home, long pid, uint64_t timeout_ms);

#endif
