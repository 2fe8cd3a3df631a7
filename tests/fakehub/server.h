/* server.h — the HTTP front of fakehub (libmicrohttpd, one thread per
 * connection, keep-alive), bound to 127.0.0.1 only.
 *
 * Every HubSpot request goes through the same pipeline: route, Bearer
 * token, rate limits, scopes, injected faults, handler, rate headers,
 * optional gzip, stats and the --log line. /_fakehub/ requests skip
 * the token, limits, faults and stats. */
#ifndef FAKEHUB_SERVER_H
#define FAKEHUB_SERVER_H

#include <stddef.h>

#include "portal.h"

typedef struct fh_server fh_server;

/* Listen on 127.0.0.1:port (0 = any free port). NULL with err on failure. */
fh_server *server_start(fh_portal *p, int port, char *err, size_t errlen);
/* The port actually bound. */
int server_port(const fh_server *s);
/* Stop accepting, finish the requests in flight, free. */
void server_stop(fh_server *s);

#endif
