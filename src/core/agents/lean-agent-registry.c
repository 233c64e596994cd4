/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <json-glib/json-glib.h>

#include "lean-agent-private.h"
#include "lean-agent-registry.h"
#include "lean-error.h"
#include "lean-json.h"
#include "lean-trust-store.h"

/* Gemini CLI loads its whole bundle to answer --version: 8 s measured on a
 * busy 2-CPU machine (0.61.0). The probes run in threads, so waiting longer
 * only delays the version shown, never the window. */
#define VERSION_TIMEOUT_MS 15000

/* A runners.json names a few commands; anything bigger is not one. */
#define MAX_RUNNERS_FILE_SIZE (1024 * 1024)

struct _LeanAgentRegistry
{
  GObject    parent_instance;

  GPtrArray *agents;          /* LeanAgent, list order */
  char      *default_id;      /* from a runners.json "default", or NULL */
  char      *fallback_id;     /* computed by refresh */
  char      *project_path;    /* of the last load, or NULL */
  GPtrArray *problems;        /* char *, of the last load */
  LeanTrustRequest *request;  /* the project's runners.json, or NULL */
  LeanTrustStore   *store;
  gboolean          loaded;   /* a load has landed */
};

static void list_model_iface_init (GListModelInterface *iface);

enum { PROP_0, PROP_LOADED, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE_WITH_CODE (LeanAgentRegistry, lean_agent_registry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
lean_agent_registry_get_item_type (GListModel *model)
{
  return LEAN_TYPE_AGENT;
}

static guint
lean_agent_registry_get_n_items (GListModel *model)
{
  return LEAN_AGENT_REGISTRY (model)->agents->len;
}

static gpointer
lean_agent_registry_get_item (GListModel *model,
                              guint       position)
{
  LeanAgentRegistry *self = LEAN_AGENT_REGISTRY (model);

  if (position >= self->agents->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->agents, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = lean_agent_registry_get_item_type;
  iface->get_n_items = lean_agent_registry_get_n_items;
  iface->get_item = lean_agent_registry_get_item;
}

static void
lean_agent_registry_finalize (GObject *object)
{
  LeanAgentRegistry *self = (LeanAgentRegistry *)object;

  g_clear_pointer (&self->agents, g_ptr_array_unref);
  g_free (self->default_id);
  g_free (self->fallback_id);
  g_free (self->project_path);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->request, lean_trust_request_unref);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (lean_agent_registry_parent_class)->finalize (object);
}

static void
lean_agent_registry_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LeanAgentRegistry *self = (LeanAgentRegistry *)object;

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_agent_registry_class_init (LeanAgentRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lean_agent_registry_finalize;
  object_class->get_property = lean_agent_registry_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lean_agent_registry_init (LeanAgentRegistry *self)
{
  self->agents = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < LEAN_AGENT_N_BUILTINS; i++)
    g_ptr_array_add (self->agents, _lean_agent_new_builtin ((LeanAgentKind)i));
  self->problems = g_ptr_array_new_with_free_func (g_free);
  self->store = g_object_ref (lean_trust_store_get_default ());
}

LeanAgentRegistry *
lean_agent_registry_new (void)
{
  return g_object_new (LEAN_TYPE_AGENT_REGISTRY, NULL);
}

static LeanAgent *
find_in (GPtrArray  *agents,
         const char *id)
{
  for (guint i = 0; i < agents->len; i++)
    {
      LeanAgent *agent = g_ptr_array_index (agents, i);

      if (g_strcmp0 (lean_agent_get_id (agent), id) == 0)
        return agent;
    }
  return NULL;
}

static void
add_problem (GPtrArray  *problems,
             const char *path,
             const char *reason)
{
  g_ptr_array_add (problems, g_strdup_printf (_("%s: %s"), path, reason));
}

/* One runners.json as read: bytes, real path and hash, and whether those
 * bytes are trusted. */
typedef struct
{
  const char      *path;
  LeanAgentSource  source;
  char            *real_path;
  char            *sha256;
  LeanTrustState   state;      /* of these bytes (projects only) */
  gboolean         trusted;
  GPtrArray       *added;      /* LeanAgent (borrowed): its agents */
} RunnersFile;

/* Merges one runners.json into @agents (which holds builtins and the user
 * file's agents). Returns the file's "default" or NULL. */
static char *
load_file (GPtrArray        *agents,
           RunnersFile      *file,
           LeanTrustStore   *store,
           GPtrArray        *problems)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root_node = NULL;
  g_autoptr(GList) ids = NULL;
  const char *path = file->path;
  gboolean project = file->source == LEAN_AGENT_SOURCE_PROJECT;
  JsonObject *root;
  JsonObject *runners;
  JsonNode *node;
  char *default_id = NULL;
  const char *data;
  gsize len;

  bytes = lean_trust_read_file (path, MAX_RUNNERS_FILE_SIZE, &file->real_path, &file->sha256,
                                &local_error);
  if (bytes == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_ptr_array_add (problems, g_strdup (local_error->message));
      return NULL;
    }

  /* The person's own file is theirs; a project's runs only once the person
   * trusted exactly these bytes. */
  if (project)
    file->state = lean_trust_store_lookup (store, file->real_path, file->sha256);
  file->trusted = !project || file->state == LEAN_TRUST_TRUSTED;

  data = g_bytes_get_data (bytes, &len);
  root_node = lean_json_parse (data, len, 0, &local_error);
  if (root_node == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("not valid JSON (%s); its runners are ignored"),
                                                 local_error->message);
      add_problem (problems, path, reason);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root_node))
    {
      add_problem (problems, path, _("expected a JSON object with \"runners\""));
      return NULL;
    }
  root = json_node_get_object (root_node);

  node = json_object_get_member (root, "default");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    default_id = g_strdup (json_node_get_string (node));

  node = json_object_get_member (root, "runners");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return default_id;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      add_problem (problems, path, _("\"runners\" must be an object of runner definitions"));
      return default_id;
    }

  runners = json_node_get_object (node);
  ids = json_object_get_members (runners);
  ids = g_list_sort (ids, (GCompareFunc)g_strcmp0);
  for (const GList *l = ids; l != NULL; l = l->next)
    {
      const char *id = l->data;
      JsonNode *entry = json_object_get_member (runners, id);
      g_autoptr(GError) entry_error = NULL;
      LeanAgent *base;
      LeanAgent *agent;

      if (!JSON_NODE_HOLDS_OBJECT (entry))
        {
          g_autofree char *reason = g_strdup_printf (_("runner \"%s\" must be an object"), id);
          add_problem (problems, path, reason);
          continue;
        }

      base = find_in (agents, id);
      /* A project cannot put its command behind a name the person already
       * runs: "claude" must stay Claude Code, "my-agent" theirs. */
      if (project && base != NULL)
        {
          g_autofree char *reason = NULL;

          if (lean_agent_get_source (base) == LEAN_AGENT_SOURCE_BUILTIN)
            reason = g_strdup_printf (_("runners.json in this project defines “%s”, a built-in "
                                        "agent; it was ignored"), id);
          else
            reason = g_strdup_printf (_("runners.json in this project defines “%s”, an agent "
                                        "of your own runners.json; it was ignored"), id);
          add_problem (problems, path, reason);
          continue;
        }

      agent = _lean_agent_new_from_json (id, json_node_get_object (entry), file->source, base,
                                         &entry_error);
      if (agent == NULL)
        {
          if (entry_error != NULL)
            add_problem (problems, path, entry_error->message);
          continue;
        }
      _lean_agent_set_trust (agent, file->trusted, file->real_path);
      g_ptr_array_add (file->added, agent);

      if (base != NULL)
        {
          guint index = 0;

          g_ptr_array_find (agents, base, &index);
          g_ptr_array_index (agents, index) = agent;
          g_object_unref (base);
        }
      else
        g_ptr_array_add (agents, agent);
    }

  return default_id;
}

static char *
read_config_default_agent (const char *project_path)
{
  g_autofree char *path = g_build_filename (project_path, ".lean-spec", "config.json", NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *agents;
  JsonNode *node;
  const char *data;
  gsize len;

  /* The spec store reports a broken config.json; here it only means no
   * default. */
  bytes = lean_trust_read_file (path, MAX_RUNNERS_FILE_SIZE, NULL, NULL, NULL);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  root = lean_json_parse (data, len, 0, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  node = json_object_get_member (json_node_get_object (root), "agents");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  agents = json_node_get_object (node);
  node = json_object_get_member (agents, "default");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static int
compare_custom (gconstpointer a,
                gconstpointer b)
{
  LeanAgent *agent_a = *(LeanAgent **)a;
  LeanAgent *agent_b = *(LeanAgent **)b;

  return g_strcmp0 (lean_agent_get_id (agent_a), lean_agent_get_id (agent_b));
}

static LeanTrustRequest *
describe_project_file (RunnersFile *file,
                       const char  *default_id,
                       GPtrArray   *problems,
                       guint        first_problem)
{
  LeanTrustRequest *request;

  /* The state the agents were given, not a second look at the store. */
  request = lean_trust_request_new (file->real_path, file->sha256, file->state);
  for (guint i = 0; i < file->added->len; i++)
    g_ptr_array_add (request->commands, _lean_agent_describe (g_ptr_array_index (file->added, i)));
  if (default_id != NULL)
    g_ptr_array_add (request->notes,
                     g_strdup_printf (_("Makes “%s” the default agent"), default_id));
  /* Its problems, without the "path: " every one starts with. */
  for (guint i = first_problem; i < problems->len; i++)
    {
      const char *text = g_ptr_array_index (problems, i);
      gsize skip = strlen (file->path);

      if (g_str_has_prefix (text, file->path) && g_str_has_prefix (text + skip, ": "))
        text += skip + 2;
      g_ptr_array_add (request->ignored, g_strdup (text));
    }
  return request;
}

/* What one load read, before it replaces the registry's content. Made in
 * any thread: nothing in it is shared yet. */
typedef struct
{
  char             *project_path;
  GPtrArray        *agents;
  GPtrArray        *problems;
  LeanTrustRequest *request;
  char             *default_id;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_free (loaded->project_path);
  g_clear_pointer (&loaded->agents, g_ptr_array_unref);
  g_clear_pointer (&loaded->problems, g_ptr_array_unref);
  g_clear_pointer (&loaded->request, lean_trust_request_unref);
  g_free (loaded->default_id);
  g_free (loaded);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Loaded, loaded_free)

/* Blocking (small files); the trust store is safe from any thread. */
static Loaded *
read_files (LeanTrustStore *store,
            const char     *project_path)
{
  Loaded *loaded = g_new0 (Loaded, 1);
  g_autoptr(GPtrArray) user_added = g_ptr_array_new ();
  g_autoptr(GPtrArray) project_added = g_ptr_array_new ();
  g_autofree char *user_path = NULL;
  g_autofree char *project_file = NULL;
  g_autofree char *user_default = NULL;
  g_autofree char *project_default = NULL;
  RunnersFile user = { 0 };
  RunnersFile project = { 0 };
  GPtrArray *agents;
  GPtrArray *problems;

  loaded->project_path = g_strdup (project_path);
  agents = loaded->agents = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < LEAN_AGENT_N_BUILTINS; i++)
    g_ptr_array_add (agents, _lean_agent_new_builtin ((LeanAgentKind)i));
  problems = loaded->problems = g_ptr_array_new_with_free_func (g_free);

  user_path = g_build_filename (g_get_home_dir (), ".lean-spec", "runners.json", NULL);
  user.path = user_path;
  user.source = LEAN_AGENT_SOURCE_USER;
  user.added = user_added;
  user_default = load_file (agents, &user, store, problems);

  if (project_path != NULL)
    {
      project_file = g_build_filename (project_path, ".lean-spec", "runners.json", NULL);
      project.path = project_file;
      project.source = LEAN_AGENT_SOURCE_PROJECT;
      guint first_problem = problems->len;

      project.added = project_added;
      project_default = load_file (agents, &project, store, problems);
      if (project.sha256 != NULL)
        loaded->request = describe_project_file (&project, project_default, problems,
                                                 first_problem);
    }

  /* Builtins keep their place, custom agents follow sorted by id. */
  if (agents->len > LEAN_AGENT_N_BUILTINS)
    {
      g_autoptr(GPtrArray) custom = g_ptr_array_new ();

      for (guint i = LEAN_AGENT_N_BUILTINS; i < agents->len; i++)
        g_ptr_array_add (custom, g_ptr_array_index (agents, i));
      g_ptr_array_sort (custom, compare_custom);
      for (guint i = 0; i < custom->len; i++)
        g_ptr_array_index (agents, LEAN_AGENT_N_BUILTINS + i) = g_ptr_array_index (custom, i);
    }

  /* LeanSpec's own project config names a default agent too
   * ("agents": {"default": "claude"}); the runner files win over it. */
  if (project_default == NULL && project_path != NULL)
    project_default = read_config_default_agent (project_path);
  loaded->default_id = g_strdup (project_default != NULL ? project_default : user_default);

  g_free (user.real_path);
  g_free (user.sha256);
  g_free (project.real_path);
  g_free (project.sha256);
  return loaded;
}

/* Main thread: replaces the content with @loaded's. */
static gboolean
apply_loaded (LeanAgentRegistry  *self,
              Loaded             *loaded,
              GError            **error)
{
  GPtrArray *agents = loaded->agents;
  guint old_len;

  /* Keep what the last refresh found for agents that still run the same
   * executable, so a reload does not make the UI flicker to "missing"; an
   * untrusted agent was never probed and shows nothing. */
  for (guint i = 0; i < agents->len; i++)
    {
      LeanAgent *agent = g_ptr_array_index (agents, i);
      LeanAgent *old = find_in (self->agents, lean_agent_get_id (agent));

      if (old != NULL && lean_agent_get_trusted (agent) && lean_agent_get_trusted (old) &&
          lean_agent_get_source (old) == lean_agent_get_source (agent) &&
          g_strcmp0 (lean_agent_get_executable (old), lean_agent_get_executable (agent)) == 0)
        _lean_agent_set_detected (agent, lean_agent_get_installed (old),
                                  lean_agent_get_path (old), lean_agent_get_version (old));
    }

  g_clear_pointer (&self->request, lean_trust_request_unref);
  self->request = g_steal_pointer (&loaded->request);
  g_free (self->default_id);
  self->default_id = g_steal_pointer (&loaded->default_id);
  g_free (self->project_path);
  self->project_path = g_steal_pointer (&loaded->project_path);
  g_ptr_array_unref (self->problems);
  self->problems = g_ptr_array_ref (loaded->problems);

  old_len = self->agents->len;
  g_ptr_array_unref (self->agents);
  self->agents = g_steal_pointer (&loaded->agents);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->agents->len);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }

  /* The first problem is the one to fix first; all are in get_problems(). */
  if (self->problems->len > 0)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           g_ptr_array_index (self->problems, 0));
      return FALSE;
    }
  return TRUE;
}

gboolean
lean_agent_registry_load (LeanAgentRegistry  *self,
                          const char         *project_path,
                          GError            **error)
{
  g_autoptr(Loaded) loaded = NULL;

  g_return_val_if_fail (LEAN_IS_AGENT_REGISTRY (self), FALSE);

  loaded = read_files (self->store, project_path);
  return apply_loaded (self, loaded, error);
}

typedef struct
{
  LeanTrustStore *store;
  char           *project_path;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_object_unref (data->store);
  g_free (data->project_path);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;

  g_task_return_pointer (task, read_files (data->store, data->project_path),
                         (GDestroyNotify) loaded_free);
}

void
lean_agent_registry_load_async (LeanAgentRegistry   *self,
                                const char          *project_path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (LEAN_IS_AGENT_REGISTRY (self));

  data = g_new0 (LoadData, 1);
  data->store = g_object_ref (self->store);
  data->project_path = g_strdup (project_path);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lean_agent_registry_load_async);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
lean_agent_registry_load_finish (LeanAgentRegistry  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_autoptr(Loaded) loaded = NULL;

  g_return_val_if_fail (LEAN_IS_AGENT_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (loaded == NULL)
    return FALSE;
  return apply_loaded (self, loaded, error);
}

gboolean
lean_agent_registry_get_loaded (LeanAgentRegistry *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT_REGISTRY (self), FALSE);
  return self->loaded;
}

const char *
lean_agent_registry_get_project_path (LeanAgentRegistry *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT_REGISTRY (self), NULL);
  return self->project_path;
}

GPtrArray *
lean_agent_registry_get_problems (LeanAgentRegistry *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT_REGISTRY (self), NULL);
  return self->problems;
}

LeanTrustRequest *
lean_agent_registry_get_trust_request (LeanAgentRegistry *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT_REGISTRY (self), NULL);
  return self->request;
}

void
lean_agent_registry_set_trust_store (LeanAgentRegistry *self,
                                     LeanTrustStore    *store)
{
  g_return_if_fail (LEAN_IS_AGENT_REGISTRY (self));
  g_return_if_fail (LEAN_IS_TRUST_STORE (store));

  g_set_object (&self->store, store);
}

LeanTrustStore *
lean_agent_registry_get_trust_store (LeanAgentRegistry *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT_REGISTRY (self), NULL);
  return self->store;
}

LeanAgent *
lean_agent_registry_lookup (LeanAgentRegistry *self,
                            const char        *id)
{
  g_return_val_if_fail (LEAN_IS_AGENT_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return find_in (self->agents, id);
}

const char *
lean_agent_registry_get_default_id (LeanAgentRegistry *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT_REGISTRY (self), NULL);

  if (self->default_id != NULL && find_in (self->agents, self->default_id) != NULL)
    return self->default_id;

  for (guint i = 0; i < self->agents->len; i++)
    {
      LeanAgent *agent = g_ptr_array_index (self->agents, i);

      if (lean_agent_get_installed (agent))
        return lean_agent_get_id (agent);
    }
  return "claude";
}

/* Detection runs on copies of (id, executable) so the worker thread never
 * touches the agents themselves. */
typedef struct
{
  char     *id;
  char     *executable;
  char     *base_dir;    /* what a relative "./bin/agent" is relative to */
  char     *path;
  char     *version;
  gboolean  trusted;     /* FALSE: not even looked for */
  gboolean  installed;
} Probe;

static void
probe_free (gpointer data)
{
  Probe *probe = data;

  g_free (probe->id);
  g_free (probe->executable);
  g_free (probe->base_dir);
  g_free (probe->path);
  g_free (probe->version);
  g_free (probe);
}

static void
on_communicate (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
on_version_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

/* Runs `path --version` with a timeout, in the worker thread, on a private
 * main context so nothing reaches the caller's. */
static char *
probe_version (const char   *path,
               GCancellable *cancellable)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GCancellable) timeout_cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSource) timeout = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gulong handler = 0;
  char *version = NULL;
  const char *text;

  g_main_context_push_thread_default (context);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        G_SUBPROCESS_FLAGS_STDIN_PIPE);
  /* Node CLIs print colours or update notices to a terminal; none here. */
  g_subprocess_launcher_setenv (launcher, "NO_COLOR", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "CI", "1", TRUE);
  /* Not the app's working folder, which may be a project: a program that
   * looks for files next to where it runs must not find a project's. */
  g_subprocess_launcher_set_cwd (launcher, g_get_home_dir ());
  process = g_subprocess_launcher_spawn (launcher, NULL, path, "--version", NULL);
  if (process == NULL)
    goto out;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                     timeout_cancellable, NULL);

  timeout = g_timeout_source_new (VERSION_TIMEOUT_MS);
  g_source_set_callback (timeout, on_version_timeout, timeout_cancellable, NULL);
  g_source_attach (timeout, context);

  g_subprocess_communicate_utf8_async (process, NULL, timeout_cancellable,
                                       on_communicate, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);

  /* A version is what a successful `--version` printed; a CLI that does not
   * know the option fails, and its complaint is not a version. */
  if (g_subprocess_communicate_utf8_finish (process, result, &out, &err, NULL))
    {
      g_autoptr(GAsyncResult) waited = NULL;

      /* Wait for the exit status under the same timeout. */
      g_subprocess_wait_async (process, timeout_cancellable, on_communicate, &waited);
      while (waited == NULL)
        g_main_context_iteration (context, TRUE);
      if (!g_subprocess_wait_finish (process, waited, NULL))
        {
          g_subprocess_force_exit (process);
          g_subprocess_wait (process, NULL, NULL);
          g_clear_pointer (&out, g_free);
          g_clear_pointer (&err, g_free);
        }
      else if (!g_subprocess_get_successful (process))
        {
          g_clear_pointer (&out, g_free);
          g_clear_pointer (&err, g_free);
        }
      text = (out != NULL && *g_strstrip (out) != '\0') ? out
           : err != NULL ? g_strstrip (err) : NULL;
      if (text != NULL && *text != '\0')
        {
          g_auto(GStrv) lines = g_strsplit (text, "\n", 2);

          version = g_strstrip (g_strdup (lines[0]));
        }
    }
  else
    {
      g_subprocess_force_exit (process);
      /* Reap it so no zombie is left behind. */
      g_subprocess_wait (process, NULL, NULL);
    }

  g_source_destroy (timeout);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

out:
  g_main_context_pop_thread_default (context);
  return version;
}

typedef struct
{
  Probe        *probe;
  GCancellable *cancellable;
} ProbeJob;

static gboolean
is_program (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) &&
         !g_file_test (path, G_FILE_TEST_IS_DIR);
}

/* @name looked up in the person's PATH, skipping empty and relative entries
 * ("", "."): those mean the working folder, which may be a project, and a
 * project must not provide "claude". */
static char *
find_in_user_path (const char *name)
{
  g_autofree char *path = _lean_agent_user_path ();
  g_auto(GStrv) dirs = g_strsplit (path, ":", -1);

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *candidate = g_build_filename (dirs[i], name, NULL);

      if (is_program (candidate))
        return g_steal_pointer (&candidate);
    }
  return NULL;
}

static gpointer
probe_thread (gpointer data)
{
  ProbeJob *job = data;
  Probe *probe = job->probe;

  if (!probe->trusted)
    return NULL;

  if (g_path_is_absolute (probe->executable))
    {
      if (is_program (probe->executable))
        probe->path = g_strdup (probe->executable);
    }
  else if (strchr (probe->executable, '/') != NULL)
    {
      /* "./bin/agent" runs in the project folder; only a trusted project's
       * agent gets here with a base folder. */
      g_autofree char *candidate = NULL;

      if (probe->base_dir != NULL)
        candidate = g_build_filename (probe->base_dir, probe->executable, NULL);
      if (candidate != NULL && is_program (candidate))
        probe->path = g_steal_pointer (&candidate);
    }
  else
    probe->path = find_in_user_path (probe->executable);

  probe->installed = probe->path != NULL;
  if (probe->installed && !g_cancellable_is_cancelled (job->cancellable))
    probe->version = probe_version (probe->path, job->cancellable);
  return NULL;
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GPtrArray *probes = task_data;
  g_autofree ProbeJob *jobs = g_new0 (ProbeJob, probes->len);
  g_autofree GThread **threads = g_new0 (GThread *, probes->len);

  /* Node CLIs take about a second to print their version: probe them all
   * at once so the slowest, not the sum, is what a person waits for. */
  for (guint i = 0; i < probes->len; i++)
    {
      jobs[i].probe = g_ptr_array_index (probes, i);
      jobs[i].cancellable = cancellable;
      threads[i] = g_thread_new ("lean-agent-probe", probe_thread, &jobs[i]);
    }
  for (guint i = 0; i < probes->len; i++)
    g_thread_join (threads[i]);

  g_task_return_boolean (task, TRUE);
}

static void
refresh_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LeanAgentRegistry *self = LEAN_AGENT_REGISTRY (source);
  g_autoptr(GTask) task = user_data;
  GPtrArray *probes = g_task_get_task_data (G_TASK (result));
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Agent detection was cancelled"));
      return;
    }

  /* Back on the caller's context: apply to the agents still there. */
  for (guint i = 0; i < probes->len; i++)
    {
      Probe *probe = g_ptr_array_index (probes, i);
      LeanAgent *agent = find_in (self->agents, probe->id);

      if (agent != NULL && lean_agent_get_trusted (agent) == probe->trusted &&
          g_strcmp0 (lean_agent_get_executable (agent), probe->executable) == 0)
        _lean_agent_set_detected (agent, probe->installed, probe->path, probe->version);
    }

  g_task_return_boolean (task, TRUE);
}

void
lean_agent_registry_refresh_async (LeanAgentRegistry   *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  GPtrArray *probes;

  g_return_if_fail (LEAN_IS_AGENT_REGISTRY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lean_agent_registry_refresh_async);

  probes = g_ptr_array_new_with_free_func (probe_free);
  for (guint i = 0; i < self->agents->len; i++)
    {
      LeanAgent *agent = g_ptr_array_index (self->agents, i);
      Probe *probe = g_new0 (Probe, 1);

      probe->id = g_strdup (lean_agent_get_id (agent));
      probe->executable = g_strdup (lean_agent_get_executable (agent));
      probe->trusted = lean_agent_get_trusted (agent);
      if (lean_agent_get_source (agent) == LEAN_AGENT_SOURCE_PROJECT)
        probe->base_dir = g_strdup (self->project_path);
      g_ptr_array_add (probes, probe);
    }

  worker = g_task_new (self, cancellable, refresh_done, g_steal_pointer (&task));
  g_task_set_source_tag (worker, lean_agent_registry_refresh_async);
  g_task_set_task_data (worker, probes, (GDestroyNotify)g_ptr_array_unref);
  g_task_run_in_thread (worker, refresh_thread);
}

gboolean
lean_agent_registry_refresh_finish (LeanAgentRegistry  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
