/*
 * client.h - asking a running node (the daemon of ADR-002, or a
 * foreground `p2p start`) over its control socket $GGEN_HOME/p2p.sock.
 *
 * Plain blocking sockets with one deadline for the whole exchange: a
 * verb asks one question and waits, so it needs no event loop of its
 * own.  "Nothing listens" (no socket file, or a stale one left by a
 * killed daemon) is its own code, GG_ENOTRUNNING, so verbs can fall back
 * to a short-lived node of their own.
 */
#ifndef GG_NODE_CLIENT_H
#define GG_NODE_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <jansson.h>

/* $home/p2p.sock into out: 0 or GG_ETOOBIG. */
int gg_client_sock_path(const char *home, char *out, size_t outsz);
/* The address of the socket at path.  A path too long for sun_path is
 * reached through /proc/self/fd/N of its directory: *dirfd is then that
 * descriptor (close it after bind/connect), else -1. */
int gg_client_sockaddr(const char *path, struct sockaddr_un *sa,
		       socklen_t *len, int *dirfd);

/*
 * Send req ("v" is added) to the node of home and wait up to timeout_ms
 * for the answer.  0: *reply is the ok answer (free it).
 * GG_ENOTRUNNING: no node listens there.  Any other code: err says why;
 * *reply holds the node's error answer when it sent one, else NULL.
 */
int gg_client_call(const char *home, const json_t *req, uint64_t timeout_ms,
		   json_t **reply, char *err, size_t errsz);

#endif
