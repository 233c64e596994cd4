/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <json-glib/json-glib.h>

#include "lean-spec-status.h"
#include "lean-spec-status-follower.h"

/* One session whose spec this follower looks after. */
typedef struct
{
  LeanSpecStatusFollower *self; /* unowned: it frees its Follows */
  LeanSession *session;
  char        *project_path;
  char        *spec_id;
  int          status_before; /* the status in-progress replaced, or -1 */
  gboolean     started;       /* in-progress was asked for */
  gboolean     writing;       /* a write is in flight */
  gboolean     ended;         /* the session is over */
} Follow;

struct _LeanSpecStatusFollower
{
  GObject                  parent_instance;

  LeanController          *controller;
  GHashTable              *follows;   /* session id -> Follow */
  guint                    n_writing;
  gboolean                 always;
  LeanSpecStoreLookupFunc  store_func;
  gpointer                 store_data;
  GDestroyNotify           store_destroy;
};

G_DEFINE_FINAL_TYPE (LeanSpecStatusFollower, lean_spec_status_follower, G_TYPE_OBJECT)

enum { PROP_0, PROP_CONTROLLER, PROP_ALWAYS, PROP_BUSY, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
follow_free (Follow *follow)
{
  g_signal_handlers_disconnect_matched (follow->session, G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                        NULL, follow);
  g_object_unref (follow->session);
  g_free (follow->project_path);
  g_free (follow->spec_id);
  g_free (follow);
}

/* A write in flight: it holds the follower and finds its Follow again by
 * id, which may be gone (the follower was disposed). */
typedef struct
{
  LeanSpecStatusFollower *self;
  char                   *session_id;
  LeanSpecStore          *store;
  int                     status;  /* the status before (setting) or to put back */
} Write;

static Write *
write_new (LeanSpecStatusFollower *self,
           Follow                 *follow,
           LeanSpecStore          *store,
           int                     status)
{
  Write *write = g_new0 (Write, 1);

  write->self = g_object_ref (self);
  write->session_id = g_strdup (lean_session_get_id (follow->session));
  write->store = store ? g_object_ref (store) : NULL;
  write->status = status;
  follow->writing = TRUE;
  if (self->n_writing++ == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  return write;
}

static void
write_free (Write *write)
{
  LeanSpecStatusFollower *self = write->self;

  if (--self->n_writing == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_clear_object (&write->store);
  g_free (write->session_id);
  g_object_unref (self);
  g_free (write);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Write, write_free)

static Follow *
write_get_follow (Write *write)
{
  Follow *follow;

  if (write->self->follows == NULL)
    return NULL;
  follow = g_hash_table_lookup (write->self->follows, write->session_id);
  if (follow != NULL)
    follow->writing = FALSE;
  return follow;
}

static void
add_event (LeanSpecStatusFollower *self,
           const char             *session_id,
           const char             *kind,
           const char             *member,
           const char             *value)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *json = NULL;

  json_object_set_string_member (payload, member, value);
  json_node_set_object (node, payload);
  json = json_to_string (node, FALSE);
  lean_session_db_add_event (lean_controller_get_db (self->controller), session_id, kind,
                             json);
}

static LeanSpecStore *
lookup_store (LeanSpecStatusFollower *self,
              Follow                 *follow,
              LeanSpec              **spec)
{
  LeanSpecStore *store;

  *spec = NULL;
  if (self->store_func == NULL ||
      (store = self->store_func (follow->project_path, self->store_data)) == NULL)
    return NULL;
  *spec = lean_spec_store_lookup (store, follow->spec_id);
  return *spec != NULL ? store : NULL;
}

static void conclude (LeanSpecStatusFollower *self,
                      Follow                 *follow);

/* ---- in-progress when the agent starts ---- */

static void
set_done (Write      *write,
          int         status_before,
          const char *note)
{
  Follow *follow = write_get_follow (write);

  if (note != NULL)
    add_event (write->self, write->session_id, "spec-status-not-set", "message", note);
  if (follow == NULL)
    return;
  follow->status_before = status_before;
  if (follow->ended)
    conclude (write->self, follow);
}

static void
on_set_by_writer (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(Write) write = user_data;
  g_autofree char *note = NULL;
  int status_before = lean_spec_status_set_in_progress_finish (result, &note);

  set_done (write, status_before, note);
}

/* Why a store edit wrote nothing, or NULL when it was written. */
static char *
store_edit_finish (GObject      *store,
                   GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSpec) written = NULL;

  written = lean_spec_store_edit_finish (LEAN_SPEC_STORE (store), result, NULL, &error);
  return written != NULL ? NULL : g_strdup (error->message);
}

static void
on_set_by_store (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Write) write = user_data;
  g_autofree char *note = store_edit_finish (source, result);

  set_done (write, note == NULL ? write->status : -1, note);
}

static void
set_in_progress (LeanSpecStatusFollower *self,
                 Follow                 *follow)
{
  LeanSpec *spec;
  LeanSpecStore *store = lookup_store (self, follow, &spec);

  follow->started = TRUE;
  if (store == NULL)
    {
      lean_spec_status_set_in_progress_async (follow->project_path, follow->spec_id, NULL,
                                              on_set_by_writer,
                                              write_new (self, follow, NULL, -1));
      return;
    }
  /* Only forward: a complete or archived spec being reworked keeps its
   * status, and so does one already in progress. */
  if (lean_spec_get_status (spec) < LEAN_SPEC_STATUS_IN_PROGRESS)
    {
      g_autoptr(LeanSpecEdit) edit = lean_spec_edit_new_status (LEAN_SPEC_STATUS_IN_PROGRESS);

      lean_spec_store_edit_async (store, spec, edit, NULL, on_set_by_store,
                                  write_new (self, follow, store, lean_spec_get_status (spec)));
    }
}

/* ---- back when the agent could not begin ---- */

static void
restore_done (Write      *write,
              const char *note)
{
  if (note != NULL)
    add_event (write->self, write->session_id, "spec-status-not-restored", "message", note);
  else
    add_event (write->self, write->session_id, "spec-status-restored", "status",
               lean_spec_status_to_string (write->status));
  if (write_get_follow (write) != NULL)
    g_hash_table_remove (write->self->follows, write->session_id);
}

static void
on_restored_by_writer (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(Write) write = user_data;
  g_autofree char *note = NULL;

  lean_spec_status_restore_finish (result, &note);
  restore_done (write, note);
}

static void
on_restored_by_store (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(Write) write = user_data;
  g_autofree char *note = store_edit_finish (source, result);

  restore_done (write, note);
}

/* An agent that could not even start its work (not logged in, no API key,
 * not in a git repository) did nothing to the spec: it goes back to the
 * status it had, so a first failed try does not leave it "in progress". */
static gboolean
should_restore (Follow *follow)
{
  LeanAgentProblem problem = lean_session_get_problem (follow->session);

  return follow->status_before >= 0 &&
         lean_session_get_state (follow->session) == LEAN_SESSION_STATE_FAILED &&
         (problem == LEAN_AGENT_PROBLEM_NOT_LOGGED_IN ||
          problem == LEAN_AGENT_PROBLEM_NO_API_KEY ||
          problem == LEAN_AGENT_PROBLEM_NOT_GIT_REPO);
}

static void
conclude (LeanSpecStatusFollower *self,
          Follow                 *follow)
{
  LeanSpecStore *store;
  LeanSpec *spec;

  if (!should_restore (follow))
    {
      g_hash_table_remove (self->follows, lean_session_get_id (follow->session));
      return;
    }
  store = lookup_store (self, follow, &spec);
  if (store == NULL)
    {
      lean_spec_status_restore_async (follow->project_path, follow->spec_id,
                                      follow->status_before, NULL, on_restored_by_writer,
                                      write_new (self, follow, NULL, follow->status_before));
      return;
    }
  {
    g_autoptr(Write) write = write_new (self, follow, store, follow->status_before);
    g_autoptr(LeanSpecEdit) edit = NULL;

    /* Someone (the person, another session) changed it since: theirs wins. */
    if (lean_spec_get_status (spec) != LEAN_SPEC_STATUS_IN_PROGRESS)
      {
        restore_done (write, "the spec is no longer in progress");
        return;
      }
    edit = lean_spec_edit_new_status (follow->status_before);
    lean_spec_store_edit_async (store, spec, edit, NULL, on_restored_by_store,
                                g_steal_pointer (&write));
  }
}

/* ---- following the controller ---- */

static void
on_state (LeanSession *session,
          GParamSpec  *pspec,
          Follow      *follow)
{
  /* The agent really started: a session that failed before (unknown
   * agent, no worktree) leaves the spec alone. */
  if (!follow->started && lean_session_get_state (session) == LEAN_SESSION_STATE_RUNNING)
    set_in_progress (follow->self, follow);
}

static void
on_session_added (LeanController         *controller,
                  LeanSession            *session,
                  LeanSpecStatusFollower *self)
{
  g_autoptr(LeanSessionRequest) request = lean_controller_dup_request (controller, session);
  Follow *follow;

  if (request == NULL || request->project_path == NULL || request->spec_id == NULL ||
      !(request->set_in_progress || self->always))
    return;

  follow = g_new0 (Follow, 1);
  follow->self = self;
  follow->session = g_object_ref (session);
  follow->project_path = g_strdup (request->project_path);
  follow->spec_id = g_strdup (request->spec_id);
  follow->status_before = -1;
  g_hash_table_replace (self->follows, g_strdup (lean_session_get_id (session)), follow);
  g_signal_connect (session, "notify::state", G_CALLBACK (on_state), follow);
}

static void
on_session_ended (LeanController         *controller,
                  LeanSession            *session,
                  LeanSpecStatusFollower *self)
{
  Follow *follow = g_hash_table_lookup (self->follows, lean_session_get_id (session));

  if (follow == NULL)
    return;
  follow->ended = TRUE;
  /* A write of in-progress still in flight concludes when it lands. */
  if (!follow->writing)
    conclude (self, follow);
}

/* ---- GObject ---- */

static void
lean_spec_status_follower_dispose (GObject *object)
{
  LeanSpecStatusFollower *self = (LeanSpecStatusFollower *)object;

  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_pointer (&self->follows, g_hash_table_unref);
  g_clear_object (&self->controller);
  if (self->store_destroy != NULL)
    self->store_destroy (self->store_data);
  self->store_func = NULL;
  self->store_destroy = NULL;

  G_OBJECT_CLASS (lean_spec_status_follower_parent_class)->dispose (object);
}

static void
lean_spec_status_follower_constructed (GObject *object)
{
  LeanSpecStatusFollower *self = (LeanSpecStatusFollower *)object;

  G_OBJECT_CLASS (lean_spec_status_follower_parent_class)->constructed (object);

  g_assert (self->controller != NULL);
  g_signal_connect_object (self->controller, "session-added", G_CALLBACK (on_session_added),
                           self, 0);
  g_signal_connect_object (self->controller, "session-ended", G_CALLBACK (on_session_ended),
                           self, 0);
}

static void
lean_spec_status_follower_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  LeanSpecStatusFollower *self = (LeanSpecStatusFollower *)object;

  switch (prop_id)
    {
    case PROP_CONTROLLER:
      g_value_set_object (value, self->controller);
      break;
    case PROP_ALWAYS:
      g_value_set_boolean (value, self->always);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->n_writing > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_spec_status_follower_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  LeanSpecStatusFollower *self = (LeanSpecStatusFollower *)object;

  switch (prop_id)
    {
    case PROP_CONTROLLER:
      self->controller = g_value_dup_object (value);
      break;
    case PROP_ALWAYS:
      lean_spec_status_follower_set_always (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_spec_status_follower_class_init (LeanSpecStatusFollowerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = lean_spec_status_follower_constructed;
  object_class->dispose = lean_spec_status_follower_dispose;
  object_class->get_property = lean_spec_status_follower_get_property;
  object_class->set_property = lean_spec_status_follower_set_property;

  properties[PROP_CONTROLLER] =
    g_param_spec_object ("controller", NULL, NULL, LEAN_TYPE_CONTROLLER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALWAYS] =
    g_param_spec_boolean ("always-set-in-progress", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lean_spec_status_follower_init (LeanSpecStatusFollower *self)
{
  self->follows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) follow_free);
}

LeanSpecStatusFollower *
lean_spec_status_follower_new (LeanController *controller)
{
  g_return_val_if_fail (LEAN_IS_CONTROLLER (controller), NULL);

  return g_object_new (LEAN_TYPE_SPEC_STATUS_FOLLOWER, "controller", controller, NULL);
}

LeanController *
lean_spec_status_follower_get_controller (LeanSpecStatusFollower *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_STATUS_FOLLOWER (self), NULL);
  return self->controller;
}

void
lean_spec_status_follower_set_store_func (LeanSpecStatusFollower  *self,
                                          LeanSpecStoreLookupFunc  func,
                                          gpointer                 user_data,
                                          GDestroyNotify           destroy)
{
  g_return_if_fail (LEAN_IS_SPEC_STATUS_FOLLOWER (self));

  if (self->store_destroy != NULL)
    self->store_destroy (self->store_data);
  self->store_func = func;
  self->store_data = user_data;
  self->store_destroy = destroy;
}

gboolean
lean_spec_status_follower_get_always (LeanSpecStatusFollower *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_STATUS_FOLLOWER (self), FALSE);
  return self->always;
}

void
lean_spec_status_follower_set_always (LeanSpecStatusFollower *self,
                                      gboolean                always)
{
  g_return_if_fail (LEAN_IS_SPEC_STATUS_FOLLOWER (self));

  always = !!always;
  if (self->always == always)
    return;
  self->always = always;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALWAYS]);
}

gboolean
lean_spec_status_follower_get_busy (LeanSpecStatusFollower *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_STATUS_FOLLOWER (self), FALSE);
  return self->n_writing > 0;
}
