/*
 * error.h - the one list of error codes.
 *
 * Every function that can fail returns 0 on success or a negative GG_E*
 * code from this list.  The enum and gg_strerror() are both generated from
 * GG_ERRNO_MAP, as libuv does with UV_ERRNO_MAP, so a code never exists
 * without its message.  errno values are converted at the boundary with
 * gg_from_errno().
 */
#ifndef GG_ERROR_H
#define GG_ERROR_H

#define GG_ERRNO_MAP(X)                                                  \
	X(INTERNAL, "internal error")                                    \
	X(NOMEM, "out of memory")                                        \
	X(INVAL, "invalid argument")                                     \
	X(RANGE, "value out of range")                                   \
	X(TOOBIG, "size limit exceeded")                                 \
	X(TRUNC, "input truncated")                                      \
	X(PARSE, "malformed input")                                      \
	X(NONMINIMAL, "non-minimal encoding")                            \
	X(NOTFOUND, "not found")                                         \
	X(EXISTS, "already exists")                                      \
	X(IO, "input/output error")                                      \
	X(PERM, "permission denied")                                     \
	X(TIMEOUT, "operation timed out")                                \
	X(CANCELED, "operation canceled")                                \
	X(UNSUPPORTED, "not supported")                                  \
	X(PROTO, "protocol error")                                       \
	X(CRYPTO, "cryptographic failure")                               \
	X(BADSIG, "signature verification failed")                       \
	X(PEERID, "peer ID mismatch")                                    \
	X(CONNREFUSED, "connection refused")                             \
	X(CONNRESET, "connection reset")                                 \
	X(CLOSED, "closed")                                              \
	X(AGAIN, "resource temporarily unavailable")                     \
	X(LIMIT, "limit reached")                                        \
	X(CHECKSUM, "checksum mismatch")                                 \
	X(CORRUPT, "data corrupted")                                     \
	X(DB, "database error")                                          \
	X(NET, "network error")                                          \
	X(BUSY, "busy")                                                  \
	X(NOTRUNNING, "no running node")                                 \
	X(BANNED, "peer banned")                                         \
	X(CONFIG, "configuration error")                                 \
	X(USAGE, "usage error")

enum gg_err {
	GG_OK = 0,
#define GG_ERR_ENUM(name, msg) GG_E##name,
	GG_E__FIRST = -1000,
	GG_ERRNO_MAP(GG_ERR_ENUM)
#undef GG_ERR_ENUM
	GG_E__LAST
};

/* The message for code err (0 gives "success"); never NULL. */
const char *gg_strerror(int err);
/* The symbolic name, e.g. "GG_ETIMEOUT". */
const char *gg_errname(int err);
/* Map an errno value to the nearest GG_E* code. */
int gg_from_errno(int e);

#endif
