/*
 * client.c - one request, one answer over the control socket (client.h).
 *
 * The answer is read through the same capped line reader the server
 * uses, so a confused or hostile process on the socket cannot make a
 * verb buffer more than one line.  Sends use MSG_NOSIGNAL: a daemon that
 * dies mid-request must not kill the verb with SIGPIPE.
 */
#include "node/client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "node/control.h"
#include "util/error.h"
#include "util/log.h"

#define CLIENT_CHUNK 65536

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Milliseconds left until deadline, for poll (0 when past). */
static int left_ms(uint64_t deadline)
{
	uint64_t now = now_ms();

	if (now >= deadline)
		return 0;
	return deadline - now > 60000000u ? 60000000 : (int)(deadline - now);
}

int gg_client_sock_path(const char *home, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%s", home, GG_CTL_SOCK);

	return n < 0 || (size_t)n >= outsz ? GG_ETOOBIG : 0;
}

int gg_client_sockaddr(const char *path, struct sockaddr_un *sa,
		       socklen_t *len, int *dirfd)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	size_t n = strlen(path), d;
	int k;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	*dirfd = -1;
	if (n < sizeof(sa->sun_path)) {
		memcpy(sa->sun_path, path, n + 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
		return 0;
	}
	/* too long for sun_path: go through the directory's descriptor */
	d = slash ? (size_t)(slash - path) : 0;
	if (!slash || d == 0 || d >= sizeof(dir))
		return GG_ETOOBIG;
	memcpy(dir, path, d);
	dir[d] = '\0';
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return gg_from_errno(errno);
	k = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s",
		     *dirfd, slash + 1);
	if (k < 0 || (size_t)k >= sizeof(sa->sun_path)) {
		close(*dirfd);
		*dirfd = -1;
		return GG_ETOOBIG;
	}
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			   (size_t)k + 1);
	return 0;
}

/* A connected socket to home's node, or a GG_E* code. */
static int client_connect(const char *home, char *err, size_t errsz)
{
	struct sockaddr_un sa;
	char path[4096];
	socklen_t salen;
	int fd, dirfd = -1, rc, e = 0;

	rc = gg_client_sock_path(home, path, sizeof(path));
	if (rc == 0)
		rc = gg_client_sockaddr(path, &sa, &salen, &dirfd);
	if (rc) {
		snprintf(err, errsz, "cannot reach the node: %s",
			 gg_strerror(rc));
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, salen) != 0) {
		e = errno;
		close(fd);
		fd = -1;
	} else if (fd < 0) {
		e = errno;
	}
	if (dirfd >= 0)
		close(dirfd);
	if (fd >= 0)
		return fd;
	if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR) {
		snprintf(err, errsz, "%s", gg_strerror(GG_ENOTRUNNING));
		return GG_ENOTRUNNING;
	}
	snprintf(err, errsz, "cannot connect to %s: %s", path, strerror(e));
	return gg_from_errno(e);
}

static int send_all(int fd, const uint8_t *p, size_t n, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t w;
	int k;

	while (n) {
		k = poll(&pfd, 1, left_ms(deadline));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k ? gg_from_errno(errno) : GG_ETIMEOUT;
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0)
			return gg_from_errno(errno);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read until one complete line; *line points into l. */
static int recv_line(int fd, struct gg_ctl_lines *l, uint64_t deadline,
		     const char **line, size_t *len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t *chunk = malloc(CLIENT_CHUNK);
	ssize_t r;
	int k, rc = chunk ? 0 : GG_ENOMEM;

	while (rc == 0 && gg_ctl_lines_next(l, line, len) != 1) {
		k = poll(&pfd, 1, left_ms(deadline));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = k ? gg_from_errno(errno) : GG_ETIMEOUT;
			break;
		}
		r = recv(fd, chunk, CLIENT_CHUNK, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			rc = r ? gg_from_errno(errno) : GG_ECLOSED;
		else
			rc = gg_ctl_lines_feed(l, chunk, (size_t)r);
	}
	free(chunk);
	return rc;
}

static int encode_request(const json_t *req, struct gg_buf *out)
{
	json_t *msg = json_copy((json_t *)req);
	int rc;

	if (!msg || !json_is_object(msg)) {
		json_decref(msg);
		return GG_EINVAL;
	}
	json_object_set_new(msg, "v", json_integer(GG_CTL_VERSION));
	rc = gg_ctl_encode(msg, out);
	json_decref(msg);
	return rc;
}

int gg_client_call(const char *home, const json_t *req, uint64_t timeout_ms,
		   json_t **reply, char *err, size_t errsz)
{
	struct gg_buf b = GG_BUF_INIT(GG_CTL_MAX_LINE + 1);
	uint64_t deadline = now_ms() + timeout_ms;
	struct gg_ctl_lines l;
	const char *line;
	size_t len;
	int fd, rc;

	*reply = NULL;
	gg_ctl_lines_init(&l);
	fd = client_connect(home, err, errsz);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	rc = encode_request(req, &b);
	if (rc == 0)
		rc = send_all(fd, b.data, b.len, deadline);
	if (rc == 0)
		rc = recv_line(fd, &l, deadline, &line, &len);
	if (rc == 0) {
		rc = gg_ctl_parse_reply(line, len, reply, err, errsz);
		goto out;
	}
	if (rc == GG_ETIMEOUT)
		snprintf(err, errsz, "the node did not answer within %llu ms",
			 (unsigned long long)timeout_ms);
	else if (rc == GG_ECLOSED)
		snprintf(err, errsz, "the node closed the connection without "
			 "answering");
	else
		snprintf(err, errsz, "talking to the node: %s",
			 gg_strerror(rc));
out:
	if (fd >= 0)
		close(fd);
	gg_ctl_lines_release(&l);
	gg_buf_release(&b);
	return rc;
}
