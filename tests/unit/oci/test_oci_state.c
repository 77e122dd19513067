/*
 * The state directory: id rules, exclusive create, save/load round trip, the runc-format
 * document, pid-reuse detection and removal. Each case works in its own temp root.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/oci_state.h"
#include "tests/harness/harness.h"

static char root[64];

static void make_root(void)
{
	strcpy(root, "/tmp/warden-oci-state-XXXXXX");
	if (!mkdtemp(root))
		harness_fail(__FILE__, __LINE__, "mkdtemp failed");
}

TEST(ids_follow_runcs_rule)
{
	EXPECT_TRUE(oci_id_valid("abc-DEF_1.2+3"));
	EXPECT_FALSE(oci_id_valid(""));
	EXPECT_FALSE(oci_id_valid("."));
	EXPECT_FALSE(oci_id_valid(".."));
	EXPECT_FALSE(oci_id_valid("a/b"));
	EXPECT_FALSE(oci_id_valid("a b"));
	EXPECT_FALSE(oci_id_valid("x\n"));
}

TEST(save_load_round_trip)
{
	char *ann[] = { "k1", "v1", "k2", "v2", NULL };
	struct oci_state s = { .id = "c1",
			       .pid = getpid(),
			       .status = OCI_CREATED,
			       .bundle = "/b",
			       .rootfs = "/b/rootfs",
			       .created = "2026-01-01T00:00:00.000000001Z",
			       .owner = "",
			       .config = "/b/config.json",
			       .n_gofers = 2,
			       .annotations = ann };
	struct oci_state *l = NULL;
	int lock = -1, lock2 = -1;
	char *json;
	json_object *o, *v;

	make_root();
	s.pid_start = oci_pid_start_time(getpid());
	s.gofer_pids[0] = 11;
	s.gofer_pids[1] = 12;
	ASSERT_EQ(oci_state_create_dir(root, "c1", &lock), 0);
	EXPECT_EQ(oci_state_create_dir(root, "c1", &lock2), -EEXIST);
	ASSERT_EQ(oci_state_save(root, &s), 0);
	oci_state_unlock(lock);
	ASSERT_EQ(oci_state_load(root, "c1", &l), 0);
	EXPECT_TRUE(!strcmp(l->id, "c1"));
	EXPECT_EQ(l->pid, getpid());
	EXPECT_EQ(l->status, OCI_CREATED);
	EXPECT_EQ(l->n_gofers, 2);
	EXPECT_EQ(l->gofer_pids[1], 12);
	EXPECT_TRUE(!strcmp(l->annotations[2], "k2"));
	oci_state_refresh(l);
	EXPECT_EQ(l->status, OCI_CREATED); /* we are alive */
	json = oci_state_json(l, false);
	o = json_tokener_parse(json);
	ASSERT_TRUE(o != NULL);
	EXPECT_TRUE(json_object_object_get_ex(o, "status", &v) &&
		    !strcmp(json_object_get_string(v), "created"));
	EXPECT_TRUE(json_object_object_get_ex(o, "pid", &v) && json_object_get_int(v) == getpid());
	EXPECT_FALSE(json_object_object_get_ex(o, "wardenPid", &v)); /* private fields stay out */
	json_object_put(o);
	free(json);
	oci_state_free(l);
	EXPECT_EQ(oci_state_load(root, "nope", &l), -ENOENT);
	EXPECT_EQ(oci_state_load(root, "../x", &l), -ENOENT);
	EXPECT_EQ(oci_state_remove(root, "c1"), 0);
	EXPECT_EQ(oci_state_load(root, "c1", &l), -ENOENT);
	EXPECT_EQ(rmdir(root), 0);
}

TEST(a_dead_or_reused_pid_means_stopped)
{
	struct oci_state s = { .status = OCI_RUNNING };
	pid_t child = fork();
	int st;

	ASSERT_GE(child, 0);
	if (child == 0)
		_exit(0);
	s.pid = child;
	s.pid_start = oci_pid_start_time(child); /* alive or a zombie: both are fine here */
	ASSERT_EQ(waitpid(child, &st, 0), child);
	oci_state_refresh(&s);
	EXPECT_EQ(s.status, OCI_STOPPED);
	s.status = OCI_RUNNING;
	s.pid = getpid();
	s.pid_start = oci_pid_start_time(getpid()) + 1; /* same pid, another process */
	oci_state_refresh(&s);
	EXPECT_EQ(s.status, OCI_STOPPED);
}

TEST(damaged_state_is_einval)
{
	char path[128];
	FILE *f;
	struct oci_state *l;
	int lock;

	make_root();
	ASSERT_EQ(oci_state_create_dir(root, "bad", &lock), 0);
	oci_state_unlock(lock);
	snprintf(path, sizeof(path), "%s/bad/state.json", root);
	f = fopen(path, "w");
	ASSERT_TRUE(f != NULL);
	fputs("{\"id\":\"bad\",\"status\":\"flying\"}", f);
	fclose(f);
	EXPECT_EQ(oci_state_load(root, "bad", &l), -EINVAL);
	EXPECT_EQ(oci_state_remove(root, "bad"), 0);
	EXPECT_EQ(rmdir(root), 0);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
