/*
 * raw_peer.c - a misbehaving peer for the bad-input tests, built as
 * build/tests/raw_peer.  It drives the multistream-select and Noise
 * engines by hand over a blocking socket, so it can do what a correct
 * host never would:
 *
 *   raw_peer silent HOST PORT SECS   connect and say nothing; print
 *                                    "closed after N ms" when the node
 *                                    hangs up (or "still open" at SECS)
 *   raw_peer junk-raw HOST PORT      finish the Noise handshake, then send
 *                                    bytes that are no Noise frame
 *   raw_peer junk-mux HOST PORT      finish the handshake, then send a valid
 *                                    Noise frame holding a bad yamux header
 *
 * The junk modes print "closed" when the node hangs up within 5 s (exit
 * 0), else "still open" (exit 1).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/key.h"
#include "p2p/mss.h"
#include "p2p/noise.h"
#include "p2p/yamux.h"
#include "util/error.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int connect_to(const char *host, const char *port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(port));
	if (fd < 0 || inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("FAIL: cannot connect\n");
		exit(1);
	}
	return fd;
}

static int send_all(int fd, struct gg_buf *b)
{
	size_t off = 0;
	ssize_t k;

	while (off < b->len) {
		k = send(fd, b->data + off, b->len - off, MSG_NOSIGNAL);
		if (k <= 0)
			return -1;
		off += (size_t)k;
	}
	gg_buf_reset(b);
	return 0;
}

/* Wait up to ms for the peer to hang up: 1 closed, 0 still open. */
static int wait_closed(int fd, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	struct pollfd p = { fd, POLLIN, 0 };
	uint8_t b[4096];
	ssize_t k;

	while (now_ms() < end) {
		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			continue;
		k = recv(fd, b, sizeof(b), 0);
		if (k <= 0)
			return 1;
	}
	return 0;
}

static int mode_silent(const char *host, const char *port, int secs)
{
	int fd = connect_to(host, port), closed;
	uint64_t t0 = now_ms();

	closed = wait_closed(fd, secs * 1000);
	close(fd);
	if (closed) {
		printf("closed after %llu ms\n",
		       (unsigned long long)(now_ms() - t0));
		return 0;
	}
	printf("still open after %d s\n", secs);
	return 1;
}

static int on_data(void *ud, const uint8_t *p, size_t n)
{
	return 0; /* whatever the node says after the handshake */
}

/* Negotiate /noise and run the handshake as initiator. */
static int handshake(int fd, struct gg_privkey **keyp, struct gg_noise **out)
{
	static const char *const sec[] = { GG_NOISE_PROTO };
	struct gg_buf wire = GG_BUF_INIT(1 << 20);
	struct gg_noise_cfg nc;
	struct gg_privkey *key = NULL;
	struct gg_mss m;
	uint8_t b[65536];
	const uint8_t *rest;
	size_t nrest;
	ssize_t k;
	int rc;

	rc = gg_privkey_generate(&key);
	*keyp = key;
	if (rc == 0)
		rc = gg_mss_init_dialer(&m, sec, 1);
	if (rc)
		return rc;
	send_all(fd, &m.out);
	memset(&nc, 0, sizeof(nc));
	nc.initiator = 1;
	nc.key = key;
	nc.on_data = on_data;
	rc = gg_noise_new(&nc, out);
	if (rc == 0)
		rc = gg_noise_start(*out, &wire);
	send_all(fd, &wire);
	while (rc == 0 && gg_noise_state(*out) == GG_NOISE_HANDSHAKE) {
		k = recv(fd, b, sizeof(b), 0);
		if (k <= 0) {
			rc = GG_ECLOSED;
			break;
		}
		if (gg_mss_state(&m) != GG_MSS_DONE) {
			rc = gg_mss_feed(&m, b, (size_t)k);
			if (rc < 0)
				break;
			rest = gg_mss_leftover(&m, &nrest);
			rc = rc == 1 && nrest ? gg_noise_feed(*out, rest, nrest,
							      &wire)
					      : 0;
		} else {
			rc = gg_noise_feed(*out, b, (size_t)k, &wire);
		}
		send_all(fd, &wire);
	}
	gg_mss_release(&m);
	gg_buf_release(&wire);
	return rc;
}

static int mode_junk(const char *host, const char *port, int mux)
{
	struct gg_buf wire = GG_BUF_INIT(1 << 20);
	struct gg_noise *n = NULL;
	struct gg_privkey *key = NULL;
	uint8_t junk[102];
	int fd = connect_to(host, port), rc, closed = 0;

	rc = handshake(fd, &key, &n);
	memset(junk, 0x5a, sizeof(junk));
	if (rc == 0 && mux) { /* select yamux, then a header of version 7 */
		struct gg_buf sel = GG_BUF_INIT(4096);

		junk[0] = 7;
		rc = gg_mss_encode(&sel, GG_MSS_HEADER);
		if (rc == 0)
			rc = gg_mss_encode(&sel, GG_YAMUX_PROTO);
		if (rc == 0)
			rc = gg_buf_add(&sel, junk, sizeof(junk));
		if (rc == 0)
			rc = gg_noise_write(n, sel.data, sel.len, &wire);
		gg_buf_release(&sel);
	} else if (rc == 0) { /* a whole frame that cannot decrypt */
		junk[0] = 0;
		junk[1] = sizeof(junk) - 2;
		rc = gg_buf_add(&wire, junk, sizeof(junk));
	}
	if (rc == 0)
		rc = send_all(fd, &wire);
	if (rc == 0)
		closed = wait_closed(fd, 5000);
	gg_buf_release(&wire);
	gg_noise_free(n);
	gg_privkey_free(key);
	close(fd);
	if (rc) {
		printf("FAIL: %s\n", gg_strerror(rc));
		return 1;
	}
	printf(closed ? "closed\n" : "still open\n");
	return !closed;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "silent") && argc == 5)
		return mode_silent(argv[2], argv[3], atoi(argv[4]));
	if (!strcmp(mode, "junk-raw") && argc == 4)
		return mode_junk(argv[2], argv[3], 0);
	if (!strcmp(mode, "junk-mux") && argc == 4)
		return mode_junk(argv[2], argv[3], 1);
	printf("usage: raw_peer silent HOST PORT SECS | junk-raw HOST PORT | "
	       "junk-mux HOST PORT\n");
	return 2;
}
