/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <adwaita.h>

int
main (int   argc,
      char *argv[])
{
  g_printerr ("leanspec-desktop: not implemented yet\n");
  return 1;
}
