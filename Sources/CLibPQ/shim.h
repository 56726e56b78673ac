// libpq-fe.h lives in /usr/include/postgresql on Debian; pkg-config adds that folder.
#include <libpq-fe.h>

// The embedded cluster spawns pg_ctl from this module. glibc (2.34+) declares this only under
// _GNU_SOURCE, which a Swift module cannot set: the child must close every descriptor but 0-2
// (Subprocess.swift says why).
#include <spawn.h>
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
