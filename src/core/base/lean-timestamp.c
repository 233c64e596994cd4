/* SPDX-License-Identifier: MIT */
#include <time.h>

#include "lean-timestamp.h"

char *
lean_timestamp_now (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[32];

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return g_strdup_printf ("%s.%09ldZ", buf, (long)ts.tv_nsec);
}
