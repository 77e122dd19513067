// SPDX-License-Identifier: MIT
/*
 * System V shared memory: shmget's create/lookup rules and errors, shmat (SHM_RDONLY,
 * SHM_RND, an address hint, sharing across fork), shmdt, and shmctl (IPC_STAT, IPC_SET,
 * IPC_RMID destroying at the last detach, IPC_INFO, SHM_INFO, SHM_STAT). Every segment is
 * removed before its case ends: natively they would outlive the test.
 */
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "tests/syscalls/sysutil.h"

/* A key of this process's own (keys are global natively). */
static key_t test_key(int n)
{
	return (key_t)(0x57000000 | ((getpid() & 0xfffff) << 4) | n);
}

static int nattch(int id)
{
	struct shmid_ds ds;

	ASSERT_OK(shmctl(id, IPC_STAT, &ds));
	return (int)ds.shm_nattch;
}

TEST(private_segments_are_new_zeroed_and_sized)
{
	int a = ASSERT_OK(shmget(IPC_PRIVATE, 10000, 0600));
	int b = ASSERT_OK(shmget(IPC_PRIVATE, 10000, 0600));
	struct shmid_ds ds;
	char *p;

	EXPECT_NE(a, b);
	ASSERT_OK(shmctl(a, IPC_STAT, &ds));
	EXPECT_EQ(ds.shm_segsz, 10000u);
	EXPECT_EQ(ds.shm_perm.mode & 0777, 0600);
	EXPECT_EQ(ds.shm_perm.uid, geteuid());
	EXPECT_EQ(ds.shm_perm.cuid, geteuid());
	EXPECT_EQ(ds.shm_perm.__key, IPC_PRIVATE);
	EXPECT_EQ(ds.shm_cpid, getpid());
	EXPECT_EQ(ds.shm_nattch, 0u);
	EXPECT_EQ(ds.shm_atime, 0);
	p = shmat(a, NULL, 0);
	ASSERT_NE(p, (char *)-1);
	EXPECT_EQ(((uintptr_t)p) % PAGE, 0u);
	EXPECT_EQ(p[0], 0);
	EXPECT_EQ(p[9999], 0);
	p[12287] = 1; /* the rest of the last page is mapped too */
	ASSERT_OK(shmctl(a, IPC_STAT, &ds));
	EXPECT_EQ(ds.shm_nattch, 1u);
	EXPECT_EQ(ds.shm_lpid, getpid());
	EXPECT_NE(ds.shm_atime, 0);
	ASSERT_OK(shmdt(p));
	EXPECT_EQ(nattch(a), 0);
	EXPECT_OK(shmctl(a, IPC_RMID, NULL));
	EXPECT_OK(shmctl(b, IPC_RMID, NULL));
}

TEST(keyed_create_lookup_and_errors)
{
	key_t key = test_key(1);
	int id, id2;

	EXPECT_ERRNO(shmget(key, 4096, 0600), ENOENT);
	id = ASSERT_OK(shmget(key, 8192, IPC_CREAT | IPC_EXCL | 0640));
	EXPECT_ERRNO(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	id2 = shmget(key, 4096, IPC_CREAT | 0600);
	EXPECT_EQ(id2, id);
	EXPECT_EQ(shmget(key, 0, 0), id);
	EXPECT_ERRNO(shmget(key, 8193, 0), EINVAL); /* bigger than the segment */
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
	/* removed and unattached: the key is free again */
	EXPECT_ERRNO(shmget(key, 4096, 0), ENOENT);
	EXPECT_ERRNO(shmctl(id, IPC_STAT, &(struct shmid_ds){ 0 }), EINVAL);
	EXPECT_ERRNO(shmget(IPC_PRIVATE, 0, 0600), EINVAL);
	EXPECT_ERRNO(shmat(-1, NULL, 0), EINVAL);
	EXPECT_ERRNO(shmdt((void *)0x1000), EINVAL);
}

static void noperm_child(void *arg)
{
	int id = *(int *)arg;
	struct shmid_ds ds;

	if (setuid(65534))
		_exit(3);
	if (shmat(id, NULL, 0) != (void *)-1 || errno != EACCES)
		_exit(4);
	if (shmctl(id, IPC_STAT, &ds) != -1 || errno != EACCES)
		_exit(5);
	if (shmctl(id, IPC_RMID, NULL) != -1 || errno != EPERM)
		_exit(6);
	/* read permission for others is enough for SHM_RDONLY */
	if (shmat(id + 0 * 1, NULL, SHM_RDONLY) == (void *)-1 && errno != EACCES)
		_exit(7);
}

TEST(permissions_follow_mode_bits_and_creds)
{
	int id;
	int st;

	if (geteuid() != 0)
		SKIP("needs root to switch to another uid");
	id = ASSERT_OK(shmget(IPC_PRIVATE, 4096, 0600));
	st = status_of_child(noperm_child, &id);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0);
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
}

static void write_ro_child(void *arg)
{
	*(volatile char *)arg = 1;
}

TEST(rdonly_attach_cannot_be_written_or_made_writable)
{
	int id = ASSERT_OK(shmget(IPC_PRIVATE, 4096, 0600));
	char *p = shmat(id, NULL, SHM_RDONLY);

	ASSERT_NE(p, (char *)-1);
	EXPECT_EQ(p[0], 0);
	EXPECT_KILLED_BY(status_of_child(write_ro_child, p), SIGSEGV);
	EXPECT_ERRNO(mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES);
	EXPECT_OK(shmdt(p));
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
}

TEST(address_hint_and_shm_rnd)
{
	int id = ASSERT_OK(shmget(IPC_PRIVATE, 8192, 0600));
	char *area = mmap(NULL, 64 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *want, *p;

	ASSERT_NE(area, MAP_FAILED);
	ASSERT_OK(munmap(area, 64 * PAGE));
	want = area + 8 * PAGE;
	EXPECT_ERRNO(shmat(id, want + 100, 0), EINVAL);
	p = shmat(id, want + 100, SHM_RND);
	EXPECT_EQ(p, want);
	/* the range is in use now: no SHM_REMAP, no second attach there */
	EXPECT_ERRNO(shmat(id, want, 0), EINVAL);
	p = shmat(id, want, SHM_REMAP);
	EXPECT_EQ(p, want);
	EXPECT_OK(shmdt(want));
	EXPECT_ERRNO(shmdt(want), EINVAL);
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
}

TEST(two_attaches_share_pages_and_detach_separately)
{
	int id = ASSERT_OK(shmget(IPC_PRIVATE, 4096, 0600));
	char *a = shmat(id, NULL, 0), *b = shmat(id, NULL, 0);

	ASSERT_NE(a, (char *)-1);
	ASSERT_NE(b, (char *)-1);
	EXPECT_NE(a, b);
	EXPECT_EQ(nattch(id), 2);
	strcpy(a, "shared");
	EXPECT_STREQ(b, "shared");
	EXPECT_OK(shmdt(a));
	EXPECT_EQ(nattch(id), 1);
	EXPECT_STREQ(b, "shared");
	EXPECT_OK(shmdt(b));
	EXPECT_EQ(nattch(id), 0);
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
}

TEST(fork_shares_the_segment_and_exit_detaches)
{
	int id = ASSERT_OK(shmget(IPC_PRIVATE, 4096, 0600));
	volatile int *p = shmat(id, NULL, 0);
	int to_parent[2], to_child[2];
	pid_t pid;
	int st;
	char c;

	ASSERT_NE(p, (int *)-1);
	ASSERT_OK(pipe(to_parent));
	ASSERT_OK(pipe(to_child));
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		p[0] = 42;
		if (write(to_parent[1], "x", 1) != 1)
			_exit(2);
		if (read(to_child[0], &c, 1) != 1) /* hold the attach until the parent looked */
			_exit(3);
		_exit(p[1] == 7 ? 0 : 1);
	}
	ASSERT_EQ(read(to_parent[0], &c, 1), 1);
	EXPECT_EQ(p[0], 42);
	EXPECT_EQ(nattch(id), 2);
	p[1] = 7;
	ASSERT_EQ(write(to_child[1], "y", 1), 1);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(nattch(id), 1);
	close(to_parent[0]);
	close(to_parent[1]);
	close(to_child[0]);
	close(to_child[1]);
	EXPECT_OK(shmdt((void *)p));
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
}

TEST(rmid_is_deferred_until_the_last_detach)
{
	key_t key = test_key(2);
	int id = ASSERT_OK(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
	char *p = shmat(id, NULL, 0), *q;
	struct shmid_ds ds;
	int id2;

	ASSERT_NE(p, (char *)-1);
	p[0] = 'x';
	ASSERT_OK(shmctl(id, IPC_RMID, NULL));
	ASSERT_OK(shmctl(id, IPC_STAT, &ds));
	EXPECT_TRUE(ds.shm_perm.mode & SHM_DEST);
	EXPECT_EQ(ds.shm_perm.__key, IPC_PRIVATE);
	EXPECT_EQ(ds.shm_nattch, 1u);
	/* the key names nothing any more: a new segment */
	id2 = ASSERT_OK(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_NE(id2, id);
	EXPECT_OK(shmctl(id2, IPC_RMID, NULL));
	/* Linux still lets the removed segment be attached by id */
	q = shmat(id, NULL, 0);
	ASSERT_NE(q, (char *)-1);
	EXPECT_EQ(q[0], 'x');
	EXPECT_EQ(nattch(id), 2);
	EXPECT_OK(shmdt(q));
	EXPECT_OK(shmdt(p));
	EXPECT_ERRNO(shmctl(id, IPC_STAT, &ds), EINVAL);
}

TEST(ipc_set_changes_owner_mode_and_ctime)
{
	int id = ASSERT_OK(shmget(IPC_PRIVATE, 4096, 0600));
	struct shmid_ds ds;

	ASSERT_OK(shmctl(id, IPC_STAT, &ds));
	ds.shm_perm.mode = 0644 | SHM_DEST; /* only the permission bits are taken */
	ds.shm_perm.gid = 12345;
	ASSERT_OK(shmctl(id, IPC_SET, &ds));
	ASSERT_OK(shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(ds.shm_perm.mode, 0644);
	EXPECT_EQ(ds.shm_perm.gid, 12345u);
	EXPECT_EQ(ds.shm_perm.cgid, getegid());
	EXPECT_ERRNO(shmctl(id, 12345, &ds), EINVAL);
	EXPECT_ERRNO(shmctl(id, IPC_STAT, (void *)8), EFAULT);
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
}

TEST(info_and_stat_by_index)
{
	int id = ASSERT_OK(shmget(IPC_PRIVATE, 3 * 4096, 0600));
	struct shm_info si;
	struct shminfo info;
	struct shmid_ds ds;
	int maxidx, idx, found = 0;

	maxidx = ASSERT_OK(shmctl(0, IPC_INFO, (struct shmid_ds *)&info));
	EXPECT_GE(info.shmmni, 1u);
	EXPECT_TRUE(info.shmmax >= 3 * 4096UL);
	EXPECT_EQ(info.shmmin, 1u);
	ASSERT_OK(shmctl(0, SHM_INFO, (struct shmid_ds *)&si));
	EXPECT_GE(si.used_ids, 1);
	EXPECT_GE(si.shm_tot, 3u);
	EXPECT_GE(maxidx, 0);
	for (idx = 0; idx <= maxidx; idx++) {
		int r = shmctl(idx, SHM_STAT, &ds);

		if (r == id) {
			found = 1;
			EXPECT_EQ(ds.shm_segsz, 3 * 4096u);
		}
	}
	EXPECT_TRUE(found);
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
}

TEST(proc_sysvipc_and_sysctls_list_segments)
{
	int id = ASSERT_OK(shmget(IPC_PRIVATE, 12345, 0640));
	char line[512];
	int found = 0;
	long shmmni = 0;
	FILE *f;

	f = fopen("/proc/sysvipc/shm", "r");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fgets(line, sizeof(line), f) != NULL);
	EXPECT_TRUE(strstr(line, "shmid") != NULL);
	while (fgets(line, sizeof(line), f)) {
		int key, sid, perms;
		unsigned long size;

		if (sscanf(line, "%d %d %o %lu", &key, &sid, &perms, &size) == 4 && sid == id) {
			found = 1;
			EXPECT_EQ(key, 0);
			EXPECT_EQ(perms, 0640);
			EXPECT_EQ(size, 12345u);
		}
	}
	fclose(f);
	EXPECT_TRUE(found);
	f = fopen("/proc/sys/kernel/shmmni", "r");
	ASSERT_TRUE(f != NULL);
	EXPECT_EQ(fscanf(f, "%ld", &shmmni), 1);
	EXPECT_GE(shmmni, 1);
	fclose(f);
	EXPECT_OK(shmctl(id, IPC_RMID, NULL));
}
