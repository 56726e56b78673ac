// libpq-fe.h lives in /usr/include/postgresql on Debian; pkg-config adds that folder.
#include <libpq-fe.h>
