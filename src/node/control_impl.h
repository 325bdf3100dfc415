/*
 * control_impl.h - what the control server (control_server.c) and the
 * built-in commands (control_cmds.c, control_ping.c, control_kad.c)
 * share; not for other modules.
 */
#ifndef GG_NODE_CONTROL_IMPL_H
#define GG_NODE_CONTROL_IMPL_H

#include <uv.h>

#include "node/control.h"

struct ctl_conn;

struct gg_control {
	struct gg_node *node;
	struct gg_op *stop;
	uv_pipe_t srv;
	char path[4096];
	uint64_t started_ms; /* uv_now at start */
	struct ctl_conn *conns;
	int nconns;
	int handles; /* open libuv handles; freed at 0 once closing */
	int closing;
};

struct gg_ctl_call {
	struct ctl_conn *conn; /* NULL once the connection is gone */
	struct gg_node *node;
	uint64_t uptime_s; /* of the server, when the call came */
	void (*cancel)(void *);
	void *cancel_arg;
	int stop_after;
};

/* The ping command (control_ping.c). */
int gg_ctl_ping(struct gg_ctl_call *call, const json_t *req, void *arg);
/* The DHT diagnostics (control_kad.c). */
int gg_ctl_dht_find_peer(struct gg_ctl_call *call, const json_t *req,
			 void *arg);
int gg_ctl_dht_providers(struct gg_ctl_call *call, const json_t *req,
			 void *arg);
int gg_ctl_dht_get(struct gg_ctl_call *call, const json_t *req, void *arg);
int gg_ctl_bootstrap(struct gg_ctl_call *call, const json_t *req,
		     void *arg);

#endif
