/* The library's version, from the generated header. */
#include "fairshake/version.h"

const char *fs_version(void)
{
    return FS_VERSION_STRING;
}
