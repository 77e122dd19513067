/* The gofer server's private types: nodes, the fid table and a decoded request. */
#ifndef FS_GOFER_SERVER_INTERNAL_H
#define FS_GOFER_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fs/gofer/proto.h"

#define GOFER_MAX_FIDS (1u << 20)

/*
 * A host object the gofer holds: an O_PATH|O_NOFOLLOW fd plus where it was found (parent
 * node and name), which is how a regular file is reopened for I/O without /proc/self/fd.
 * parent and name change under the server's table lock when a rename moves the node.
 */
struct gnode {
	int refs; /* atomic */
	int fd;
	struct gnode *parent; /* +1, NULL for the root */
	char *name;
	uint64_t dev, ino;
	uint32_t mode;
	bool hidden; /* a host pseudo-filesystem (proc, sys...): walks find nothing in it */
	pthread_mutex_t dir_lock; /* dir_fd's offset, for readdir */
	int dir_fd; /* O_RDONLY|O_DIRECTORY, opened by the first readdir */
};

#define GOFER_MAX_CPUS 64

struct gofer_server {
	int root_fd;
	bool readonly;
	int cpus[GOFER_MAX_CPUS]; /* the CPUs the gofer may run on: channel i is pinned to
				   * cpus[i % ncpus] */
	int ncpus;
	pthread_mutex_t lock; /* the fid table, and every node's parent and name */
	struct gnode **fids;
	uint32_t nfids, hint;
};

/* A request whose lengths have been checked; names are NUL-terminated, or NULL. */
struct greq {
	const struct gofer_req *req;
	const char *name, *name2;
	const void *data;
};

/* Handles one checked request: result (>= 0 or -errno), rep and payload filled in, and
 * *fd set to a descriptor to donate (closed by the caller after sending). */
int gofer_dispatch(struct gofer_server *s, const struct greq *r, struct gofer_rep *rep,
		   void *payload, size_t cap, int *fd);

/* The node behind fid, +1 (gnode_put), or NULL. */
struct gnode *gofer_fid_get(struct gofer_server *s, uint32_t fid);
/* Puts n into a free slot: the fid, or -ENFILE (and n is put). */
int gofer_fid_install(struct gofer_server *s, struct gnode *n);
int gofer_fid_clunk(struct gofer_server *s, uint32_t fid);
/* Forgets fids[0..n) under one hold of the table lock: 0 or -EBADF if any was not open
 * (the others are forgotten all the same). */
int gofer_fid_clunk_many(struct gofer_server *s, const uint32_t *fids, size_t n);
void gnode_get(struct gnode *n);
void gnode_put(struct gnode *n);
/* Copies the node's parent (+1, or NULL) and name (into buf) under the table lock. */
struct gnode *gnode_where(struct gofer_server *s, struct gnode *n, char *buf);
/* After a rename: nodes named oname in odir now live at nname in ndir (and, with exchange,
 * the other way round). */
void gofer_renamed(struct gofer_server *s, struct gnode *odir, const char *oname,
		   struct gnode *ndir, const char *nname, bool exchange);

#endif
