// SPDX-License-Identifier: GPL-2.0
/* p2pctl.c without its main(), for fuzz targets that link p2pctl's code. */
int p2pctl_main(int argc, char **argv);
#define main p2pctl_main
#include "../userspace/p2pctl.c"
