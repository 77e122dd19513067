/*
 * Futex wait queues: hashed buckets of waiters, each blocked in task_block.
 *
 * PI futexes follow Linux's word protocol (owner tid, FUTEX_WAITERS, FUTEX_OWNER_DIED) and
 * hand a released lock straight to the first waiter; there is no priority boosting, the
 * host schedules task threads.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <time.h>

#include "common/list.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

#define FUTEX_BUCKETS 256

struct futex_key {
	uint64_t a, b; /* (mm, addr) or (0, memory-file offset) */
};

struct futex_waiter {
	struct list_head node;
	struct futex_key key;
	uint32_t bitset;
	bool woken; /* for a PI waiter: woken as the lock's new owner */
	bool pi; /* a FUTEX_LOCK_PI waiter: only unlock/exit hand-offs wake it */
	int tid;
	pthread_cond_t cv;
	struct futex_bucket *bucket; /* whose list and lock: changes only under both locks */
};

struct futex_bucket {
	pthread_mutex_t lock;
	struct list_head waiters;
};

static struct futex_bucket buckets[FUTEX_BUCKETS];
static pthread_once_t buckets_once = PTHREAD_ONCE_INIT;

static void buckets_init(void)
{
	for (int i = 0; i < FUTEX_BUCKETS; i++) {
		pthread_mutex_init(&buckets[i].lock, NULL);
		list_init(&buckets[i].waiters);
	}
}

static struct futex_bucket *bucket_of(const struct futex_key *k)
{
	uint64_t h = (k->a ^ (k->b >> 2)) * 0x9e3779b97f4a7c15ULL;

	return &buckets[h >> 56 & (FUTEX_BUCKETS - 1)];
}

static bool key_eq(const struct futex_key *x, const struct futex_key *y)
{
	return x->a == y->a && x->b == y->b;
}

static int get_key(struct task *t, uaddr_t uaddr, bool private_, struct futex_key *k)
{
	uint64_t off;
	int err;

	pthread_once(&buckets_once, buckets_init);
	if (uaddr & 3)
		return -EINVAL;
	if (!private_) {
		err = mm_futex_shared_key(t->mm, uaddr, &off);
		if (err < 0)
			return err;
		if (err == 1) {
			k->a = 0;
			k->b = off;
			return 0;
		}
	}
	k->a = (uint64_t)(uintptr_t)t->mm;
	k->b = uaddr;
	return 0;
}

static long do_wait(struct task *t, uaddr_t uaddr, uint32_t val, const struct timespec *abs,
		    uint32_t bitset, bool private_)
{
	struct futex_waiter w = { .bitset = bitset };
	struct futex_bucket *b;
	pthread_condattr_t ca;
	uint32_t cur;
	int err;

	if (!bitset)
		return -EINVAL;
	err = get_key(t, uaddr, private_, &w.key);
	if (err)
		return err;
	b = bucket_of(&w.key);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w.cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&b->lock);
	/* The value is read under the bucket lock, so a waker that changes it and then
	 * wakes can't slip between the check and the enqueue. */
	err = task_copy_in(t, uaddr, &cur, sizeof(cur));
	if (err || cur != val) {
		pthread_mutex_unlock(&b->lock);
		pthread_cond_destroy(&w.cv);
		return err ? err : -EAGAIN;
	}
	list_add_tail(&w.node, &b->waiters);
	w.bucket = b;
	while (!w.woken) {
		err = task_block(t, &b->lock, &w.cv, abs);
		/* Requeued: follow the waiter to its new bucket's lock. Holding b, w.bucket
		 * can only differ from b if a requeue already moved it. */
		while (w.bucket != b) {
			pthread_mutex_unlock(&b->lock);
			b = w.bucket;
			pthread_mutex_lock(&b->lock);
		}
		if (err)
			break;
	}
	if (!w.woken)
		list_del(&w.node);
	pthread_mutex_unlock(&b->lock);
	pthread_cond_destroy(&w.cv);
	if (w.woken)
		return 0;
	return err == -EINTR ? -ERESTARTSYS : err;
}

/* Wakes up to n waiters of key k with a matching bitset; caller holds b->lock. */
static int wake_locked(struct futex_bucket *b, const struct futex_key *k, int n, uint32_t bitset)
{
	struct futex_waiter *w, *tmp;
	int woken = 0;

	list_for_each_entry_safe(w, tmp, &b->waiters, node) {
		if (woken >= n)
			break;
		if (w->pi || !key_eq(&w->key, k) || !(w->bitset & bitset))
			continue;
		list_del(&w->node);
		w->woken = true;
		pthread_cond_signal(&w->cv);
		woken++;
	}
	return woken;
}

long futex_wake(struct task *t, uaddr_t uaddr, int n, uint32_t bitset, bool private_)
{
	struct futex_key k;
	struct futex_bucket *b;
	int err, woken;

	if (!bitset)
		return -EINVAL;
	err = get_key(t, uaddr, private_, &k);
	if (err)
		return err;
	b = bucket_of(&k);
	pthread_mutex_lock(&b->lock);
	woken = wake_locked(b, &k, n, bitset);
	pthread_mutex_unlock(&b->lock);
	return woken;
}

/* Locks two buckets in address order so concurrent requeues can't deadlock. */
static void lock_two(struct futex_bucket *x, struct futex_bucket *y)
{
	if (x == y) {
		pthread_mutex_lock(&x->lock);
	} else if (x < y) {
		pthread_mutex_lock(&x->lock);
		pthread_mutex_lock(&y->lock);
	} else {
		pthread_mutex_lock(&y->lock);
		pthread_mutex_lock(&x->lock);
	}
}

static void unlock_two(struct futex_bucket *x, struct futex_bucket *y)
{
	pthread_mutex_unlock(&x->lock);
	if (x != y)
		pthread_mutex_unlock(&y->lock);
}

static long do_requeue(struct task *t, uaddr_t u1, uaddr_t u2, int nwake, int nreq,
		       const uint32_t *cmp, bool private_)
{
	struct futex_key k1, k2;
	struct futex_bucket *b1, *b2;
	struct futex_waiter *w, *tmp;
	long done;
	int err;

	if (nwake < 0 || nreq < 0)
		return -EINVAL;
	err = get_key(t, u1, private_, &k1);
	if (!err)
		err = get_key(t, u2, private_, &k2);
	if (err)
		return err;
	b1 = bucket_of(&k1);
	b2 = bucket_of(&k2);
	lock_two(b1, b2);
	if (cmp) {
		uint32_t cur;

		err = task_copy_in(t, u1, &cur, sizeof(cur));
		if (err || cur != *cmp) {
			unlock_two(b1, b2);
			return err ? err : -EAGAIN;
		}
	}
	done = wake_locked(b1, &k1, nwake, FUTEX_BITSET_MATCH_ANY);
	list_for_each_entry_safe(w, tmp, &b1->waiters, node) {
		if (nreq <= 0)
			break;
		if (w->pi || !key_eq(&w->key, &k1))
			continue;
		/* A requeued waiter must sleep under b2's lock from now on: poke it so it
		 * moves over (see do_wait). */
		list_del(&w->node);
		w->key = k2;
		list_add_tail(&w->node, &b2->waiters);
		if (b2 != b1) {
			w->bucket = b2;
			pthread_cond_signal(&w->cv);
		}
		nreq--;
		done++;
	}
	unlock_two(b1, b2);
	return done;
}

static long do_wake_op(struct task *t, uaddr_t u1, uaddr_t u2, int n1, int n2, uint32_t op,
		       bool private_)
{
	uint32_t oparg = (op >> 12) & 0xfff, cmparg = op & 0xfff, old, nv;
	int opc = (op >> 28) & 7, cmp = (op >> 24) & 15;
	struct futex_key k1, k2;
	struct futex_bucket *b1, *b2;
	bool hit;
	long done;
	int err;

	if (op & (FUTEX_OP_OPARG_SHIFT << 28))
		oparg = 1u << (oparg & 31);
	err = get_key(t, u1, private_, &k1);
	if (!err)
		err = get_key(t, u2, private_, &k2);
	if (err)
		return err;
	b1 = bucket_of(&k1);
	b2 = bucket_of(&k2);
	lock_two(b1, b2);
	/* The read-modify-write of *u2 is atomic with respect to other futex calls (the
	 * bucket locks) and to the guest (its threads are in the sentry or racing on the
	 * same memory, exactly as with the kernel's non-locked fallback). */
	err = task_copy_in(t, u2, &old, sizeof(old));
	if (!err) {
		switch (opc) {
		case FUTEX_OP_SET:
			nv = oparg;
			break;
		case FUTEX_OP_ADD:
			nv = old + oparg;
			break;
		case FUTEX_OP_OR:
			nv = old | oparg;
			break;
		case FUTEX_OP_ANDN:
			nv = old & ~oparg;
			break;
		case FUTEX_OP_XOR:
			nv = old ^ oparg;
			break;
		default:
			err = -ENOSYS;
			break;
		}
	}
	if (!err)
		err = task_copy_out(t, u2, &nv, sizeof(nv));
	if (err) {
		unlock_two(b1, b2);
		return err;
	}
	done = wake_locked(b1, &k1, n1, FUTEX_BITSET_MATCH_ANY);
	switch (cmp) {
	case FUTEX_OP_CMP_EQ:
		hit = old == cmparg;
		break;
	case FUTEX_OP_CMP_NE:
		hit = old != cmparg;
		break;
	case FUTEX_OP_CMP_LT:
		hit = (int32_t)old < (int32_t)cmparg;
		break;
	case FUTEX_OP_CMP_LE:
		hit = (int32_t)old <= (int32_t)cmparg;
		break;
	case FUTEX_OP_CMP_GT:
		hit = (int32_t)old > (int32_t)cmparg;
		break;
	case FUTEX_OP_CMP_GE:
		hit = (int32_t)old >= (int32_t)cmparg;
		break;
	default:
		unlock_two(b1, b2);
		return -ENOSYS;
	}
	if (hit)
		done += wake_locked(b2, &k2, n2, FUTEX_BITSET_MATCH_ANY);
	unlock_two(b1, b2);
	return done;
}

/*
 * Atomic compare-and-exchange on a guest futex word, through the sentry's mapping of the
 * memory file: the guest changes PI words with its own cmpxchg at any time, so a
 * read-then-write here could lose its update. *cur gets the value seen. 0 or -EFAULT.
 */
static int word_cmpxchg(struct task *t, uaddr_t uaddr, uint32_t old, uint32_t nv, uint32_t *cur)
{
	struct iovec iov;
	struct mm_pin pin;
	size_t len = sizeof(uint32_t);
	int niov, err;

	err = mm_pin_iov(t->mm, uaddr, &len, true, &iov, 1, &niov, &pin);
	if (err)
		return err;
	if (len < sizeof(uint32_t)) {
		mm_unpin_iov(&pin);
		return -EFAULT;
	}
	*cur = old;
	__atomic_compare_exchange_n((uint32_t *)iov.iov_base, cur, nv, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	mm_unpin_iov(&pin);
	return 0;
}

static bool tid_alive(struct kernel *k, int tid)
{
	bool alive;

	pthread_mutex_lock(&k->lock);
	alive = kernel_find_task(k, tid) != NULL;
	pthread_mutex_unlock(&k->lock);
	return alive;
}

/* The first PI waiter of key k; caller holds b->lock. */
static struct futex_waiter *pi_top_waiter(struct futex_bucket *b, const struct futex_key *k)
{
	struct futex_waiter *w;

	list_for_each_entry(w, &b->waiters, node)
		if (w->pi && key_eq(&w->key, k))
			return w;
	return NULL;
}

/*
 * Gives the PI futex at uaddr (whose word was uval) to its first waiter, keeping the bits
 * in keep, or frees it (word 0 | keep) when nobody waits. Caller holds b->lock.
 * 0, 1 if the word changed under us (retry), or -EFAULT.
 */
static int pi_hand_off(struct task *t, struct futex_bucket *b, const struct futex_key *k,
		       uaddr_t uaddr, uint32_t uval, uint32_t keep)
{
	struct futex_waiter *w = pi_top_waiter(b, k);
	uint32_t nv = keep, cur;
	int err;

	/* Like Linux, the new owner always finds FUTEX_WAITERS set, so its unlock comes
	 * back here and finds out whether anyone else waits. */
	if (w)
		nv |= (uint32_t)w->tid | FUTEX_WAITERS;
	err = word_cmpxchg(t, uaddr, uval, nv, &cur);
	if (err)
		return err;
	if (cur != uval)
		return 1;
	if (w) {
		list_del(&w->node);
		w->woken = true;
		pthread_cond_signal(&w->cv);
	}
	return 0;
}

/*
 * FUTEX_LOCK_PI(2)/TRYLOCK_PI: takes the lock (word := tid) or sleeps until an unlock hands
 * it over. 0 (owner), -EDEADLK (already ours), -ESRCH (the owner does not exist),
 * -EWOULDBLOCK (trylock on a held lock), -ETIMEDOUT, -ERESTARTNOINTR, -EFAULT.
 */
static long do_lock_pi(struct task *t, uaddr_t uaddr, const struct timespec *abs, bool try,
		       bool private_)
{
	struct futex_waiter w = { .bitset = FUTEX_BITSET_MATCH_ANY, .pi = true, .tid = t->tid };
	struct futex_bucket *b;
	pthread_condattr_t ca;
	uint32_t uval, nv, cur, owner;
	int err;

	err = get_key(t, uaddr, private_, &w.key);
	if (err)
		return err;
	b = bucket_of(&w.key);
	pthread_mutex_lock(&b->lock);
	for (;;) {
		err = task_copy_in(t, uaddr, &uval, sizeof(uval));
		if (err)
			goto out_unlock;
		owner = uval & FUTEX_TID_MASK;
		if (owner == (uint32_t)t->tid) {
			err = -EDEADLK;
			goto out_unlock;
		}
		if (!owner) {
			/* Free (maybe with OWNER_DIED, which the new owner must see). */
			nv = (uint32_t)t->tid | (uval & FUTEX_OWNER_DIED);
			if (pi_top_waiter(b, &w.key))
				nv |= FUTEX_WAITERS;
			err = word_cmpxchg(t, uaddr, uval, nv, &cur);
			if (err || cur == uval)
				goto out_unlock;
			continue;
		}
		if (!tid_alive(t->k, (int)owner)) {
			err = -ESRCH;
			goto out_unlock;
		}
		if (try) {
			err = -EWOULDBLOCK;
			goto out_unlock;
		}
		if (uval & FUTEX_WAITERS)
			break;
		/* From now on the owner's unlock can't succeed in user space. */
		err = word_cmpxchg(t, uaddr, uval, uval | FUTEX_WAITERS, &cur);
		if (err)
			goto out_unlock;
		if (cur == uval)
			break;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w.cv, &ca);
	pthread_condattr_destroy(&ca);
	list_add_tail(&w.node, &b->waiters);
	w.bucket = b;
	err = 0;
	while (!w.woken && !err)
		err = task_block(t, &b->lock, &w.cv, abs);
	/* A hand-off that raced with a timeout or signal still made us the owner. */
	if (w.woken)
		err = 0;
	else
		list_del(&w.node);
	pthread_cond_destroy(&w.cv);
	if (err == -EINTR)
		err = -ERESTARTNOINTR;
out_unlock:
	pthread_mutex_unlock(&b->lock);
	return err;
}

/* FUTEX_UNLOCK_PI(2): hands the lock to the first waiter or frees it. 0, -EPERM (not the
 * owner), -EFAULT. */
static long do_unlock_pi(struct task *t, uaddr_t uaddr, bool private_)
{
	struct futex_key k;
	struct futex_bucket *b;
	uint32_t uval;
	int err;

	err = get_key(t, uaddr, private_, &k);
	if (err)
		return err;
	b = bucket_of(&k);
	pthread_mutex_lock(&b->lock);
	do {
		err = task_copy_in(t, uaddr, &uval, sizeof(uval));
		if (err)
			break;
		if ((uval & FUTEX_TID_MASK) != (uint32_t)t->tid) {
			err = -EPERM;
			break;
		}
		err = pi_hand_off(t, b, &k, uaddr, uval, 0);
	} while (err == 1);
	pthread_mutex_unlock(&b->lock);
	return err;
}

int futex_owner_died(struct task *t, uaddr_t uaddr, bool pi, bool pending)
{
	struct futex_key k;
	struct futex_bucket *b;
	uint32_t uval, cur;
	int err, tries = 0;

	err = get_key(t, uaddr, false, &k);
	if (err)
		return err;
	b = bucket_of(&k);
	pthread_mutex_lock(&b->lock);
	for (;;) {
		/* A guest racing on the word could keep us here forever: bounded. */
		if (++tries > 1000) {
			err = -EAGAIN;
			break;
		}
		err = task_copy_in(t, uaddr, &uval, sizeof(uval));
		if (err)
			break;
		/* Died between the unlock and the list removal: a waiter may need a kick. */
		if (pending && !pi && !uval) {
			wake_locked(b, &k, 1, FUTEX_BITSET_MATCH_ANY);
			break;
		}
		if ((uval & FUTEX_TID_MASK) != (uint32_t)t->tid)
			break;
		if (pi) {
			err = pi_hand_off(t, b, &k, uaddr, uval, FUTEX_OWNER_DIED);
			if (err == 1)
				continue;
			break;
		}
		err = word_cmpxchg(t, uaddr, uval, (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED, &cur);
		if (err)
			break;
		if (cur != uval)
			continue;
		if (uval & FUTEX_WAITERS)
			wake_locked(b, &k, 1, FUTEX_BITSET_MATCH_ANY);
		break;
	}
	pthread_mutex_unlock(&b->lock);
	return err;
}

/* The futex timeout as an absolute CLOCK_MONOTONIC time (NULL = none). */
static int futex_timeout(struct task *t, uaddr_t addr, bool absolute, bool realtime,
			 struct timespec *out, struct timespec **abs)
{
	struct linux_timespec lt;
	struct timespec now, mono;
	int64_t ns;
	int err;

	*abs = NULL;
	if (!addr)
		return 0;
	err = task_copy_in(t, addr, &lt, sizeof(lt));
	if (err)
		return err;
	if (lt.tv_sec < 0 || lt.tv_nsec < 0 || lt.tv_nsec >= 1000000000)
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	if (absolute) {
		clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now);
		ns = (lt.tv_sec - now.tv_sec) * 1000000000LL + (lt.tv_nsec - now.tv_nsec);
		if (ns < 0)
			ns = 0;
	} else {
		ns = lt.tv_sec > INT64_MAX / 2000000000LL ? INT64_MAX / 2 :
							    lt.tv_sec * 1000000000LL + lt.tv_nsec;
	}
	out->tv_sec = mono.tv_sec + ns / 1000000000LL;
	out->tv_nsec = mono.tv_nsec + ns % 1000000000LL;
	if (out->tv_nsec >= 1000000000) {
		out->tv_sec++;
		out->tv_nsec -= 1000000000;
	}
	*abs = out;
	return 0;
}

long sys_futex(struct task *t, const struct sysargs *a)
{
	uaddr_t uaddr = sysarg_addr(a, 0), uaddr2 = sysarg_addr(a, 4);
	int op = sysarg_int(a, 1);
	int cmd = op & FUTEX_CMD_MASK;
	bool priv = op & FUTEX_PRIVATE_FLAG, rt = op & FUTEX_CLOCK_REALTIME;
	uint32_t val = (uint32_t)a->a[2], val3 = (uint32_t)a->a[5];
	struct timespec ts, *abs;
	int err;

	if (rt && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_LOCK_PI2 &&
	    cmd != FUTEX_WAIT_REQUEUE_PI)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		err = futex_timeout(t, sysarg_addr(a, 3), cmd == FUTEX_WAIT_BITSET, rt, &ts, &abs);
		if (err)
			return err;
		return do_wait(t, uaddr, val, abs,
			       cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3, priv);
	case FUTEX_WAKE:
		return futex_wake(t, uaddr, (int)MIN(val, (uint32_t)INT_MAX),
				  FUTEX_BITSET_MATCH_ANY, priv);
	case FUTEX_WAKE_BITSET:
		return futex_wake(t, uaddr, (int)MIN(val, (uint32_t)INT_MAX), val3, priv);
	case FUTEX_REQUEUE:
		return do_requeue(t, uaddr, uaddr2, (int)val, (int)a->a[3], NULL, priv);
	case FUTEX_CMP_REQUEUE:
		return do_requeue(t, uaddr, uaddr2, (int)val, (int)a->a[3], &val3, priv);
	case FUTEX_WAKE_OP:
		return do_wake_op(t, uaddr, uaddr2, (int)val, (int)a->a[3], val3, priv);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		/* LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2 picks its clock. */
		err = futex_timeout(t, sysarg_addr(a, 3), true, cmd == FUTEX_LOCK_PI || rt, &ts,
				    &abs);
		if (err)
			return err;
		return do_lock_pi(t, uaddr, abs, false, priv);
	case FUTEX_TRYLOCK_PI:
		return do_lock_pi(t, uaddr, NULL, true, priv);
	case FUTEX_UNLOCK_PI:
		return do_unlock_pi(t, uaddr, priv);
	default:
		/* WAIT_REQUEUE_PI/CMP_REQUEUE_PI (condvars with PI mutexes) are not done. */
		return -ENOSYS;
	}
}
