/*
 * daemon.c - the lock, pid file, control socket and detaching of a node
 * (see daemon.h).
 *
 * The double fork is the classic one: the first child calls setsid and
 * forks again, so the daemon is not a session leader and can never get a
 * controlling terminal back; the first child leaves with _exit, which
 * neither runs atexit handlers nor flushes stdio buffers copied from the
 * parent (they would print the parent's output twice).  It is the only
 * place in the core that ends a process, and only that intermediate one.
 */
#include "node/daemon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "node/client.h"
#include "node/control.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#define REPORT_MAX (64u * 1024u)
#define MAX_FDS 4096

static int path_in(char *out, size_t outsz, const char *home,
		   const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", home, name);

	return n < 0 || (size_t)n >= outsz ? GG_ETOOBIG : 0;
}

void gg_daemon_init(struct gg_daemon *d)
{
	memset(d, 0, sizeof(*d));
	d->lock_fd = d->report_out = d->report_err = -1;
}

static int set_paths(struct gg_daemon *d, const char *home)
{
	int n = snprintf(d->home, sizeof(d->home), "%s", home), rc = 0;

	if (n < 0 || (size_t)n >= sizeof(d->home))
		rc = GG_ETOOBIG;
	if (rc == 0)
		rc = path_in(d->lock_path, sizeof(d->lock_path), home,
			     GG_DAEMON_LOCK);
	if (rc == 0)
		rc = path_in(d->pid_path, sizeof(d->pid_path), home,
			     GG_DAEMON_PID);
	if (rc == 0)
		rc = gg_client_sock_path(home, d->sock_path,
					 sizeof(d->sock_path));
	if (rc == 0)
		rc = path_in(d->log_path, sizeof(d->log_path), home,
			     GG_DAEMON_LOG);
	return rc;
}

int gg_daemon_read_pid(const char *home, long *pid)
{
	char path[4096], buf[32], *end;
	ssize_t n;
	int fd, rc = path_in(path, sizeof(path), home, GG_DAEMON_PID);

	*pid = 0;
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return GG_ENOTFOUND;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return GG_EPARSE;
	buf[n] = '\0';
	errno = 0;
	*pid = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || *pid <= 0) {
		*pid = 0;
		return GG_EPARSE;
	}
	return 0;
}

int gg_daemon_lock(struct gg_daemon *d, const char *home, long *other_pid)
{
	int fd, e, rc = set_paths(d, home);

	*other_pid = 0;
	if (rc)
		return rc;
	fd = open(d->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return gg_from_errno(errno);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno;
		close(fd);
		if (e != EWOULDBLOCK)
			return gg_from_errno(e);
		gg_daemon_read_pid(home, other_pid);
		return GG_EBUSY;
	}
	d->lock_fd = fd;
	/* nobody runs here: what a killed node left is stale */
	if (unlink(d->sock_path) == 0)
		gg_info("daemon", "removed a stale %s", d->sock_path);
	unlink(d->pid_path);
	return 0;
}

/* ---- detaching ---- */

static int is_kept(int fd, const int *keep, int nkeep)
{
	int i;

	for (i = 0; i < nkeep; i++)
		if (keep[i] == fd)
			return 1;
	return 0;
}

/* Close every descriptor above 2 we did not open on purpose, so the
 * daemon holds no pipe of whoever started it (a shell's $(...) would
 * wait for it forever). */
static void close_others(const int *keep, int nkeep)
{
	int fds[MAX_FDS], n = 0, i, fd;
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;

	if (!dir)
		return;
	while (n < MAX_FDS && (e = readdir(dir)) != NULL) {
		fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(dir) && !is_kept(fd, keep, nkeep))
			fds[n++] = fd;
	}
	closedir(dir);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

/* In the daemon: standard streams, log, cwd, umask. */
static int become_daemon(struct gg_daemon *d, int out_fd, int err_fd)
{
	char logs[4096];
	int logfd, nullfd, keep[4];
	int rc = path_in(logs, sizeof(logs), d->home, "logs");

	umask(077);
	if (rc)
		return rc;
	if (mkdir(logs, 0700) != 0 && errno != EEXIST)
		return gg_from_errno(errno);
	logfd = open(d->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		     0600);
	if (logfd < 0)
		return gg_from_errno(errno);
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd < 0 || dup2(nullfd, 0) < 0 || dup2(logfd, 1) < 0 ||
	    dup2(logfd, 2) < 0)
		return gg_from_errno(errno);
	close(nullfd);
	keep[0] = d->lock_fd;
	keep[1] = out_fd;
	keep[2] = err_fd;
	keep[3] = logfd;
	close_others(keep, 4);
	if (chdir("/") != 0)
		return gg_from_errno(errno);
	d->log = fdopen(logfd, "a");
	if (!d->log)
		return GG_ENOMEM;
	setvbuf(d->log, NULL, _IOLBF, 0);
	gg_log_set_file(d->log);
	signal(SIGHUP, SIG_IGN);
	return 0;
}

static void read_some(int fd, struct gg_buf *b, int *open_)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		*open_ = 0;
		return;
	}
	if (b->len + (size_t)n <= REPORT_MAX)
		gg_buf_add(b, chunk, (size_t)n);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* In the parent: read both pipes until the daemon closes them. */
static int gather(int out_fd, int err_fd, uint64_t wait_ms,
		  struct gg_daemon_report *rep)
{
	struct pollfd p[2] = { { .fd = out_fd, .events = POLLIN },
			       { .fd = err_fd, .events = POLLIN } };
	uint64_t end = mono_ms() + wait_ms, now;
	int open_[2] = { 1, 1 }, k;

	while (open_[0] || open_[1]) {
		now = mono_ms();
		if (now >= end)
			return GG_ETIMEOUT;
		p[0].fd = open_[0] ? out_fd : -1;
		p[1].fd = open_[1] ? err_fd : -1;
		k = poll(p, 2, (int)(end - now > 60000 ? 60000 : end - now));
		if (k < 0 && errno != EINTR)
			return gg_from_errno(errno);
		if (k > 0 && p[0].revents)
			read_some(out_fd, &rep->out, &open_[0]);
		if (k > 0 && p[1].revents)
			read_some(err_fd, &rep->err, &open_[1]);
	}
	if (rep->out.len && rep->out.data[rep->out.len - 1] == GG_DAEMON_READY) {
		rep->ready = 1;
		rep->out.data[--rep->out.len] = '\0';
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The first child: a new session, then the daemon's fork. */
static int fork_twice(void)
{
	pid_t pid;

	if (setsid() < 0)
		_exit(1);
	pid = fork();
	if (pid != 0)
		_exit(pid < 0 ? 1 : 0);
	return 0;
}

int gg_daemon_detach(struct gg_daemon *d, uint64_t wait_ms, int *is_daemon,
		     struct gg_daemon_report *rep)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, rc = 0;
	pid_t pid;

	*is_daemon = 0;
	gg_buf_init(&rep->out, REPORT_MAX + 1);
	gg_buf_init(&rep->err, REPORT_MAX + 1);
	rep->ready = 0;
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		rc = gg_from_errno(errno);
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = gg_from_errno(errno);
		goto out;
	}
	if (pid == 0) {
		close_fd(&po[0]);
		close_fd(&pe[0]);
		fork_twice();
		*is_daemon = 1;
		d->report_out = po[1];
		d->report_err = pe[1];
		return become_daemon(d, po[1], pe[1]);
	}
	close_fd(&po[1]);
	close_fd(&pe[1]);
	close_fd(&d->lock_fd); /* the daemon holds it now */
	waitpid(pid, NULL, 0);
	rc = gather(po[0], pe[0], wait_ms, rep);
out:
	close_fd(&po[0]);
	close_fd(&po[1]);
	close_fd(&pe[0]);
	close_fd(&pe[1]);
	return rc;
}

void gg_daemon_report_release(struct gg_daemon_report *rep)
{
	gg_buf_release(&rep->out);
	gg_buf_release(&rep->err);
}

/* ---- serving ---- */

int gg_daemon_serve(struct gg_daemon *d, struct gg_node *n,
		    struct gg_op *stop, char *err, size_t errsz)
{
	struct gg_control_opts o = { .node = n, .path = d->sock_path,
				     .stop = stop };
	char pid[32];
	int rc, k;

	/* a client that hangs up must not kill the node with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	rc = gg_control_start(&o, &d->ctl, err, errsz);
	if (rc)
		return rc;
	k = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	rc = gg_write_file_atomic(d->pid_path, pid, (size_t)k,
				  0644, GG_FS_REPLACE);
	if (rc) {
		snprintf(err, errsz, "cannot write %s: %s", d->pid_path,
			 gg_strerror(rc));
		return rc;
	}
	d->pid_written = 1;
	gg_info("daemon", "node running, pid %ld, control socket %s",
		(long)getpid(), d->sock_path);
	return 0;
}

void gg_daemon_stop(struct gg_daemon *d)
{
	if (d->ctl) {
		gg_control_close(d->ctl);
		d->ctl = NULL;
	}
	if (d->pid_written) {
		unlink(d->pid_path);
		d->pid_written = 0;
	}
}

void gg_daemon_release(struct gg_daemon *d)
{
	gg_daemon_stop(d);
	close_fd(&d->report_out);
	close_fd(&d->report_err);
	if (d->log) {
		gg_info("daemon", "node stopped");
		gg_log_set_file(NULL); /* fd 2 is the log too */
		fclose(d->log);
		d->log = NULL;
	}
	close_fd(&d->lock_fd); /* last: the next node may start now */
}

/* pid has exited: gone, or a zombie nobody has reaped yet */
static int pid_exited(long pid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold anything */
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

int gg_daemon_wait_stopped(const char *home, long pid, uint64_t timeout_ms)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	uint64_t end = mono_ms() + timeout_ms;
	char path[4096];
	int fd, rc = path_in(path, sizeof(path), home, GG_DAEMON_LOCK);

	if (rc)
		return rc;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0; /* no lock file: nothing ever ran here */
	/* the lock goes last in the node's shutdown; the process ends a
	 * moment later */
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			flock(fd, LOCK_UN);
			if (pid <= 0 || pid_exited(pid))
				break;
		}
		if (mono_ms() >= end) {
			rc = GG_ETIMEOUT;
			break;
		}
		nanosleep(&pause, NULL);
	}
	close(fd);
	return rc;
}
