/*
 * Pipe internals shared by the pipe files (pipe.c) and the splice family (splice.c):
 * the slot ring and the open-end state. See pipe.h for the model.
 */
#ifndef FS_PIPE_INTERNAL_H
#define FS_PIPE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/list.h"
#include "common/waitq.h"
#include "fs/vfs/vfs.h"

#define SLOT_PACKET 1u /* an O_DIRECT write: read whole, never merged into */
/* moved or copied in by splice/tee: later writes start a fresh slot, as Linux clears
 * PIPE_BUF_FLAG_CAN_MERGE on spliced buffers */
#define SLOT_NOMERGE 2u

struct pipe_slot {
	char *page; /* PAGE_SIZE bytes */
	uint32_t off, len;
	unsigned flags;
};

/*
 * Invariants (under lock): head - tail <= nslots (free-running counters, nslots a power
 * of two); the slots tail..head-1 hold data (len > 0) in order; nbytes is the sum of
 * their lens; readers/writers count the open file ends (an O_RDWR FIFO end counts as
 * both); r_counter/w_counter count every open of a read/write end ever (FIFO opens wait
 * for the partner's counter to move, as Linux's wait_for_partner).
 */
struct pipe {
	pthread_mutex_t lock;
	struct waitq wq;
	struct pipe_slot *slots;
	unsigned nslots, head, tail;
	size_t nbytes;
	unsigned readers, writers;
	unsigned r_counter, w_counter;
	char *spare; /* one free page kept, so a steady stream does not malloc per page */
	struct inode *fifo; /* the FIFO's inode (a key in fifo_table, no reference), or NULL */
	struct list_head fifo_node;
};

/* One open end (file->priv). */
struct pipe_end {
	struct pipe *p;
	/* pipe_poll's POLLHUP needs a writer seen since this counter (Linux's f_version) */
	unsigned hup_after;
	/* a blocking FIFO open waits while the partner's counter is still this */
	bool open_waits;
	unsigned open_counter;
};

#define PIPE_END(f) ((struct pipe_end *)(f)->priv)
#define PIPE_OF(f) (PIPE_END(f)->p)

static inline struct pipe_slot *slot_at(struct pipe *p, unsigned i)
{
	return &p->slots[i & (p->nslots - 1)];
}

static inline bool pipe_full(const struct pipe *p)
{
	return p->head - p->tail >= p->nslots;
}

/* A free page for a slot (the pipe's spare first); NULL on ENOMEM. Under p->lock. */
char *pipe_page_get(struct pipe *p);
/* Gives back a page no slot holds. Under p->lock. */
void pipe_page_put(struct pipe *p, char *pg);

#endif
