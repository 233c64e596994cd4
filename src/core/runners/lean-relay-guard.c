/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#ifdef __linux__
# include <netinet/in.h>
# include <linux/tcp.h>
# include <sys/socket.h>
#endif

#include "lean-relay-guard.h"

/* Often enough that a fast peer on loopback gets little past the limit. */
#define POLL_USEC (5 * 1000)

struct _LeanRelayGuard
{
  int       fd;          /* our own duplicate of the socket */
  guint64   limit;
  gint      delivered;   /* atomic: messages delivered so far */
  gint      tripped;     /* atomic */
  gboolean  stop;        /* under lock */
  GMutex    lock;
  GCond     cond;
  GThread  *thread;
};

static gboolean
bytes_received (int      fd,
                guint64 *out)
{
#if defined(__linux__) && defined(TCP_INFO)
  struct tcp_info info;
  socklen_t len = sizeof info;

  if (getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0
      || len < offsetof (struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
    return FALSE;
  *out = info.tcpi_bytes_received;
  return TRUE;
#else
  return FALSE;
#endif
}

static gpointer
watch (gpointer data)
{
  LeanRelayGuard *guard = data;
  gint seen = -1;
  guint64 baseline = 0;

  g_mutex_lock (&guard->lock);
  while (!guard->stop)
    {
      gint delivered = g_atomic_int_get (&guard->delivered);
      guint64 now;

      if (!bytes_received (guard->fd, &now))
        break;
      /* A message came through since the last look: what is in flight
       * now started after it. */
      if (delivered != seen)
        {
          seen = delivered;
          baseline = now;
        }
      else if (now - baseline > guard->limit)
        {
          g_atomic_int_set (&guard->tripped, 1);
          shutdown (guard->fd, SHUT_RDWR);
          break;
        }
      g_cond_wait_until (&guard->cond, &guard->lock, g_get_monotonic_time () + POLL_USEC);
    }
  g_mutex_unlock (&guard->lock);
  return NULL;
}

LeanRelayGuard *
lean_relay_guard_new (GSocket *socket,
                      guint64  limit)
{
  LeanRelayGuard *guard;
  guint64 probe;
  int fd;

  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);

  fd = dup (g_socket_get_fd (socket));
  if (fd < 0)
    return NULL;
  if (!bytes_received (fd, &probe))
    {
      close (fd);
      return NULL;
    }

  guard = g_new0 (LeanRelayGuard, 1);
  guard->fd = fd;
  guard->limit = limit;
  g_mutex_init (&guard->lock);
  g_cond_init (&guard->cond);
  guard->thread = g_thread_new ("relay-guard", watch, guard);
  return guard;
}

void
lean_relay_guard_message_delivered (LeanRelayGuard *guard)
{
  if (guard != NULL)
    g_atomic_int_inc (&guard->delivered);
}

gboolean
lean_relay_guard_tripped (LeanRelayGuard *guard)
{
  return guard != NULL && g_atomic_int_get (&guard->tripped);
}

void
lean_relay_guard_free (LeanRelayGuard *guard)
{
  if (guard == NULL)
    return;
  g_mutex_lock (&guard->lock);
  guard->stop = TRUE;
  g_cond_signal (&guard->cond);
  g_mutex_unlock (&guard->lock);
  g_thread_join (guard->thread);
  close (guard->fd);
  g_mutex_clear (&guard->lock);
  g_cond_clear (&guard->cond);
  g_free (guard);
}
