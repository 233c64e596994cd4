/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib.h>

int
main (int   argc,
      char *argv[])
{
  g_printerr ("leanspec-ctl: not implemented yet\n");
  return 1;
}
